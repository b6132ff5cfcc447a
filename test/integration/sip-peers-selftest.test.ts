// Self-test of the SIP test peers (test/peers/{sipp,kamailio,baresip}, test/support/{sipp,kamailio,
// baresip}.ts) with each other only - no hometel code. If this fails, the SIP line's tests that use
// these peers cannot be trusted. Everything runs on 127.0.0.1.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { baresipVersion, startBaresip, type Baresip } from '../support/baresip.js';
import { kamailioVersion, startKamailio, type Kamailio } from '../support/kamailio.js';
import {
  expectSippSuccess,
  freeLoopbackPort,
  runSipp,
  sippCount,
  sippMessages,
  sippVersion,
  startSippUas,
  type SippResult,
  type SippScenario,
} from '../support/sipp.js';

const TIMEOUT_MS = 8_000;

test('the SIP peers are installed', async () => {
  // Tests never skip: a missing peer is a failure with an install hint.
  assert.match(await sippVersion(), /^3\.\d+/);
  assert.match(await kamailioVersion(), /^5\.\d+/);
  assert.match(await baresipVersion(), /^1\.\d+/);
});

interface PairCase {
  name: string;
  uas: SippScenario;
  uac: SippScenario;
  uasVars?: Record<string, string>;
  uacVars?: Record<string, string>;
  check?: (uac: SippResult, uas: SippResult) => void;
}

const pairCases: PairCase[] = [
  {
    name: 'answer, caller hangs up',
    uas: 'uas-answer',
    uac: 'uac-call',
    uacVars: { holdms: '100' },
    check: (uac, uas) => {
      assert.equal(sippCount(uac, '180', 'Recv'), 1);
      assert.equal(sippCount(uac, '200', 'Recv'), 2); // INVITE and BYE
      assert.equal(sippCount(uas, 'BYE', 'Recv'), 1);
    },
  },
  {
    name: 'answer, callee hangs up',
    uas: 'uas-answer',
    uac: 'uac-call',
    uasVars: { hangup: 'sipp', holdms: '100' },
    uacVars: { hangup: 'peer' },
    check: (uac, uas) => {
      assert.equal(sippCount(uas, 'BYE', 'Sent'), 1);
      assert.equal(sippCount(uac, 'BYE', 'Recv'), 1);
    },
  },
  {
    name: 'busy (486)',
    uas: 'uas-busy',
    uac: 'uac-rejected',
    uacVars: { expect_final: '486' },
    check: (uac) => assert.equal(sippCount(uac, '486', 'Recv'), 1),
  },
  {
    name: 'not found (404)',
    uas: 'uas-notfound',
    uac: 'uac-rejected',
    uacVars: { expect_final: '404' },
    check: (uac) => assert.equal(sippCount(uac, '404', 'Recv'), 1),
  },
  {
    name: 'decline after ringing (603)',
    uas: 'uas-decline',
    uac: 'uac-rejected',
    uasVars: { ringms: '100' },
    uacVars: { expect_final: '603' },
    check: (uac) => {
      assert.equal(sippCount(uac, '180', 'Recv'), 1);
      assert.equal(sippCount(uac, '603', 'Recv'), 1);
    },
  },
  {
    name: 'no answer, caller cancels (487)',
    uas: 'uas-noanswer',
    uac: 'uac-cancel',
    uacVars: { ringms: '100' },
    check: (uac, uas) => {
      assert.equal(sippCount(uac, '487', 'Recv'), 1);
      assert.equal(sippCount(uas, 'CANCEL', 'Recv'), 1);
    },
  },
  {
    name: 're-INVITE from the callee accepted (200)',
    uas: 'uas-reinvite',
    uac: 'uac-accept-reinvite',
    uasVars: { reinvitems: '50', holdms: '50' },
    check: (uac, uas) => {
      assert.equal(sippCount(uac, 'INVITE', 'Recv'), 1);
      assert.equal(sippCount(uas, 'INVITE', 'Sent'), 1);
    },
  },
  {
    name: 're-INVITE from the callee rejected (488)',
    uas: 'uas-reinvite',
    uac: 'uac-accept-reinvite',
    uasVars: { expect_reinvite: '488', reinvitems: '50', holdms: '50' },
    uacVars: { reinvite_answer: '488' },
    check: (_uac, uas) => assert.equal(sippCount(uas, '488', 'Recv'), 1),
  },
  {
    name: 're-INVITE to the callee accepted (200)',
    uas: 'uas-accept-reinvite',
    uac: 'uac-reinvite',
    uacVars: { reinvitems: '50', holdms: '50' },
    check: (_uac, uas) => assert.equal(sippCount(uas, 'INVITE', 'Recv'), 2),
  },
  {
    name: 're-INVITE to the callee rejected (488)',
    uas: 'uas-accept-reinvite',
    uac: 'uac-reinvite',
    uasVars: { reinvite_answer: '488' },
    uacVars: { expect_reinvite: '488', reinvitems: '50', holdms: '50' },
    check: (uac) => assert.equal(sippCount(uac, '488', 'Recv'), 1),
  },
];

async function runPair(
  transport: 'u1' | 't1',
  c: Pick<PairCase, 'uas' | 'uac' | 'uasVars' | 'uacVars'>,
): Promise<{ uac: SippResult; uas: SippResult }> {
  const uasPort = await freeLoopbackPort();
  const uacPort = await freeLoopbackPort();
  const uasHandle = await startSippUas({
    scenario: c.uas,
    localPort: uasPort,
    transport,
    calls: 1,
    vars: c.uasVars,
    service: 'callee',
    timeoutMs: TIMEOUT_MS,
  });
  const uacHandle = await runSipp({
    scenario: c.uac,
    remote: `127.0.0.1:${uasPort}`,
    localPort: uacPort,
    transport,
    vars: c.uacVars,
    service: 'callee',
    timeoutMs: TIMEOUT_MS,
  });
  const [uac, uas] = await Promise.all([uacHandle.done, uasHandle.done]);
  return { uac, uas };
}

for (const transport of ['u1', 't1'] as const) {
  describe(`SIPp UAC -> SIPp UAS over ${transport === 'u1' ? 'UDP' : 'TCP'}`, () => {
    for (const c of pairCases) {
      test(c.name, async () => {
        const { uac, uas } = await runPair(transport, c);
        expectSippSuccess(uac, `UAC ${c.uac}`);
        expectSippSuccess(uas, `UAS ${c.uas}`);
        assert.equal(uac.exitCode, 0);
        assert.equal(uac.stats?.successful, 1);
        assert.equal(uas.stats?.successful, 1);
        c.check?.(uac, uas);
      });
    }
  });
}

describe('SIPp failure reporting', () => {
  test('an unexpected final response fails the run with exit code 1 and a report', async () => {
    const { uac, uas } = await runPair('u1', { uas: 'uas-busy', uac: 'uac-rejected', uacVars: { expect_final: '603' } });
    expectSippSuccess(uas, 'UAS uas-busy');
    assert.equal(uac.ok, false);
    assert.equal(uac.exitCode, 1);
    assert.equal(uac.stats?.failed, 1);
    assert.match(uac.report(), /FailedRegexpDoesntMatch\(C\)=1/);
  });

  test('a UAS nobody calls is stopped at its timeout and does not count as success', async () => {
    const uas = await startSippUas({
      scenario: 'uas-answer',
      localPort: await freeLoopbackPort(),
      transport: 'u1',
      calls: 1,
      timeoutMs: 300,
    });
    const result = await uas.done;
    assert.equal(result.timedOut, true);
    assert.equal(result.ok, false);
  });
});

// ------------------------------------------------------------------ Kamailio + baresip

const DOMAIN = 'hometel.test';
const USERS = { alice: 'alice-secret', bob: 'bob-secret' };

describe('Kamailio registrar/proxy with baresip and SIPp', () => {
  let kamailio: Kamailio;
  let alice: Baresip;

  before(async () => {
    kamailio = await startKamailio({
      udpPort: await freeLoopbackPort(),
      tcpPort: await freeLoopbackPort(),
      users: USERS,
      domain: DOMAIN,
    });
    alice = await startBaresip({
      port: await freeLoopbackPort(2),
      ctrlPort: await freeLoopbackPort(),
      user: 'alice',
      answerMode: 'auto',
      registrar: { domain: DOMAIN, port: kamailio.udpPort, password: USERS.alice, regint: 300 },
    });
  });

  after(async () => {
    await alice?.stop();
    await kamailio?.stop();
  });

  test('REGISTER without credentials is challenged; right password 200, wrong one 401 again', async () => {
    const client = await RawSipUdp.open();
    try {
      const challenge = await client.register(kamailio.udpPort, 'bob');
      assert.equal(challenge.status, 401);
      const auth = /^WWW-Authenticate: *Digest (.*)$/im.exec(challenge.text)?.[1];
      assert.ok(auth, challenge.text);
      assert.match(auth, new RegExp(`realm="${DOMAIN}"`));
      assert.match(auth, /qop="auth"/);

      const wrong = await client.register(kamailio.udpPort, 'bob', { challenge: auth, password: 'nope' });
      assert.equal(wrong.status, 401);
      const right = await client.register(kamailio.udpPort, 'bob', { challenge: auth, password: USERS.bob });
      assert.equal(right.status, 200, right.text);
      const contacts = await kamailio.waitForRegistrations('bob', 1);
      assert.equal(contacts[0]?.address, `sip:bob@127.0.0.1:${client.port}`);

      const gone = await client.register(kamailio.udpPort, 'bob', { challenge: auth, password: USERS.bob, expires: 0 });
      assert.equal(gone.status, 200, gone.text);
      await kamailio.waitForRegistrations('bob', 0);
    } finally {
      client.close();
    }
  });

  test('baresip registers with digest auth', async () => {
    await alice.waitForRegistration();
    const [contact] = await kamailio.waitForRegistrations('alice', 1);
    assert.match(contact!.address, new RegExp(`^sip:alice[^@]*@127\\.0\\.0\\.1:${alice.port}`));
    assert.equal(contact!.socket, `udp:127.0.0.1:${kamailio.udpPort}`);
  });

  for (const transport of ['u1', 't1'] as const) {
    test(`SIPp calls alice's AOR through Kamailio over ${transport === 'u1' ? 'UDP' : 'TCP'}; baresip auto-answers`, async () => {
      await kamailio.waitForRegistrations('alice', 1);
      const since = alice.mark();
      const kamPort = transport === 'u1' ? kamailio.udpPort : kamailio.tcpPort;
      const sipp = await runSipp({
        scenario: 'uac-call',
        remote: `127.0.0.1:${kamPort}`,
        localPort: await freeLoopbackPort(),
        transport,
        service: 'alice',
        vars: { holdms: '300' },
        timeoutMs: TIMEOUT_MS,
      });
      const result = await sipp.done;
      expectSippSuccess(result, 'SIPp call through Kamailio');
      assert.match(result.messages, /^Record-Route: /m, 'the call went through the proxy');
      await alice.waitForEvent((ev) => ev.type === 'CALL_ESTABLISHED' && ev.direction === 'incoming', 5_000, since);
      await alice.waitForEvent('CALL_CLOSED', 5_000, since);
    });
  }

  test('calls to a known but unregistered user get 480, to an unknown user 404', async () => {
    for (const [service, code] of [
      ['bob', '480'],
      ['nobody', '404'],
    ] as const) {
      const sipp = await runSipp({
        scenario: 'uac-rejected',
        remote: `127.0.0.1:${kamailio.udpPort}`,
        localPort: await freeLoopbackPort(),
        transport: 'u1',
        service,
        vars: { expect_final: code },
        timeoutMs: TIMEOUT_MS,
      });
      expectSippSuccess(await sipp.done, `call to ${service}`);
    }
  });

  test('registered baresip calls a SIPp UAS through Kamailio (INVITE digest-challenged, then relayed)', async () => {
    const uasPort = await freeLoopbackPort();
    const uas = await startSippUas({
      scenario: 'uas-answer',
      localPort: uasPort,
      transport: 'u1',
      calls: 1,
      service: 'dave',
      vars: { hangup: 'sipp', holdms: '300' },
      timeoutMs: TIMEOUT_MS,
    });
    const since = alice.mark();
    const invitesBefore = countInviteLogLines(kamailio.stderr(), uasPort);
    await alice.dial(`sip:dave@127.0.0.1:${uasPort}`);
    await alice.waitForEvent('CALL_ESTABLISHED', 5_000, since);
    await alice.waitForEvent('CALL_CLOSED', 5_000, since);
    const result = await uas.done;
    expectSippSuccess(result, 'SIPp UAS behind Kamailio');
    const invite = sippMessages(result).find((m) => m.direction === 'received' && m.firstLine.startsWith('INVITE '));
    assert.ok(invite, result.messages);
    assert.match(invite.text, /^Record-Route: /m);
    assert.doesNotMatch(invite.text, /^Proxy-Authorization:/im, 'credentials are consumed by the proxy');
    // first INVITE challenged with 407, second one carries credentials
    assert.ok(countInviteLogLines(kamailio.stderr(), uasPort) - invitesBefore >= 2, kamailio.stderr().slice(-3_000));
  });
});

function countInviteLogLines(log: string, port: number): number {
  return log.split('\n').filter((l) => l.includes(`request INVITE sip:dave@127.0.0.1:${port}`)).length;
}

// ------------------------------------------------------------------ baresip <-> SIPp directly

describe('baresip and SIPp directly, without registration', () => {
  let carol: Baresip;

  before(async () => {
    carol = await startBaresip({ port: await freeLoopbackPort(2), ctrlPort: await freeLoopbackPort(), user: 'carol' });
  });

  after(async () => {
    await carol?.stop();
  });

  test('baresip calls a SIPp UAS; SIPp answers and hangs up', async () => {
    const uasPort = await freeLoopbackPort();
    const uas = await startSippUas({
      scenario: 'uas-answer',
      localPort: uasPort,
      transport: 'u1',
      calls: 1,
      service: 'dave',
      vars: { hangup: 'sipp', holdms: '300' },
      timeoutMs: TIMEOUT_MS,
    });
    const since = carol.mark();
    await carol.dial(`sip:dave@127.0.0.1:${uasPort}`);
    await carol.waitForEvent('CALL_RINGING', 5_000, since);
    await carol.waitForEvent('CALL_ESTABLISHED', 5_000, since);
    await carol.waitForEvent('CALL_CLOSED', 5_000, since);
    expectSippSuccess(await uas.done, 'SIPp UAS');
  });

  test('baresip calls a busy SIPp UAS', async () => {
    const uasPort = await freeLoopbackPort();
    const uas = await startSippUas({ scenario: 'uas-busy', localPort: uasPort, transport: 'u1', calls: 1, timeoutMs: TIMEOUT_MS });
    const since = carol.mark();
    await carol.dial(`sip:dave@127.0.0.1:${uasPort}`);
    const closed = await carol.waitForEvent('CALL_CLOSED', 5_000, since);
    assert.match(closed.param ?? '', /486/);
    expectSippSuccess(await uas.done, 'SIPp UAS busy');
  });

  test('SIPp calls baresip; the test answers and hangs up through ctrl_tcp', async () => {
    const since = carol.mark();
    const sipp = await runSipp({
      scenario: 'uac-call',
      remote: `127.0.0.1:${carol.port}`,
      localPort: await freeLoopbackPort(),
      transport: 'u1',
      service: 'carol',
      vars: { hangup: 'peer' },
      timeoutMs: TIMEOUT_MS,
    });
    await carol.waitForEvent('CALL_INCOMING', 5_000, since);
    await carol.answer();
    await carol.waitForEvent('CALL_ESTABLISHED', 5_000, since);
    await carol.hangup();
    await carol.waitForEvent('CALL_CLOSED', 5_000, since);
    const result = await sipp.done;
    expectSippSuccess(result, 'SIPp caller');
    assert.equal(sippCount(result, '180', 'Recv'), 1);
    assert.equal(sippCount(result, 'BYE', 'Recv'), 1);
  });
});

// ------------------------------------------------------------------ raw REGISTER with digest

/** Minimal UDP REGISTER client for the digest test (RFC 2617 MD5, qop=auth). */
class RawSipUdp {
  private cseq = 1;
  private readonly callId = `${randomBytes(8).toString('hex')}@127.0.0.1`;
  private readonly tag = randomBytes(4).toString('hex');

  private constructor(private readonly sock: dgram.Socket) {}

  static async open(): Promise<RawSipUdp> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    return new RawSipUdp(sock);
  }

  get port(): number {
    return this.sock.address().port;
  }

  close(): void {
    this.sock.close();
  }

  async register(
    proxyPort: number,
    user: string,
    auth?: { challenge: string; password: string; expires?: number },
  ): Promise<{ status: number; text: string }> {
    const uri = `sip:${DOMAIN}`;
    const cseq = this.cseq++;
    const headers = [
      `REGISTER ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:${user}@${DOMAIN}>;tag=${this.tag}`,
      `To: <sip:${user}@${DOMAIN}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${user}@127.0.0.1:${this.port}>`,
      `Expires: ${auth?.expires ?? 60}`,
    ];
    if (auth) {
      const param = (name: string): string => new RegExp(`${name}="([^"]*)"`).exec(auth.challenge)?.[1] ?? '';
      const realm = param('realm');
      const nonce = param('nonce');
      const cnonce = randomBytes(4).toString('hex');
      const nc = '00000001';
      const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
      const ha1 = md5(`${user}:${realm}:${auth.password}`);
      const ha2 = md5(`REGISTER:${uri}`);
      const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
      headers.push(
        `Authorization: Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", ` +
          `response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`,
      );
    }
    headers.push('Content-Length: 0', '', '');
    const text = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.sock.off('message', onMessage);
        reject(new Error('no answer to REGISTER'));
      }, 3_000);
      const onMessage = (msg: Buffer): void => {
        const t = msg.toString('latin1');
        const m = /^SIP\/2\.0 (\d{3})/.exec(t);
        if (!m || Number(m[1]) < 200 || !new RegExp(`^CSeq: *${cseq} REGISTER`, 'im').test(t)) return;
        clearTimeout(timer);
        this.sock.off('message', onMessage);
        resolve(t);
      };
      this.sock.on('message', onMessage);
      this.sock.send(headers.join('\r\n'), proxyPort, '127.0.0.1');
    });
    return { status: Number(/^SIP\/2\.0 (\d{3})/.exec(text)![1]), text };
  }
}
