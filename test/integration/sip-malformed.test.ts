/**
 * Acceptance 5 of the SIP line issue: malformed SIP does not hurt the line. 5,000 malformed datagrams (binary
 * and text garbage, truncated messages, bad and huge headers, bad Content-Length, requests that look valid but
 * break RFC 3261's grammar or its mandatory headers) go to the line's UDP port, paced so that the kernel drops
 * none, and a few malformed messages go over TCP. The line drops and counts every datagram without answering
 * it (docs/decisions.md: "on UDP it is dropped and counted"), answers a malformed TCP message 400 when it can
 * and closes the connection; no Call is created; then a call from SIPp and a call to SIPp still complete and
 * the TS still answers its TelCP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { expectSippSuccess, freeLoopbackPort, runSipp, sippCount, startSippUas } from '../support/sipp.js';
import { mediaInfo, remoteOfferSdp, tcAudioSdp } from '../support/telephony-server.js';
import { kernelUdpDrops, startSipTs } from '../support/sip-acceptance.js';
import { waitFor } from '../support/net.js';

const host = '127.0.0.1';
const DATAGRAMS = 5_000;
const SIPP_TIMEOUT_MS = 15_000;

const line = await startSipTs({ mode: 'direct', user: 'home' });
test.after(() => line.stop());

const sender = dgram.createSocket('udp4');
await new Promise<void>((resolve) => sender.bind(0, host, resolve));
const answers: string[] = [];
sender.on('message', (msg) => answers.push(msg.toString('latin1').split('\r\n', 1)[0]!));
test.after(() => new Promise<void>((resolve) => sender.close(() => resolve())));
const senderPort = sender.address().port;

// ------------------------------------------------------------------------------------------ messages

const hex = (n: number): string => randomBytes(n).toString('hex');

/** An INVITE to the line with the header values given (null leaves a header out), before any damage. */
function invite(
  o: { headers?: Record<string, string | null>; startLine?: string; extra?: string[]; body?: string; transport?: 'UDP' | 'TCP'; port?: number } = {},
): string {
  const body = o.body ?? remoteOfferSdp;
  const headers: Record<string, string | null> = {
    Via: `SIP/2.0/${o.transport ?? 'UDP'} ${host}:${o.port ?? senderPort};branch=z9hG4bK${hex(6)};rport`,
    'Max-Forwards': '70',
    From: `"Mallory" <sip:mallory@${host}>;tag=${hex(4)}`,
    To: `<sip:home@${host}:${line.port}>`,
    'Call-ID': `${hex(8)}@${host}`,
    CSeq: `${randomInt(1, 1000)} INVITE`,
    Contact: `<sip:mallory@${host}:${o.port ?? senderPort}>`,
    'Content-Type': 'application/sdp',
    'Content-Length': String(Buffer.byteLength(body)),
    ...o.headers,
  };
  const lines = [o.startLine ?? `INVITE sip:home@${host}:${line.port} SIP/2.0`];
  for (const [name, value] of Object.entries(headers)) if (value !== null) lines.push(`${name}: ${value}`);
  lines.push(...(o.extra ?? []));
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Kinds of malformed datagram; each is malformed by RFC 3261's grammar (section 25), its mandatory headers
 * (8.1.1), its framing (18.3: a datagram shorter than its Content-Length is discarded) or hometel's documented
 * limits (docs/decisions.md: 8 KiB per line, 128 headers).
 */
const kinds: ReadonlyArray<readonly [string, () => Buffer]> = [
  ['binary garbage', () => {
    const b = randomBytes(randomInt(1, 1400));
    b[0] = 0x80 | b[0]!; // never a keep-alive (CR/LF/SP/HT/NUL only)
    return b;
  }],
  ['text garbage', () => Buffer.from(`${hex(randomInt(2, 40))} ${hex(3)}\r\nfoo bar\r\n\r\n${hex(randomInt(0, 200))}`)],
  ['truncated in the head', () => {
    const full = invite();
    return Buffer.from(full.slice(0, randomInt(1, full.indexOf('\r\n\r\n') + 2)));
  }],
  ['truncated in the body', () => {
    const full = invite();
    return Buffer.from(full.slice(0, randomInt(full.indexOf('\r\n\r\n') + 4, full.length)));
  }],
  ['Content-Length larger than the body', () => Buffer.from(invite({ headers: { 'Content-Length': String(Buffer.byteLength(remoteOfferSdp) + randomInt(1, 5000)) } }))],
  ['Content-Length not a number', () => Buffer.from(invite({ headers: { 'Content-Length': ['abc', '-1', '+5', '1e3', '12 34', '0x10', ''][randomInt(0, 7)]! } }))],
  ['Content-Length beyond any size', () => Buffer.from(invite({ headers: { 'Content-Length': '99999999999999999999' } }))],
  ['two Content-Length headers', () => Buffer.from(invite({ extra: [`Content-Length: ${randomInt(0, 10)}`] }))],
  ['a header line over 8 KiB', () => Buffer.from(invite({ extra: [`X-Junk: ${'a'.repeat(randomInt(8_300, 12_000))}`] }))],
  ['a folded header over 8 KiB', () => Buffer.from(invite({ extra: [`X-Fold: start`, ...Array.from({ length: 12 }, () => ` ${'b'.repeat(800)}`)] }))],
  ['more than 128 headers', () => Buffer.from(invite({ extra: Array.from({ length: randomInt(130, 300) }, (_, i) => `X-H${i}: ${i}`) }))],
  ['a 60 KB datagram', () => Buffer.from(invite({ extra: [`X-Big: ${'c'.repeat(60_000)}`] }))],
  ['missing Via', () => Buffer.from(invite({ headers: { Via: null } }))],
  ['missing CSeq', () => Buffer.from(invite({ headers: { CSeq: null } }))],
  ['missing Call-ID', () => Buffer.from(invite({ headers: { 'Call-ID': null } }))],
  ['missing From', () => Buffer.from(invite({ headers: { From: null } }))],
  ['missing To', () => Buffer.from(invite({ headers: { To: null } }))],
  ['missing Max-Forwards', () => Buffer.from(invite({ headers: { 'Max-Forwards': null } }))],
  ['CSeq method not the request method', () => Buffer.from(invite({ headers: { CSeq: `1 ${['BYE', 'ACK', 'CANCEL', 'OPTIONS'][randomInt(0, 4)]!}` } }))],
  ['bad CSeq', () => Buffer.from(invite({ headers: { CSeq: ['abc INVITE', '-1 INVITE', '4294967296 INVITE', '1', '1 INV ITE'][randomInt(0, 5)]! } }))],
  ['bad Via', () => Buffer.from(invite({ headers: { Via: ['nonsense', 'SIP/2.0/UDP', `SIP/2.0/UDP ${host}:99999;branch=z9hG4bKx`, 'SIP/2.0 127.0.0.1'][randomInt(0, 4)]! } }))],
  ['bad From or To', () => Buffer.from(invite({ headers: randomInt(0, 2) ? { From: '<<<' } : { To: `sip:home@${host}>` } }))],
  ['two Call-IDs', () => Buffer.from(invite({ extra: [`Call-ID: ${hex(4)}`] }))],
  ['bad Max-Forwards', () => Buffer.from(invite({ headers: { 'Max-Forwards': ['abc', '-3', '99999999999'][randomInt(0, 3)]! } }))],
  ['bad request line', () => Buffer.from(invite({ startLine: [
    `INVITE  sip:home@${host} SIP/2.0`,
    `INVITE sip:home@${host} SIP/3.0`,
    'INVITE home SIP/2.0',
    `INVITE sip:@@@ SIP/2.0`,
    `INV ITE sip:home@${host} SIP/2.0`,
    `INVITE\tsip:home@${host}\tSIP/2.0`,
    `INVITE sip:home@${host}`,
  ][randomInt(0, 7)]! }))],
  ['bad status line', () => Buffer.from(invite({ startLine: ['SIP/2.0 999 Huh', 'SIP/2.0 20 OK', 'SIP/2.0 abc OK', 'SIP/1.0 200 OK'][randomInt(0, 4)]! }))],
  ['response without CSeq', () => Buffer.from(invite({ startLine: 'SIP/2.0 200 OK', headers: { CSeq: null } }))],
  ['header line without a colon', () => Buffer.from(invite({ extra: ['this is not a header'] }))],
  ['bad header name', () => Buffer.from(invite({ extra: ['Bad Name: x'] }))],
  ['continuation before the first header', () => Buffer.from(`INVITE sip:home@${host} SIP/2.0\r\n folded: nothing\r\n${invite().split('\r\n').slice(1).join('\r\n')}`)],
];

/** Sends every datagram, paced: a pause every 20 datagrams and every 64 KB so the receive buffer never fills. */
async function sendPaced(datagrams: Buffer[]): Promise<void> {
  let sinceBreak = 0;
  for (let i = 0; i < datagrams.length; i++) {
    const d = datagrams[i]!;
    await new Promise<void>((resolve, reject) => sender.send(d, line.port, host, (e) => (e ? reject(e) : resolve())));
    sinceBreak += d.length;
    if (i % 20 === 19 || sinceBreak > 64 * 1024) {
      sinceBreak = 0;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

// ------------------------------------------------------------------------------------------ tests

test(`${DATAGRAMS} malformed datagrams to the line's UDP port are dropped and counted, unanswered, and ring nothing`, async (t) => {
  const udp = line.udp;
  assert.ok(udp, 'the line runs a UdpTransport (captured through wrapTransport)');
  const droppedBefore = udp.droppedCount;
  const kernelBefore = await kernelUdpDrops(line.port);
  const eventsBefore = line.events.all.length;
  const perKind = new Map<string, number>();
  const datagrams: Buffer[] = [];
  for (let i = 0; i < DATAGRAMS; i++) {
    const [name, make] = kinds[i % kinds.length]!;
    datagrams.push(make());
    perKind.set(name, (perKind.get(name) ?? 0) + 1);
  }
  const started = Date.now();
  await sendPaced(datagrams);
  const sentIn = Date.now() - started;
  try {
    await waitFor(() => udp.droppedCount - droppedBefore >= DATAGRAMS, 'every datagram counted', 10_000);
  } catch {
    // Which kinds got through? Send one of each and see which are not counted.
    const passed: string[] = [];
    for (const [name, make] of kinds) {
      const before = udp.droppedCount;
      await sendPaced([make()]);
      await new Promise((r) => setTimeout(r, 50));
      if (udp.droppedCount === before) passed.push(name);
    }
    assert.fail(
      `the line counted ${udp.droppedCount - droppedBefore} of ${DATAGRAMS} malformed datagrams as dropped ` +
        `(kernel drops ${String(kernelBefore)} → ${String(await kernelUdpDrops(line.port))}); kinds not counted: ${passed.join('; ') || 'none on a second try'}; answers: ${answers.slice(0, 5).join(' | ')}`,
    );
  }
  const kernelAfter = await kernelUdpDrops(line.port);
  assert.equal(kernelAfter, kernelBefore, 'the pacing kept the kernel from dropping datagrams (else the counts would prove nothing)');
  assert.equal(udp.droppedCount - droppedBefore, DATAGRAMS, 'each malformed datagram counted once');
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(answers, [], 'no malformed datagram is answered over UDP');
  assert.equal(line.events.all.length, eventsBefore, 'no CallInfo was evented: nothing rang');
  assert.equal(line.ts.sip?.userAgent?.sessions.length, 0, 'no SIP session was created');
  assert.ok(perKind.size === kinds.length);
  t.diagnostic(`sent ${DATAGRAMS} datagrams of ${kinds.length} kinds in ${sentIn} ms`);
});

interface TcpOutcome {
  /** What the line sent back before closing. */
  readonly received: string;
  /** The line closed the connection (we never did). */
  readonly closedByLine: boolean;
}

/** Writes `data` on a fresh TCP connection to the line and waits (at most `waitMs`) for the line to close it. */
function overTcp(data: Buffer | string, waitMs = 4_000): Promise<TcpOutcome> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port: line.port, localAddress: host });
    let received = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ received, closedByLine: false });
    }, waitMs);
    sock.on('connect', () => sock.write(data));
    sock.on('data', (d) => (received += d.toString('latin1')));
    sock.on('error', (e) => {
      // A reset after the line closed is still the line closing.
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') return;
      clearTimeout(timer);
      reject(e);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closedByLine: true });
    });
  });
}

test('malformed messages over TCP: answered 400 when they carry a Via, and the connection closed; a good message before them is answered', async () => {
  const tcp = line.tcp;
  assert.ok(tcp, 'the line runs a TcpTransport');
  const tcpVia = (extra: Parameters<typeof invite>[0] = {}): string => invite({ transport: 'TCP', port: 5999, ...extra });
  const cases: ReadonlyArray<readonly [string, Buffer | string, RegExp | null]> = [
    ['binary garbage', Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x01]), randomBytes(2_000), Buffer.from('\r\n\r\n')]), null],
    ['Content-Length not a number', tcpVia({ headers: { 'Content-Length': 'abc' } }), /^SIP\/2\.0 400 /],
    ['CSeq method not the request method', tcpVia({ headers: { CSeq: '1 BYE' } }), /^SIP\/2\.0 400 /],
    ['a header line over 8 KiB', tcpVia({ extra: [`X-Junk: ${'a'.repeat(9_000)}`] }), /^SIP\/2\.0 (400|513) /],
    ['missing Via', tcpVia({ headers: { Via: null } }), null],
    // 80 KB of head: more than the 128 headers the codec takes, and more than the 64 KiB a connection buffers.
    ['10,000 headers', tcpVia({ extra: Array.from({ length: 10_000 }, () => 'X-A: b') }), /^SIP\/2\.0 (400|513) /],
    // The head of an INVITE that never ends: lines within the limits, 70 KB and no empty line (RFC 3261 18.3 framing).
    ['an endless head (70 KB, no empty line)', `${tcpVia().split('\r\n\r\n')[0]!}\r\n${`X-Long: ${'d'.repeat(7_000)}\r\n`.repeat(10)}`, /^SIP\/2\.0 (400|513) /],
  ];
  const droppedBefore = tcp.droppedCount;
  for (const [name, data, expected] of cases) {
    const outcome = await overTcp(data);
    assert.ok(outcome.closedByLine, `${name}: the line closes the connection`);
    if (expected) assert.match(outcome.received, expected, `${name}: answered (got ${JSON.stringify(outcome.received.slice(0, 80))})`);
    else assert.equal(outcome.received, '', `${name}: nothing a response could be built from (no request line with Via)`);
  }
  assert.equal(tcp.droppedCount - droppedBefore, cases.length, 'each bad connection counted');

  // A well-formed OPTIONS, then garbage on the same connection: the OPTIONS is answered 200, then the line closes.
  const options =
    `OPTIONS sip:home@${host}:${line.port} SIP/2.0\r\nVia: SIP/2.0/TCP ${host}:5999;branch=z9hG4bK${hex(6)}\r\nMax-Forwards: 70\r\n` +
    `From: <sip:probe@${host}>;tag=${hex(4)}\r\nTo: <sip:home@${host}>\r\nCall-ID: ${hex(8)}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  const mixed = await overTcp(`${options}GARBAGE GARBAGE\r\n\r\n`);
  assert.match(mixed.received, /^SIP\/2\.0 200 /, 'the good message before the garbage is answered');
  assert.ok(mixed.closedByLine, 'then the connection is closed');
  assert.equal(line.ts.sip?.userAgent?.sessions.length, 0);
});

// A peer that sends a garbage first line and nothing more must not hold its connection until the idle timeout:
// the transport lets the codec judge the start line before the head is complete.
test(
  'a TCP connection whose first line is already garbage is closed without waiting for the end of the head',
  async () => {
    const tcp = line.tcp;
    assert.ok(tcp);
    const before = tcp.droppedCount;
    const outcome = await overTcp(`\u00ff\u00fe NOT SIP AT ALL\r\nX: y\r\n`, 2_000);
    assert.ok(outcome.closedByLine, 'the line closes the connection after a garbage start line (still open after 2 s)');
    assert.equal(tcp.droppedCount - before, 1);
  },
);

test('after the flood a call from SIPp still completes (UDP): Ringing → AcceptCall → Connected → Disconnected', async () => {
  const caller = 'after-flood';
  const sipp = await runSipp({
    scenario: 'uac-call',
    remote: `${host}:${line.port}`,
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    service: 'home',
    keys: { caller, caller_name: 'After Flood' },
    vars: { hangup: 'sipp', holdms: '500' },
    timeoutMs: SIPP_TIMEOUT_MS,
  });
  const ringing = await line.waitIncoming(caller);
  await line.acceptCall(ringing.callID, mediaInfo(tcAudioSdp));
  await line.waitStatus(ringing.callID, 'Connected');
  await line.waitStatus(ringing.callID, 'Disconnected');
  const result = await sipp.done;
  expectSippSuccess(result, 'SIPp uac-call after the flood');
  assert.equal(result.stats?.successful, 1);
  assert.deepEqual(line.history(ringing.callID), ['Ringing', 'Connected', 'Disconnected']);
});

test('after the flood a call to a SIPp UAS still completes (UDP): Dialing → Calling → Connected → StopCall → Disconnected', async () => {
  const port = await freeLoopbackPort();
  const sipp = await startSippUas({ scenario: 'uas-answer', localPort: port, transport: 'u1', calls: 1, vars: { hangup: 'peer', ringms: '100' }, timeoutMs: SIPP_TIMEOUT_MS });
  const id = await line.startCall(`sip:service@${host}:${port}`, mediaInfo(tcAudioSdp));
  await line.waitStatus(id, 'Connected');
  await line.stopCall(id);
  await line.waitStatus(id, 'Disconnected');
  const result = await sipp.done;
  expectSippSuccess(result, 'SIPp uas-answer after the flood');
  assert.equal(sippCount(result, 'BYE', 'Recv'), 1);
  assert.deepEqual(line.history(id), ['Dialing', 'Calling', 'Connected', 'Disconnected']);
});

test('the TS and its line are still up: GetTelephonyIdentity answers, the line still listens', async () => {
  assert.deepEqual(await line.ts.cm.invoke('GetTelephonyIdentity'), { TelephonyIdentity: `sip:home@${host}:${line.port}` });
  assert.equal(await kernelUdpDrops(line.port) !== undefined, true, 'the UDP socket is still bound');
});
