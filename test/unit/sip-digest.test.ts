/**
 * HTTP Digest for SIP (RFC 3261 22.4, RFC 2617, RFC 7616). Vectors: RFC 2617 3.5, RFC 7616 3.9.1, and SIP
 * examples computed independently with md5sum/openssl, e.g. for qop=auth:
 *   ha1=$(printf 'bob:biloxi.com:zanzibar' | md5sum); ha2=$(printf 'REGISTER:sip:biloxi.com' | md5sum)
 *   printf "$ha1:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:$ha2" | md5sum
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  digestAlgorithm,
  digestAuthorization,
  digestResponse,
  formatChallenge,
  generateNonce,
  parseChallenge,
  parseCredentials,
  verifyDigest,
  type DigestChallenge,
} from '../../src/sip/message/digest.js';

function challenge(value: string): DigestChallenge {
  const c = parseChallenge(value);
  assert.ok(c, value);
  return c;
}

const rfc2617Challenge =
  'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
const rfc2617Authorization =
  'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

test('RFC 2617 3.5: the example challenge parses', () => {
  const c = challenge(rfc2617Challenge);
  assert.equal(c.realm, 'testrealm@host.com');
  assert.equal(c.nonce, 'dcd98b7102dd2f0e8b11d0f600bfb0c093');
  assert.equal(c.opaque, '5ccc069c403ebaf9f0171e9517f40e41');
  assert.deepEqual(c.qop, ['auth', 'auth-int']);
  assert.equal(c.algorithm, 'MD5');
  assert.equal(c.stale, false);
});

test('RFC 2617 3.5: the example response is 6629fae49393a05397450978507c4ef1', () => {
  const c = challenge(rfc2617Challenge);
  const value = digestAuthorization({
    challenge: c,
    method: 'GET',
    uri: '/dir/index.html',
    username: 'Mufasa',
    password: 'Circle Of Life',
    cnonce: '0a4f113b',
    nc: 1,
  });
  assert.ok(value);
  const cred = parseCredentials(value);
  assert.equal(cred?.response, '6629fae49393a05397450978507c4ef1');
  assert.equal(cred?.qop, 'auth');
  assert.equal(cred?.nc, '00000001');
  assert.equal(cred?.cnonce, '0a4f113b');
  assert.equal(cred?.opaque, '5ccc069c403ebaf9f0171e9517f40e41');
  assert.equal(cred?.uri, '/dir/index.html');
  assert.ok(verifyDigest({ authorization: rfc2617Authorization, method: 'GET', realm: 'testrealm@host.com', password: 'Circle Of Life' }));
  assert.ok(!verifyDigest({ authorization: rfc2617Authorization, method: 'GET', realm: 'testrealm@host.com', password: 'Circle of Life' }));
  assert.ok(!verifyDigest({ authorization: rfc2617Authorization, method: 'POST', realm: 'testrealm@host.com', password: 'Circle Of Life' }));
});

test('RFC 7616 3.9.1: the SHA-256 and MD5 example responses', () => {
  const common = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    method: 'GET',
    uri: '/dir/index.html',
    qop: 'auth',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  assert.equal(digestResponse({ ...common, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(digestResponse({ ...common, algorithm: 'SHA-256' }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

test('RFC 3261 22.4: the WWW-Authenticate example parses (quoted qop list, empty opaque, stale=FALSE)', () => {
  const c = challenge(
    'Digest realm="atlanta.com",\r\n domain="sip:boxesbybob.com", qop="auth",\r\n nonce="f84f1cec41e6cbe5aea9c8e88d359",\r\n opaque="", stale=FALSE, algorithm=MD5'.replace(/\r\n/g, ''),
  );
  assert.equal(c.realm, 'atlanta.com');
  assert.equal(c.domain, 'sip:boxesbybob.com');
  assert.deepEqual(c.qop, ['auth']);
  assert.equal(c.opaque, '');
  assert.equal(c.stale, false);
  assert.equal(challenge('DIGEST realm="r", nonce="n", stale=true').stale, true);
});

test('RFC 3261 22.4: REGISTER with qop=auth (vector computed with md5sum)', () => {
  const c = challenge('Digest realm="biloxi.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", algorithm=MD5');
  const value = digestAuthorization({ challenge: c, method: 'REGISTER', uri: 'sip:biloxi.com', username: 'bob', password: 'zanzibar', cnonce: '0a4f113b' });
  assert.equal(
    value,
    'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:biloxi.com", response="9e2d1006810044fd79f39476209ae31a", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001',
  );
  assert.ok(verifyDigest({ authorization: value, method: 'REGISTER', realm: 'biloxi.com', password: 'zanzibar' }));
  assert.ok(verifyDigest({ authorization: value, method: 'REGISTER', realm: 'biloxi.com', ha1: '12af60467a33e8518da5c68bbff12b11' }), 'stored HA1');
});

test('RFC 2069 form (no qop): INVITE (vector computed with md5sum)', () => {
  const c = challenge('Digest realm="biloxi.com", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque=""');
  const value = digestAuthorization({ challenge: c, method: 'INVITE', uri: 'sip:bob@biloxi.com', username: 'bob', password: 'zanzibar' });
  assert.ok(value);
  const cred = parseCredentials(value);
  assert.equal(cred?.response, '4e749fb84287bc112793634d2ba7fb5f');
  assert.equal(cred?.qop, undefined);
  assert.equal(cred?.cnonce, undefined);
  assert.equal(cred?.nc, undefined);
  assert.equal(cred?.opaque, '');
  assert.ok(verifyDigest({ authorization: value, method: 'INVITE', realm: 'biloxi.com', password: 'zanzibar' }));
});

test('RFC 2617 3.2.2.2 MD5-sess, RFC 7616 SHA-256, qop=auth-int (vectors computed with md5sum/openssl)', () => {
  const sess = digestAuthorization({
    challenge: challenge('Digest realm="biloxi.com", nonce="f84f1cec41e6cbe5aea9c8e88d359", qop="auth", algorithm=MD5-sess'),
    method: 'REGISTER',
    uri: 'sip:biloxi.com',
    username: 'bob',
    password: 'zanzibar',
    cnonce: 'c0ffee01',
    nc: 2,
  });
  assert.equal(parseCredentials(sess!)?.response, '555aafe8f391629fcfc2f6adbef2fa2d');
  assert.equal(parseCredentials(sess!)?.nc, '00000002');
  assert.equal(parseCredentials(sess!)?.algorithm, 'MD5-sess');
  assert.ok(verifyDigest({ authorization: sess!, method: 'REGISTER', realm: 'biloxi.com', password: 'zanzibar' }));

  const sha = digestAuthorization({
    challenge: challenge('Digest realm="biloxi.com", nonce="f84f1cec41e6cbe5aea9c8e88d359", qop="auth", algorithm=SHA-256'),
    method: 'REGISTER',
    uri: 'sip:biloxi.com',
    username: 'bob',
    password: 'zanzibar',
    cnonce: '0a4f113b',
  });
  assert.equal(parseCredentials(sha!)?.response, '8135dffa7ee29f6c899dc65e612932ea549a5feab00592999f2bc2ff36d7c980');
  assert.ok(verifyDigest({ authorization: sha!, method: 'REGISTER', realm: 'biloxi.com', password: 'zanzibar' }));

  const int = digestAuthorization({
    challenge: challenge('Digest realm="biloxi.com", nonce="f84f1cec41e6cbe5aea9c8e88d359", qop="auth-int"'),
    method: 'INVITE',
    uri: 'sip:bob@biloxi.com',
    username: 'bob',
    password: 'zanzibar',
    cnonce: '0a4f113b',
    body: 'v=0\r\n',
  });
  assert.equal(parseCredentials(int!)?.qop, 'auth-int');
  assert.equal(parseCredentials(int!)?.response, '3fc482a8becfebc030d6d248964b737a');
  assert.ok(verifyDigest({ authorization: int!, method: 'INVITE', realm: 'biloxi.com', password: 'zanzibar', body: 'v=0\r\n' }));
  assert.ok(!verifyDigest({ authorization: int!, method: 'INVITE', realm: 'biloxi.com', password: 'zanzibar', body: 'v=1\r\n' }));
});

test('RFC 3261 22.2: unsupported algorithms or qop give no credentials', () => {
  const base = { method: 'REGISTER', uri: 'sip:x', username: 'u', password: 'p' };
  assert.equal(digestAuthorization({ ...base, challenge: challenge('Digest realm="r", nonce="n", algorithm=AKAv1-MD5') }), undefined);
  assert.equal(digestAuthorization({ ...base, challenge: challenge('Digest realm="r", nonce="n", qop="auth-conf"') }), undefined);
  assert.equal(digestAuthorization({ ...base, challenge: challenge('Digest realm="r", nonce="n", algorithm=MD5-sess') }), undefined, '-sess needs qop');
  assert.equal(digestAlgorithm(undefined), 'MD5');
  assert.equal(digestAlgorithm('sha-256'), 'SHA-256');
  assert.equal(digestAlgorithm('SHA-512-256'), undefined);
  const generated = digestAuthorization({ ...base, challenge: challenge('Digest realm="r", nonce="n", qop="auth"') });
  assert.match(parseCredentials(generated!)?.cnonce ?? '', /^[0-9a-f]{24}$/, 'a random cnonce when none is given');
});

test('RFC 2617 3.2.1: malformed or non-Digest challenges are refused', () => {
  for (const bad of [
    'Basic realm="r"',
    'Digest',
    'Digest realm="r"',
    'Digest nonce="n"',
    'Digest realm="r, nonce="n"',
    'Digest realm="r" nonce="n"',
    'Digest realm="r", realm="s", nonce="n"',
    'Digest realm=, nonce="n"',
    'Digest realm="r", nonce="n",',
    'Digestrealm="r", nonce="n"',
    '',
  ]) {
    assert.equal(parseChallenge(bad), undefined, JSON.stringify(bad));
  }
});

test('server side: formatChallenge round-trips; verifyDigest checks realm, nonce, uri and tampering', () => {
  const nonce = generateNonce();
  assert.match(nonce, /^[A-Za-z0-9_-]{22}$/);
  const text = formatChallenge({ realm: 'home "hub"', nonce, opaque: 'o', algorithm: 'SHA-256', qop: ['auth'], stale: true });
  const c = challenge(text);
  assert.equal(c.realm, 'home "hub"');
  assert.equal(c.nonce, nonce);
  assert.equal(c.algorithm, 'SHA-256');
  assert.equal(c.stale, true);
  const value = digestAuthorization({ challenge: c, method: 'REGISTER', uri: 'sip:hub.home', username: 'al"ice', password: 'pw' })!;
  assert.equal(parseCredentials(value)?.username, 'al"ice');
  const ok = { authorization: value, method: 'REGISTER', realm: 'home "hub"', password: 'pw' };
  assert.ok(verifyDigest(ok));
  assert.ok(verifyDigest({ ...ok, nonce, uri: 'sip:hub.home' }));
  assert.ok(!verifyDigest({ ...ok, nonce: generateNonce() }), 'another nonce');
  assert.ok(!verifyDigest({ ...ok, uri: 'sip:other' }), 'another digest-uri');
  assert.ok(!verifyDigest({ ...ok, realm: 'other' }), 'another realm');
  assert.ok(!verifyDigest({ ...ok, password: undefined }), 'no secret');
  const tampered = value.replace(/response="([0-9a-f])/, (_, d: string) => `response="${d === '0' ? '1' : '0'}`);
  assert.ok(!verifyDigest({ ...ok, authorization: tampered }));
  assert.ok(!verifyDigest({ ...ok, authorization: value.replace(/response="[0-9a-f]+"/, 'response="abc"') }), 'short response');
  assert.ok(!verifyDigest({ ...ok, authorization: 'NoOneKnowsThisScheme opaque-data=here' }), 'RFC 4475 3.3.7 regaut01');
  assert.ok(!verifyDigest({ ...ok, authorization: 'garbage' }));
  assert.equal(formatChallenge({ realm: 'r', nonce: 'n' }), 'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"');
  assert.equal(formatChallenge({ realm: 'r', nonce: 'n', qop: [] }), 'Digest realm="r", nonce="n", algorithm=MD5');
});

test('never throws: hostile challenge and credential strings', () => {
  let s = 3;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s / 0x100000000;
  };
  const alphabet = 'Digest realm="nonce=,qop=auth\\ \t\r\n\u0000é';
  for (let i = 0; i < 3000; i++) {
    let t = rand() < 0.5 ? 'Digest ' : '';
    const n = Math.floor(rand() * 60);
    for (let j = 0; j < n; j++) t += alphabet[Math.floor(rand() * alphabet.length)];
    const c = parseChallenge(t);
    if (c) digestAuthorization({ challenge: c, method: 'X', uri: 'sip:x', username: 'u', password: 'p' });
    parseCredentials(t);
    verifyDigest({ authorization: t, method: 'X', realm: 'r', password: 'p' });
  }
  assert.equal(parseChallenge(undefined as unknown as string), undefined);
});
