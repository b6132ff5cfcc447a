/** The phones' side of hometel's SIP (issue 14): registrar, calls to and from phones, lamps and presence. */
export { PhoneSide, phoneSideMethods, type PhoneSideOptions, type RequestHandler } from './phone-side.js';
export type { RequestAuthenticator } from './authenticator.js';
export { DigestAuthenticator, type DigestAlgorithmName, type DigestAuthenticatorOptions } from './digest-authenticator.js';
export { PhoneRegistrar, ipv4Network, type PhoneRegistrarOptions, type RegistrarConfig } from './registrar.js';
