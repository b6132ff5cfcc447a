/** HTTP Digest (RFC 7616) as SIP uses it (RFC 3261 22.4): the algorithm lives in base, shared with provisioning's HTTP. */
export {
  digestAlgorithm,
  digestAuthorization,
  digestResponse,
  formatChallenge,
  generateNonce,
  parseChallenge,
  parseCredentials,
  verifyDigest,
  type DigestAlgorithm,
  type DigestAuthorizationInput,
  type DigestChallenge,
  type DigestCredentials,
  type DigestResponseInput,
  type VerifyDigestInput,
} from '../../base/index.js';
