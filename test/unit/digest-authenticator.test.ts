/**
 * The phones' Digest authenticator (src/sip/pbx/digest-authenticator.ts): RFC 3261 22.2/22.3 challenges (401 for
 * REGISTER, 407 otherwise), RFC 8760 2.3 SHA-256 offered before MD5, RFC 7616 qop=auth, nonces bound to the server
 * that expire (stale=true), nonce counts against replays, the checks of username, realm and digest-uri, failed
 * attempts blocked (403), floods answered 503, and one log line per refusal without credentials.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/base/index.js';
import { AuthLimiter, ha1, type Binding, type Extension } from '../../src/phones/index.js';
import { digestAuthorization, parseChallenge, request as sipRequest, type DigestChallenge, type SipResponse } from '../../src/sip/index.js';
import { DigestAuthenticator } from '../../src/sip/pbx/index.js';
import { FakeClock } from '../support/fake-clock.js';

const realm = 'hometel';
const password = 'correct horse';
const ext21: Extension = { number: '21', realm, ha1Md5: ha1('md5', '21', realm, password), ha1Sha256: ha1('sha256', '21', realm, password), created: 0 };

function setup(opts: { bindings?: Binding[]; secret?: Buffer; algorithms?: Array<'SHA-256' | 'MD5'> } = {}) {
  const clock = new FakeClock(1_000_000);
  const lines: string[] = [];
  const auth = new DigestAuthenticator({
    realm,
    directory: { credentials: (n) => (n === '21' ? ext21 : undefined), bindings: (n) => (opts.bindings ?? []).filter((b) => b.extension === n) },
    clock,
    logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    ...(opts.secret ? { secret: opts.secret } : {}),
    ...(opts.algorithms ? { algorithms: opts.algorithms } : {}),
  });
  let branch = 0;
  /** Sends `method` with these credentials headers from `address`; the extension or the response. */
  const send = (method: string, headers: Array<[string, string]>, address = '192.168.1.20'): { ext?: string; response?: SipResponse } => {
    let response: SipResponse | undefined;
    const req = sipRequest(method, 'sip:hometel', [
      ['Via', `SIP/2.0/UDP ${address}:5060;branch=z9hG4bK${++branch}`],
      ['From', '<sip:21@hometel>;tag=a'],
      ['To', '<sip:21@hometel>'],
      ['Call-ID', 'auth-1'],
      ['CSeq', `${branch} ${method}`],
      ...headers,
    ]);
    const ext = auth.authenticate({ request: req, source: { transport: 'udp', address, port: 5060 }, respond: (r: SipResponse) => (response = r) } as never);
    return { ...(ext !== undefined ? { ext } : {}), ...(response ? { response } : {}) };
  };
  return { auth, clock, lines, send };
}

function challenges(r: SipResponse | undefined, name = 'WWW-Authenticate'): DigestChallenge[] {
  assert.ok(r);
  return r.headers.all(name).map((v) => parseChallenge(v)!);
}

function credentials(c: DigestChallenge, opts: { method?: string; password?: string; username?: string; nc?: number; uri?: string } = {}): string {
  return digestAuthorization({ challenge: c, method: opts.method ?? 'REGISTER', uri: opts.uri ?? 'sip:hometel', username: opts.username ?? '21', password: opts.password ?? password, ...(opts.nc ? { nc: opts.nc } : {}) })!;
}

test('RFC 3261 22.2 + RFC 8760 2.3: a REGISTER without credentials gets 401 with SHA-256 first, then MD5, both qop="auth"', () => {
  const { send, lines } = setup();
  const { ext, response } = send('REGISTER', []);
  assert.equal(ext, undefined);
  assert.equal(response?.status, 401);
  const cs = challenges(response);
  assert.deepEqual(cs.map((c) => [c.algorithm, c.realm, c.qop, c.stale]), [['SHA-256', realm, ['auth'], false], ['MD5', realm, ['auth'], false]]);
  assert.equal(cs[0]!.nonce, cs[1]!.nonce);
  assert.match(response.headers.get('To') ?? '', /;tag=/);
  assert.ok(lines.every((l) => l.includes('DEBUG')), 'a plain challenge is no refusal');
});

test('RFC 7616 / RFC 8760: SHA-256 and MD5 credentials with the stored HA1 authenticate the extension', () => {
  const { send } = setup();
  const [sha, md5] = challenges(send('REGISTER', []).response);
  assert.equal(send('REGISTER', [['Authorization', credentials(sha!)]]).ext, '21');
  // Both challenges carry one nonce: its count goes on whichever algorithm the phone picks.
  assert.equal(send('REGISTER', [['Authorization', credentials(md5!, { nc: 2 })]]).ext, '21');
});

test('RFC 8760 2.3: the algorithms offered follow the configuration; credentials of one not offered are a 400', () => {
  const { send } = setup({ algorithms: ['MD5'] });
  const r = send('REGISTER', []).response;
  assert.deepEqual(challenges(r).map((c) => c.algorithm), ['MD5']);
  const sha = { ...challenges(r)[0]!, algorithm: 'SHA-256' };
  assert.deepEqual([send('REGISTER', [['Authorization', credentials(sha)]]).response?.reason], ['Unsupported Digest Algorithm']);
  assert.equal(send('REGISTER', [['Authorization', credentials(challenges(r)[0]!, { nc: 2 })]], '192.168.1.30').ext, '21');
});

test('RFC 3261 22.3: other methods get 407 with Proxy-Authenticate and are authenticated by Proxy-Authorization', () => {
  const { send } = setup();
  const r = send('INVITE', []).response;
  assert.equal(r?.status, 407);
  const [sha] = challenges(r, 'Proxy-Authenticate');
  assert.equal(send('INVITE', [['Proxy-Authorization', credentials(sha!, { method: 'INVITE' })]]).ext, '21');
  // Credentials in the other header do not count for INVITE.
  assert.equal(send('INVITE', [['Authorization', credentials(sha!, { method: 'INVITE', nc: 2 })]]).response?.status, 407);
});

test('RFC 7616 3.3: an expired nonce with right credentials is answered stale=true and counts no failure; a forged one as well', () => {
  const { send, clock } = setup();
  const [sha] = challenges(send('REGISTER', []).response);
  clock.advance(301_000);
  for (let i = 1; i <= 6; i++) {
    const r = send('REGISTER', [['Authorization', credentials(sha!, { nc: i })]]).response;
    assert.equal(r?.status, 401, `attempt ${i}`);
    assert.ok(challenges(r).every((c) => c.stale));
  }
  // A nonce of another process (another secret) is not ours: stale too, then the new one works.
  const other = setup({ secret: Buffer.alloc(32, 7) });
  const [foreign] = challenges(other.send('REGISTER', []).response);
  const r = send('REGISTER', [['Authorization', credentials(foreign!)]]).response;
  assert.ok(challenges(r).every((c) => c.stale));
  assert.equal(send('REGISTER', [['Authorization', credentials(challenges(r)[0]!)]]).ext, '21');
});

test('RFC 7616 3.4: a nonce count not above the last one accepted is a replay: a fresh stale challenge', () => {
  const { send } = setup();
  const [sha] = challenges(send('REGISTER', []).response);
  assert.equal(send('REGISTER', [['Authorization', credentials(sha!, { nc: 1 })]]).ext, '21');
  const replay = send('REGISTER', [['Authorization', credentials(sha!, { nc: 1 })]]).response;
  assert.equal(replay?.status, 401);
  assert.ok(challenges(replay).every((c) => c.stale));
  assert.equal(send('REGISTER', [['Authorization', credentials(sha!, { nc: 2 })]]).ext, '21');
});

test('a wrong password gets a fresh 401; the fifth failure from one address is 403 and the address stays blocked; logs name no credential', () => {
  const { send, lines, auth } = setup();
  const [sha] = challenges(send('REGISTER', []).response);
  const wrong = credentials(sha!, { password: 'wrong password' });
  for (let i = 1; i <= 4; i++) assert.equal(send('REGISTER', [['Authorization', credentials(sha!, { password: 'wrong password', nc: i })]]).response?.status, 401);
  assert.equal(send('REGISTER', [['Authorization', credentials(sha!, { password: 'wrong password', nc: 5 })]]).response?.status, 403);
  // Blocked: even the right password from that address is refused, another address is not.
  assert.equal(send('REGISTER', [['Authorization', credentials(sha!, { nc: 6 })]]).response?.status, 403);
  assert.equal(send('REGISTER', [['Authorization', credentials(sha!, { nc: 7 })]], '192.168.1.21').ext, '21');
  const refusals = lines.filter((l) => l.includes('request refused'));
  assert.equal(refusals.length, 6);
  const response = /response="([0-9a-f]+)"/.exec(wrong)![1]!;
  for (const l of lines) {
    assert.ok(!l.includes(response) && !l.includes(ext21.ha1Md5) && !l.includes(ext21.ha1Sha256) && !l.includes(password), l);
  }
  assert.ok(auth.limiter instanceof AuthLimiter);
});

test('an extension attacked from many addresses is blocked, but not for the address its device is registered from', () => {
  const device: Binding = { extension: '21', contact: 'sip:21@192.168.1.50', expiresAt: 9e15, callId: 'd', cseq: 1, source: { transport: 'udp', address: '192.168.1.50', port: 5060 }, registeredAt: 0 };
  const { send } = setup({ bindings: [device] });
  const [sha] = challenges(send('REGISTER', []).response);
  for (let i = 0; i < 20; i++) send('REGISTER', [['Authorization', credentials(sha!, { password: 'guess-guess', nc: i + 1 })]], `10.0.0.${i}`);
  assert.equal(send('REGISTER', [['Authorization', credentials(sha!, { nc: 30 })]], '10.0.1.1').response?.status, 403);
  assert.equal(send('REGISTER', [['Authorization', credentials(sha!, { nc: 31 })]], '192.168.1.50').ext, '21');
});

test('bad credentials: malformed → 400, no qop → 400, digest-uri not the Request-URI → 400 (RFC 7616 3.4.6), another realm or an unknown user → 401', () => {
  const { send } = setup();
  const [sha] = challenges(send('REGISTER', []).response);
  const status = (value: string): [number | undefined, string | undefined] => {
    const r = send('REGISTER', [['Authorization', value]], `192.168.2.${Math.floor(Math.random() * 200)}`).response;
    return [r?.status, r?.reason];
  };
  assert.deepEqual(status('Digest username="21", realm='), [400, 'Malformed Authorization header']);
  assert.deepEqual(status('Basic MjE6c2VjcmV0'), [400, 'Malformed Authorization header']);
  const noQop = digestAuthorization({ challenge: { ...sha!, qop: [] }, method: 'REGISTER', uri: 'sip:hometel', username: '21', password })!;
  assert.deepEqual(status(noQop), [400, 'Digest Without qop=auth']);
  assert.deepEqual(status(credentials(sha!, { uri: 'sip:elsewhere' })), [400, 'Digest URI Mismatch']);
  assert.deepEqual(status(credentials({ ...sha!, realm: 'other' }))[0], 401);
  assert.deepEqual(status(credentials(sha!, { username: '22' }))[0], 401);
});

test('a flood from one address is answered 503 with Retry-After beyond its budget; other addresses go on; logged once per run', () => {
  const { send, lines } = setup();
  const statuses = new Map<number, number>();
  for (let i = 0; i < 500; i++) {
    const s = send('REGISTER', [], '192.168.1.66').response!.status;
    statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  assert.deepEqual([...statuses], [[401, 60], [503, 440]]);
  const r = send('REGISTER', [], '192.168.1.66').response!;
  assert.equal(r.headers.get('Retry-After'), '1');
  assert.equal(send('REGISTER', [], '192.168.1.67').response?.status, 401);
  assert.equal(lines.filter((l) => l.includes('WARN') && l.includes('flood')).length, 1);
});
