/**
 * A Call's media in the relay (RelaySession) without traffic: the TS's WAN offer and answer (RFC 3264: m-lines kept
 * and aligned, rejected streams at port 0, versions), its home SDP, ports from the pool and back, no timer left after
 * close, and the mixer's input buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock, type Clock, type TimerHandle } from '../../src/base/clock.js';
import { silentLogger } from '../../src/base/logger.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { MixInput } from '../../src/media/relay/leg.js';
import { MediaResourceError, RelaySession } from '../../src/media/relay/relay-session.js';
import { parseStreams } from '../../src/media/sdp/index.js';

/** The system clock, counting the timers that are armed and neither fired nor cancelled. */
class CountingClock implements Clock {
  live = 0;
  now(): number {
    return systemClock.now();
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    this.live++;
    let done = false;
    const finish = (): void => {
      if (!done) this.live--;
      done = true;
    };
    const t = systemClock.setTimer(ms, () => {
      finish();
      fn();
    });
    return {
      cancel: () => {
        finish();
        t.cancel();
      },
    };
  }
}

const tcSdp = 'v=0\r\no=- 0 0 IN IP4 192.168.1.11\r\ns=-\r\nc=IN IP4 192.168.1.11\r\nt=0 0\r\nm=audio 11021 RTP/AVP 0 101\r\nc=IN IP4 127.0.0.1\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n';
const videoTc = 'v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 12021 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n';

function session(ports: PortPool, clock: Clock = systemClock): RelaySession {
  return new RelaySession({ callID: 'call-1', address: '127.0.0.1', ports, clock, logger: silentLogger });
}

function summary(sdp: string): string[] {
  return parseStreams(sdp).map((s) => `${s.key} ${s.address}:${s.port === 0 ? 0 : 'P'} ${[...s.codecs.map((c) => c.encodingName.toUpperCase()), ...(s.telephoneEvent ? [`te${s.telephoneEvent.pt}`] : [])].join(',')}`);
}

test('offer: the TS’s address and a WAN port from the pool, the chosen codecs and the other G.711 law; the home SDP has its own port', async () => {
  const ports = new PortPool({ min: 31000, max: 31099 });
  const s = session(ports);
  const wan = s.wanSdp(tcSdp);
  assert.deepEqual(summary(wan), ['audio:0 127.0.0.1:P PCMU,PCMA,te101']);
  const wanPort = parseStreams(wan)[0]!.port;
  assert.ok(wanPort >= 31000 && wanPort % 2 === 0);
  const home = s.homeSdp('v=0\r\nc=IN IP4 10.9.9.9\r\nm=audio 7000 RTP/AVP 8\r\n');
  assert.deepEqual(summary(home), ['audio:0 127.0.0.1:P PCMA,PCMU'], 'the Remote Party’s address never shows');
  assert.notEqual(parseStreams(home)[0]!.port, wanPort);
  assert.equal(ports.inUse, 2);
  assert.equal(s.wanSdp(tcSdp), wan, 'the same offer again is the same SDP, same version');
  await s.ready();
  await s.close();
  assert.equal(ports.inUse, 0);
});

test('re-offer: m-lines are never removed (a dropped stream gets port 0), new ones are appended, the version grows', async () => {
  const ports = new PortPool({ min: 31100, max: 31199 });
  const s = session(ports);
  const first = s.wanSdp(tcSdp + videoTc.replace(/^v=0\r\nc=IN IP4 127.0.0.1\r\n/, ''));
  assert.deepEqual(summary(first).map((l) => l.split(' ')[0]), ['audio:0', 'video:0']);
  s.setRemote('v=0\r\nc=IN IP4 127.0.0.2\r\nm=audio 6000 RTP/AVP 0\r\nm=video 6002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n', 'answer');
  const second = s.wanSdp(tcSdp); // C.25: video removed
  assert.deepEqual(summary(second), ['audio:0 127.0.0.1:P PCMU,PCMA,te101', 'video:0 127.0.0.1:0 '], 'video at port 0, still listed');
  assert.match(second, /m=video 0 RTP\/AVP 96\r\n/);
  assert.equal(parseStreams(second)[0]!.port, parseStreams(first)[0]!.port, 'audio keeps its port');
  assert.match(first, /^o=hometel (\d+) 1 /m);
  assert.match(second, /^o=hometel (\d+) 2 /m);
  await s.close();
  assert.equal(ports.inUse, 0);
});

test('answer: one m-line per offered m-line in order, the offer’s payload numbers, rejected streams at port 0', async () => {
  const ports = new PortPool({ min: 31200, max: 31299 });
  const s = session(ports);
  const offer = [
    'v=0',
    'c=IN IP4 203.0.113.5',
    'm=audio 7000 RTP/AVP 8 9 100',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:100 telephone-event/8000',
    'a=sendonly',
    'm=video 7002 RTP/AVP 96',
    'a=rtpmap:96 H264/90000',
    'm=audio 7004 RTP/SAVP 0',
    '',
  ].join('\r\n');
  s.setRemote(offer, 'offer');
  const home = s.homeSdp(offer);
  assert.deepEqual(summary(home).map((l) => l.split(' ')[0]), ['audio:0', 'video:0', 'audio:1']);
  // The TelCP chose the TC's µ-law audio only; the TS answers with what the offer has (A-law) and rejects the rest.
  const answer = s.wanSdp(tcSdp);
  assert.deepEqual(summary(answer), ['audio:0 127.0.0.1:P PCMA,te100', 'video:0 127.0.0.1:0 ', 'audio:1 127.0.0.1:0 PCMU']);
  assert.match(answer, /m=video 0 RTP\/AVP 96\r\n/);
  assert.match(answer, /m=audio 0 RTP\/SAVP 0\r\n/, 'SRTP is not relayed');
  assert.match(answer, /a=recvonly/, 'sendonly answered recvonly');
  // After the answer, a new wanSdp is an offer again.
  assert.equal(parseStreams(s.wanSdp(tcSdp)).length, 3);
  await s.close();
  assert.equal(ports.inUse, 0);
});

test('no port left: wanSdp throws MediaResourceError and the offer stays to be answered; homeSdp writes port 0; close frees all', async () => {
  const ports = new PortPool({ min: 31300, max: 31301 }); // one pair
  const s = session(ports);
  s.setRemote('v=0\r\nc=IN IP4 127.0.0.2\r\nm=audio 6000 RTP/AVP 0\r\nm=audio 6002 RTP/AVP 0\r\n', 'offer');
  assert.throws(() => s.wanSdp('v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 1 RTP/AVP 0\r\nm=audio 3 RTP/AVP 0\r\n'), MediaResourceError);
  assert.match(s.homeSdp('v=0\r\nc=IN IP4 127.0.0.2\r\nm=audio 6000 RTP/AVP 0\r\n'), /m=audio 0 RTP\/AVP 0/);
  // The offer is still pending: answered now with the first stream only (it has the pair), the second rejected.
  assert.deepEqual(summary(s.wanSdp(tcSdp)), ['audio:0 127.0.0.1:P PCMU', 'audio:1 127.0.0.1:0 PCMU']);
  await s.close();
  assert.equal(ports.inUse, 0);
  assert.match(s.homeSdp(tcSdp), /m=audio 0 /, 'a closed session takes no port');
  assert.equal(ports.inUse, 0);
});

test('close stops every timer (RTCP and mixer) and is idempotent; stats stay readable', async () => {
  const ports = new PortPool({ min: 31400, max: 31499 });
  const clock = new CountingClock();
  const s = session(ports, clock);
  s.wanSdp(tcSdp + videoTc.replace(/^v=0\r\nc=IN IP4 127.0.0.1\r\n/, ''));
  s.setRemote('v=0\r\nc=IN IP4 127.0.0.2\r\nm=audio 6000 RTP/AVP 0\r\nm=video 6002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n', 'answer');
  s.homeSdp(tcSdp);
  s.setNative(['audio']); // the mixer runs
  s.setClients([{ mediaSessionID: 'm1', sdp: videoTc }], { join: false });
  await s.ready();
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(clock.live >= 3, `RTCP timers for two streams and the mixer: ${clock.live}`);
  const st = s.stats();
  assert.deepEqual(st.streams.map((x) => `${x.key} ${x.mode} native=${x.native} clients=${x.clients.length}`), ['audio:0 mix native=true clients=0', 'video:0 forward native=false clients=1']);
  await Promise.all([s.close(), s.close()]);
  assert.equal(clock.live, 0, 'no timer left');
  assert.equal(ports.inUse, 0);
  assert.equal(s.stats().closed, true);
  s.setClients([{ sdp: tcSdp }], { join: true }); // ignored after close
  s.setNative(undefined);
  assert.equal(clock.live, 0);
});

test('MixInput: holds two frames before playing, gives 20 ms frames in timestamp order, drops the oldest beyond six', () => {
  const input = new MixInput();
  const frame = (v: number): Int16Array => new Int16Array(160).fill(v);
  input.push(1, 160, frame(2));
  assert.equal(input.pop(), undefined, 'one frame is not enough to start');
  input.push(1, 0, frame(1)); // arrives late, but before its turn... the buffer plays from the first it saw
  input.push(1, 320, frame(3));
  assert.equal(input.pop()?.[0], 2);
  assert.equal(input.pop()?.[0], 3);
  assert.equal(input.pop(), undefined, 'dry: primes again');
  for (let i = 0; i < 10; i++) input.push(1, 480 + 160 * i, frame(10 + i));
  assert.equal(input.pop()?.[0], 14, 'only the six newest are kept');
  input.clear();
  assert.equal(input.pop(), undefined);
});
