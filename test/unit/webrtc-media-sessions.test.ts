/**
 * WebRtcMediaSessions (src/media/webrtc/): what the browser is offered and how payload numbers cross the legs, the
 * TS-leg answer, and the media path with a werift peer connection standing in for the browser (Chromium is the
 * integration test's peer): PCMA preferred and passed through, telephone-event renumbered both ways, a codec switch
 * by modify, failures that leave nothing open.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, type RtpPacket } from 'werift';
import { systemClock } from '../../src/base/clock.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { parseRtp, serializeRtp } from '../../src/media/rtp/packet.js';
import { intersectCapabilities, parseSdpMedia, type SdpMedia } from '../../src/media/sdp/index.js';
import { browserCodecsFor, PayloadMap, WebRtcMediaSessions, type BrowserSignalling } from '../../src/media/webrtc/index.js';
import { MediaSessionError, type MediaSessionOffer } from '../../src/telephony/domain/index.js';
import { testLogger, waitFor } from '../support/net.js';

const host = '127.0.0.1';
const ports = new PortPool({ min: 27000, max: 27009 });
const hubs: WebRtcMediaSessions[] = [];
const sockets: Socket[] = [];
const browsers: RTCPeerConnection[] = [];

after(async () => {
  await Promise.all(hubs.map((h) => h.closeAll()));
  await Promise.all(browsers.map((b) => b.close()));
  for (const s of sockets) s.close();
  assert.equal(ports.inUse, 0, `ports still in use: ${ports.inUsePorts().join(', ')}`);
});

const audio = (codecs: Array<[string, string]>): SdpMedia => ({
  type: 'audio',
  port: 4000,
  protocol: 'RTP/AVP',
  codecs: codecs.map(([format, encodingName]) => ({ format, encodingName, clockRate: 8000 })),
});

test('the browser is offered both G.711 laws, the TS leg’s first, then telephone-event', () => {
  assert.deepEqual(browserCodecsFor(audio([['8', 'PCMA'], ['0', 'PCMU']])).map((c) => `${c.encodingName}/${c.payloadType}`), ['PCMA/8', 'PCMU/0', 'telephone-event/101']);
  assert.deepEqual(browserCodecsFor(audio([['101', 'telephone-event'], ['0', 'PCMU']])).map((c) => c.encodingName), ['PCMU', 'PCMA', 'telephone-event']);
});

test('payload numbers map by codec name; what one leg lacks maps to nothing', () => {
  const browser = browserCodecsFor(audio([['0', 'PCMU']]));
  const map = new PayloadMap(audio([['0', 'PCMU'], ['100', 'telephone-event']]), browser);
  assert.equal(map.toBrowser(0)?.encodingName, 'PCMU');
  assert.equal(map.toBrowser(100)?.payloadType, 101);
  assert.equal(map.toBrowser(8), undefined, 'PCMA was not negotiated with the TS leg');
  assert.equal(map.toTs(101), 100);
  assert.equal(map.toTs(0), 0);
  assert.equal(map.toTs(8), undefined);
  const withoutEvents = new PayloadMap(audio([['8', 'PCMA']]), browser.filter((c) => c.encodingName !== 'telephone-event'));
  assert.equal(withoutEvents.toTs(101), undefined);
  assert.equal(withoutEvents.toBrowser(8)?.payloadType, 8);
});

// ------------------------------------------------------------------------------------------------ with a werift "browser"

interface FakeBrowser {
  readonly signalling: BrowserSignalling;
  /** RTP the browser received. */
  readonly received: RtpPacket[];
  readonly closed: string[];
  /** Sends from the browser as `payloadType` (one of the offer's). */
  send(payloadType: number, payload: Buffer): Promise<void>;
}

/** A werift peer connection answering the hub's offer as a browser would (G.711 and telephone-event, loopback only). */
function fakeBrowser(opts: { answer?: boolean } = {}): FakeBrowser {
  const received: RtpPacket[] = [];
  const closed: string[] = [];
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [
        new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 }),
        new RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: 8 }),
        new RTCRtpCodecParameters({ mimeType: 'audio/telephone-event', clockRate: 8000, channels: 1, payloadType: 101 }),
      ],
    },
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: host },
    iceAdditionalHostAddresses: [host],
    iceFilterCandidatePair: (pair) => pair.localCandidate.host === host && pair.remoteCandidate.host === host,
  });
  browsers.push(pc);
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => received.push(rtp)));
  let seq = 1;
  return {
    received,
    closed,
    signalling: {
      offer: async (_id, sdp) => {
        if (opts.answer === false) throw new Error('no browser');
        await pc.setRemoteDescription({ type: 'offer', sdp });
        const t = pc.getTransceivers()[0]!;
        t.setDirection('sendrecv');
        await t.sender.replaceTrack(new MediaStreamTrack({ kind: 'audio' }));
        const gathered = pc.iceGatheringStateChange.watch((s) => s === 'complete', 5000);
        await pc.setLocalDescription(await pc.createAnswer());
        if (pc.iceGatheringState !== 'complete') await gathered;
        return pc.localDescription!.sdp;
      },
      closed: (id) => closed.push(id),
    },
    async send(payloadType, payload) {
      const t = pc.getTransceivers()[0]!;
      t.sender.codec = t.codecs.find((c) => c.payloadType === payloadType);
      await t.sender.sendRtp(Buffer.from(serializeRtp({ payloadType, sequenceNumber: seq++, timestamp: seq * 160, ssrc: 0x1234, payload })));
    },
  };
}

function hub(signalling: BrowserSignalling): WebRtcMediaSessions {
  const h = new WebRtcMediaSessions({ address: host, ports, signalling, iceAddresses: [host], clock: systemClock, logger: testLogger('webrtc'), answerTimeoutMs: 3000 });
  hubs.push(h);
  return h;
}

async function tsSocket(): Promise<{ sock: Socket; got: Buffer[] }> {
  const sock = createSocket('udp4');
  sockets.push(sock);
  await new Promise<void>((resolve) => sock.bind(0, host, resolve));
  const got: Buffer[] = [];
  sock.on('message', (d: Buffer) => got.push(d));
  return { sock, got };
}

function offer(h: WebRtcMediaSessions, id: string, tsPort: number, formats: string): MediaSessionOffer {
  const remoteSdp =
    `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=TS\r\nc=IN IP4 ${host}\r\nt=0 0\r\n` +
    `m=audio ${tsPort} RTP/AVP ${formats}\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:100 telephone-event/8000\r\n`;
  const offered = parseSdpMedia(remoteSdp);
  const ours = parseSdpMedia(h.capabilities());
  assert.ok(offered.ok && ours.ok);
  return { id, remoteSdp, media: intersectCapabilities(offered.value, ours.value) };
}

test('capabilities: PCMU, PCMA and telephone-event at the pool’s first port', () => {
  const h = hub(fakeBrowser().signalling);
  assert.match(h.capabilities(), /^m=audio 27000 RTP\/AVP 0 8 101\r$/m);
});

test('media both ways through a werift browser: PCMA passes through, telephone-event is renumbered, modify switches to PCMU', async () => {
  const browser = fakeBrowser();
  const h = hub(browser.signalling);
  const ts = await tsSocket();
  const tsPort = ts.sock.address().port;
  const answer = await h.open(offer(h, 's1', tsPort, '8 0 100'));
  assert.match(answer, /^m=audio 27\d\d\d RTP\/AVP 8 0 100\r$/m);
  const port = Number(/^m=audio (\d+)/m.exec(answer)![1]);
  const fromTs = (pt: number, n: number): void => {
    for (let i = 0; i < n; i++) ts.sock.send(serializeRtp({ payloadType: pt, sequenceNumber: i, timestamp: i * 160, ssrc: 0xabc, payload: new Uint8Array(160).fill(pt) }), port, host);
  };
  // Until the peer connection is up, packets are dropped; keep sending until they arrive.
  await waitFor(() => {
    fromTs(8, 1);
    return browser.received.length > 0;
  }, 'PCMA at the browser');
  assert.equal(browser.received[0]!.header.payloadType, 8);
  assert.equal(browser.received[0]!.payload[0], 8, 'the payload is passed through untouched');

  const before = browser.received.length;
  fromTs(100, 3);
  await waitFor(() => browser.received.slice(before).some((p) => p.header.payloadType === 101), 'telephone-event renumbered 100 → 101');

  await browser.send(101, Buffer.from([1, 0x8a, 0, 160]));
  await browser.send(8, Buffer.alloc(160, 0xd5));
  await waitFor(() => ts.got.length >= 2, 'RTP from the browser at the TS leg');
  const pts = ts.got.map((d) => {
    const r = parseRtp(d);
    assert.ok(r.ok);
    assert.equal(r.packet.extension, undefined, 'no header extensions on the TS leg');
    return r.packet.payloadType;
  });
  assert.deepEqual(pts, [100, 8]);

  const modified = await h.modify(offer(h, 's1', tsPort, '0 100'));
  assert.match(modified, new RegExp(`^m=audio ${port} RTP/AVP 0 100\r$`, 'm'));
  const mark = browser.received.length;
  await waitFor(() => {
    fromTs(0, 1);
    return browser.received.slice(mark).some((p) => p.header.payloadType === 0);
  }, 'PCMU at the browser after modify');
  fromTs(8, 1); // no longer negotiated with the TS leg
  const c = h.counters;
  assert.equal(c.sessions, 1);
  assert.ok(c.packetsToBrowser >= 5 && c.packetsFromBrowser === 2, JSON.stringify(c));

  await h.close('s1');
  assert.deepEqual(browser.closed, ['s1']);
  assert.equal(ports.inUse, 0);
  assert.equal(h.counters.sessions, 0);
});

test('open() fails cleanly: nothing G.711 is unsupported; a browser that cannot answer is failed; ports are released', async () => {
  const h = hub(fakeBrowser({ answer: false }).signalling);
  const eventsOnly = { ...offer(h, 's2', 4000, '100'), media: [audio([['100', 'telephone-event']])] };
  await assert.rejects(h.open(eventsOnly), (e: unknown) => e instanceof MediaSessionError && e.failure === 'unsupported');
  await assert.rejects(h.open(offer(h, 's3', 4000, '0')), (e: unknown) => e instanceof MediaSessionError && e.failure === 'failed' && /did not answer: no browser/.test(e.message));
  assert.equal(ports.inUse, 0);
  assert.deepEqual(h.openSessions(), []);
});
