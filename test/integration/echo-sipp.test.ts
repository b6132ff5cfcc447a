/**
 * hometel's echo test endpoint (src/app/echo/) with SIPp as the caller, on 127.0.0.1: SIPp plays a 440 Hz tone
 * (test/peers/sipp/uac-media.xml) and what comes back to its media port is captured by tcpdump (SIPp 3.6.1 does
 * not record); what SIPp sends the echo is captured too, so that every packet can be matched with its echo.
 *
 * 1. SIPp hears its own 440 Hz (± 5 Hz): every packet comes back, payload untouched, on one SSRC of the echo's own
 *    with continuous sequence numbers; SIPp's BYE ends the call, and the log tells who called and how it ended.
 * 2. TCP, and a re-INVITE (accepted with the same port).
 * 3. The echo hangs up by itself after maxSeconds.
 * 4. Beyond maxCalls: 486 Busy Here; a freed slot answers again.
 * 5. Errors: another user 404, no G.711 488, an unknown method 405; on TCP a malformed request 400 and garbage a
 *    closed connection, on UDP garbage no answer at all — and the echo still answers.
 * 6. Stopping the echo ends a running call with BYE.
 * 7. A delayed offer (INVITE without SDP): the echo offers in its 200 and echoes what comes after the ACK.
 *
 * RTP ports 49300–49499 (each test its own range); SIP ports from freeLoopbackPort().
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EchoService, type EchoServiceOptions } from '../../src/app/echo/echo-service.js';
import { defaultConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/base/logger.js';
import { dominantFrequency } from '../../src/media/audio/analysis.js';
import { pcmu } from '../../src/media/codecs/g711.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { parseRtp, serializeRtp, type RtpPacket } from '../../src/media/rtp/packet.js';
import { waitFor } from '../support/net.js';
import { captureUdpTo } from '../support/pcap.js';
import { toneUlaw } from '../support/tones.js';
import { assertTone, sleep } from '../support/relay.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR, type SippOptions } from '../support/sipp.js';

const host = '127.0.0.1';
const uacMedia = path.join(SIPP_SCENARIO_DIR, 'uac-media.xml') as `${string}.xml`;
const SIPP_TIMEOUT_MS = 30_000;

interface RunningEcho {
  readonly echo: EchoService;
  /** Its log lines so far. */
  readonly log: string[];
  /** The first RTP port of its range (the first call's). */
  readonly rtpMin: number;
}

/** An echo endpoint on a free SIP port with RTP ports `rtpMin`–`rtpMin`+19, stopped after the test. */
async function startEcho(t: TestContext, rtpMin: number, o: Partial<EchoServiceOptions> = {}): Promise<RunningEcho> {
  const log: string[] = [];
  const logger = createLogger({ level: 'info', component: 'echo', write: (l) => log.push(l) });
    const defaults = defaultConfig.echo || assert.fail('the default config has an echo endpoint');
  const echo = new EchoService({ ...defaults, host, port: await freeLoopbackPort(), ports: new PortPool({ min: rtpMin, max: rtpMin + 19 }), logger, ...o });
  await echo.start();
  t.after(() => echo.stop());
  return { echo, log, rtpMin };
}

/** SIPp calling the echo (a UAC scenario), with the test's own options. */
async function callEcho(e: RunningEcho, o: Partial<SippOptions> & Pick<SippOptions, 'scenario'>): Promise<Awaited<ReturnType<typeof runSipp>>> {
  return runSipp({ remote: `${host}:${e.echo.port}`, localPort: await freeLoopbackPort(), transport: 'u1', service: 'echo', timeoutMs: SIPP_TIMEOUT_MS, ...o });
}

function rtpOf(datagrams: ReadonlyArray<{ payload: Buffer }>): RtpPacket[] {
  return datagrams.flatMap((d) => {
    const r = parseRtp(d.payload);
    return r.ok ? [r.packet] : [];
  });
}

function endedLine(e: RunningEcho): string {
  return e.log.find((l) => / echo call \d+ ended /.test(l)) ?? '';
}

test('1. SIPp hears its own 440 Hz come back: every packet, payload untouched, on one SSRC of the echo’s own; BYE ends the call', async (t) => {
  const e = await startEcho(t, 49300);
  const mediaPort = await freeLoopbackPort(4);
  const back = await captureUdpTo(mediaPort);
  const there = await captureUdpTo(e.rtpMin);
  const sipp = await callEcho(e, { scenario: uacMedia, mediaPort, files: { 'tone.ulaw': toneUlaw(440) }, vars: { holdms: '3000' }, keys: { caller: 'alice', caller_name: 'Alice' } });
  expectSippSuccess(await sipp.done, 'SIPp calling the echo');
  await sleep(100);
  const toEcho = await there.stop();
  const sent = rtpOf(toEcho);
  const echoed = rtpOf(await back.stop());
  assert.ok(sent.length >= 100, `SIPp sent ${sent.length} RTP packets to the echo`);
  // Every packet that reached the echo while the call lasted comes back (SIPp streams on for a moment after its BYE).
  const endedAt = Date.parse(endedLine(e).split(' ')[0]!);
  const duringCall = rtpOf(toEcho.filter((d) => d.atMs < endedAt - 5)).length;
  assert.ok(echoed.length >= duringCall && echoed.length <= sent.length, `${echoed.length} of ${sent.length} packets came back, ${duringCall} sent while the call lasted`);
  echoed.forEach((p, i) => assert.deepEqual(Buffer.from(p.payload), Buffer.from(sent[i]!.payload), `payload of packet ${i} untouched`));
  const ssrcs = new Set(echoed.map((p) => p.ssrc));
  assert.equal(ssrcs.size, 1, 'one SSRC');
  assert.ok(!ssrcs.has(sent[0]!.ssrc), 'the echo’s own SSRC, not SIPp’s');
  for (let i = 1; i < echoed.length; i++) assert.equal(echoed[i]!.sequenceNumber, (echoed[i - 1]!.sequenceNumber + 1) & 0xffff, `sequence continuous at ${i}`);
  const audio = new Int16Array(echoed.length * 160);
  echoed.forEach((p, i) => audio.set(pcmu.decode(p.payload), i * 160));
  assertTone(audio, 440, echoed.length * 20, 'SIPp hears itself');
  t.diagnostic(`${sent.length} packets sent, ${echoed.length} echoed; dominant ${dominantFrequency(audio, 8000)?.toFixed(1)} Hz`);
  assert.equal(e.echo.activeCalls, 0);
  assert.match(e.log.join('\n'), /echo call 1 from=sip:alice@127\.0\.0\.1:\d+ callId=\S+/);
  assert.match(e.log.join('\n'), new RegExp(`echo call 1 answered rtpPort=${e.rtpMin} payloadTypes=0,8,101 maxSeconds=600`));
  assert.match(endedLine(e), /echo call 1 ended from=sip:alice@127\.0\.0\.1:\d+ reason="the caller hung up" seconds=[23](\.\d)? received=\d+ echoed=\d+/);
});

test('2. over TCP, and a re-INVITE is accepted on the same port', async (t) => {
  const e = await startEcho(t, 49320);
  expectSippSuccess(await (await callEcho(e, { scenario: 'uac-call', transport: 't1', vars: { holdms: '300' } })).done, 'a call over TCP');
  const reinvite = await callEcho(e, { scenario: 'uac-reinvite', vars: { expect_reinvite: '200' } });
  const result = await reinvite.done;
  expectSippSuccess(result, 'a call with a re-INVITE');
  const ports = [...result.messages.matchAll(/^m=audio (\d+) /gm)].map((m) => Number(m[1]));
  assert.ok(ports.length >= 4, `SDP in the messages: ${ports.join(', ')}`);
  assert.equal(new Set(ports.filter((p) => p >= e.rtpMin && p < e.rtpMin + 20)).size, 1, 'the echo keeps its port across the re-INVITE');
  await waitFor(() => e.echo.activeCalls === 0, 'both calls ended');
});

test('3. the echo hangs up by itself after maxSeconds', async (t) => {
  const e = await startEcho(t, 49340, { maxSeconds: 1.5 });
  const started = Date.now();
  const sipp = await callEcho(e, { scenario: uacMedia, mediaPort: await freeLoopbackPort(4), files: { 'tone.ulaw': toneUlaw(440) }, vars: { hangup: 'peer' } });
  expectSippSuccess(await sipp.done, 'SIPp waiting for the echo’s BYE');
  const took = Date.now() - started;
  assert.ok(took >= 1500 && took < 6000, `the call lasted ${took} ms`);
  assert.match(endedLine(e), /reason="maximum duration \(1\.5 s\)" seconds=1\.5/);
});

test('4. beyond maxCalls the echo answers 486 Busy Here; a freed slot answers again', async (t) => {
  const e = await startEcho(t, 49360, { maxCalls: 2 });
  const held = await callEcho(e, { scenario: 'uac-call', calls: 2, rate: 10, maxConcurrent: 2, vars: { holdms: '4000' } });
  await waitFor(() => e.echo.activeCalls === 2, 'two echo calls');
  const busy = await callEcho(e, { scenario: 'uac-rejected', vars: { expect_final: '486' } });
  expectSippSuccess(await busy.done, 'the third call is refused 486');
  assert.match(e.log.join('\n'), /echo call 3 refused .*status=486 why="2 echo calls already"/);
  expectSippSuccess(await held.done, 'the two calls');
  await waitFor(() => e.echo.activeCalls === 0, 'the slots are free');
  expectSippSuccess(await (await callEcho(e, { scenario: 'uac-call', vars: { holdms: '200' } })).done, 'a call after the others ended');
});

// ------------------------------------------------------------------------------------------ raw requests

/** A request to the echo as text: `method` to `user`, with an SDP body when given; `dialog` continues a call. */
function request(
  method: string,
  user: string,
  e: RunningEcho,
  via: { transport: 'UDP' | 'TCP'; port: number },
  sdp?: string,
  dialog: { id?: string; toTag?: string; cseq?: number } = {},
): string {
  const id = dialog.id ?? randomBytes(6).toString('hex');
  const head = [
    `${method} sip:${user}@${host}:${e.echo.port} SIP/2.0`,
    `Via: SIP/2.0/${via.transport} ${host}:${via.port};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
    'Max-Forwards: 70',
    `From: <sip:tester@${host}:${via.port}>;tag=${id}`,
    `To: <sip:${user}@${host}:${e.echo.port}>${dialog.toTag ? `;tag=${dialog.toTag}` : ''}`,
    `Call-ID: ${id}@${host}`,
    `CSeq: ${dialog.cseq ?? 1} ${method}`,
    `Contact: <sip:tester@${host}:${via.port}>`,
    ...(sdp ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(sdp ?? '')}`,
  ];
  return `${head.join('\r\n')}\r\n\r\n${sdp ?? ''}`;
}

/** Writes `text` on a fresh TCP connection to the echo; resolves with what came back once the echo closed it. */
async function overTcp(e: RunningEcho, text: string): Promise<string> {
  const tcp = net.connect(e.echo.port, host);
  let answer = '';
  tcp.on('data', (d) => (answer += d.toString('latin1')));
  tcp.write(text);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the echo did not close the connection; it answered ${JSON.stringify(answer)}`)), 5_000);
    tcp.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return answer;
}

const g729Only = ['v=0', `o=- 1 1 IN IP4 ${host}`, 's=-', `c=IN IP4 ${host}`, 't=0 0', 'm=audio 49498 RTP/AVP 18', 'a=rtpmap:18 G729/8000', ''].join('\r\n');

test('5. errors: another user 404, no G.711 488, an unknown method 405, a malformed request 400 on TCP, garbage no answer; the echo still answers', async (t) => {
  const e = await startEcho(t, 49380);
  expectSippSuccess(await (await callEcho(e, { scenario: 'uac-rejected', service: 'nobody', vars: { expect_final: '404' } })).done, 'an INVITE to another user');
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, host, resolve));
  t.after(() => sock.close());
  const answers: string[] = [];
  sock.on('message', (m) => answers.push(m.toString('latin1').split('\r\n', 1)[0]!));
  const via = { transport: 'UDP' as const, port: sock.address().port };
  const send = (text: string | Buffer): void => void sock.send(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, e.echo.port, host);
  send(request('INVITE', 'echo', e, via, g729Only));
  await waitFor(() => answers.some((a) => / 488 /.test(a)), 'the 488 to an offer without G.711');
  send(request('PUBLISH', 'echo', e, via));
  await waitFor(() => answers.some((a) => / 405 /.test(a)), 'the 405 to an unknown method');
  const before = answers.length;
  send(randomBytes(300));
  send('INVITE sip:echo@nowhere SIP/2.0\r\nVia: garbage\r\n\r\n');
  await sleep(500);
  // (The 488 is retransmitted until an ACK that never comes.)
  assert.deepEqual(answers.slice(before).filter((a) => !/ 488 /.test(a)), [], 'garbage over UDP is dropped without an answer');
  // Over TCP a malformed request (its CSeq names another method) is answered 400; plain garbage closes the connection.
  const tcpViaPort = await freeLoopbackPort();
  const malformed = request('INVITE', 'echo', e, { transport: 'TCP', port: tcpViaPort }).replace(' INVITE\r\nContact', ' BYE\r\nContact');
  assert.match(await overTcp(e, malformed), /^SIP\/2\.0 400 /);
  assert.equal(await overTcp(e, 'HELLO THERE\r\nthis is not SIP\r\n\r\n'), '', 'garbage: the connection is closed without an answer');
  assert.match(e.log.join('\n'), /echo call 1 refused .*status=488 why="no G.711 audio offered"/);
  expectSippSuccess(await (await callEcho(e, { scenario: 'uac-call', vars: { holdms: '200' } })).done, 'a call after the garbage');
});

test('6. stopping the echo ends a running call with BYE', async (t) => {
  const e = await startEcho(t, 49400);
  const sipp = await callEcho(e, { scenario: 'uac-call', vars: { hangup: 'peer' } });
  await waitFor(() => e.echo.activeCalls === 1, 'the call');
  await e.echo.stop();
  expectSippSuccess(await sipp.done, 'SIPp receives the echo’s BYE');
  assert.match(endedLine(e), /reason="hometel stopping"/);
});

test('7. an INVITE without SDP: the echo offers in its 200, and RTP sent after the ACK comes back', async (t) => {
  const e = await startEcho(t, 49420);
  const sip = dgram.createSocket('udp4');
  const rtp = dgram.createSocket('udp4');
  await Promise.all([sip, rtp].map((s) => new Promise<void>((resolve) => s.bind(0, host, resolve))));
  t.after(() => {
    sip.close();
    rtp.close();
  });
  const responses: string[] = [];
  const echoed: RtpPacket[] = [];
  sip.on('message', (m) => responses.push(m.toString('latin1')));
  rtp.on('message', (m) => {
    const r = parseRtp(m);
    if (r.ok) echoed.push(r.packet);
  });
  const via = { transport: 'UDP' as const, port: sip.address().port };
  const id = randomBytes(6).toString('hex');
  const send = (text: string): void => void sip.send(Buffer.from(text, 'latin1'), e.echo.port, host);
  send(request('INVITE', 'echo', e, via, undefined, { id }));
  await waitFor(() => responses.some((r) => r.startsWith('SIP/2.0 200 ')), 'the 200');
  const ok = responses.find((r) => r.startsWith('SIP/2.0 200 '))!;
  const offer = /^m=audio (\d+) RTP\/AVP 0 8 101\r$/m.exec(ok);
  assert.ok(offer, `the echo’s offer in its 200:\n${ok}`);
  const toTag = /^To: .*;tag=([^;\r]+)/m.exec(ok)![1]!;
  const answer = ['v=0', `o=- 1 1 IN IP4 ${host}`, 's=-', `c=IN IP4 ${host}`, 't=0 0', `m=audio ${rtp.address().port} RTP/AVP 0`, ''].join('\r\n');
  send(request('ACK', 'echo', e, via, answer, { id, toTag }));
  for (let seq = 0; seq < 5; seq++) {
    rtp.send(serializeRtp({ payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 42, payload: new Uint8Array(160) }), Number(offer[1]), host);
  }
  await waitFor(() => echoed.length === 5, 'five packets back');
  send(request('BYE', 'echo', e, via, undefined, { id, toTag, cseq: 2 }));
  await waitFor(() => e.echo.activeCalls === 0, 'the call ended by BYE');
  assert.match(endedLine(e), /reason="the caller hung up" .*received=5 echoed=5/);
});
