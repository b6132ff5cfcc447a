/**
 * WebRtcMediaSessions in a process of its own for the WebRTC bridge benchmark (bench/webrtc-bridge.ts), so that the
 * hub's CPU is measured apart from the load generator's and the browser's. Sessions are opened as the
 * MediaManagement service opens them (the TS leg's SDP, negotiated against capabilities()); the browser's
 * signalling goes over the fork() IPC channel to the parent, which holds the page.
 *
 *   node --import tsx bench/webrtc-bridge-worker.ts <portMin> <portMax> <icePortMin> <icePortMax>
 *
 * Messages in:  { cmd: 'open', id, tsPort }, { cmd: 'answer', id, sdp }, { cmd: 'close' } (closes every session)
 * Messages out: { type: 'ready' }, { type: 'offer', id, sdp }, { type: 'opened', id, port }, { type: 'failed', id,
 *               error }, { type: 'closed', counters }
 * It exits when the parent disconnects.
 */
import { pathToFileURL } from 'node:url';
import { errorDetail } from '../src/base/index.js';
import { systemClock } from '../src/base/clock.js';
import { createLogger } from '../src/base/logger.js';
import { PortPool } from '../src/media/endpoint/port-pool.js';
import { intersectCapabilities, parseSdpMedia } from '../src/media/sdp/index.js';
import { WebRtcMediaSessions, type WebRtcMediaCounters } from '../src/media/webrtc/index.js';

const host = '127.0.0.1';

export type BridgeCommand = { cmd: 'open'; id: string; tsPort: number } | { cmd: 'answer'; id: string; sdp: string } | { cmd: 'close' };
export type BridgeEvent =
  | { type: 'ready' }
  | { type: 'offer'; id: string; sdp: string }
  | { type: 'opened'; id: string; port: number }
  | { type: 'failed'; id: string; error: string }
  | { type: 'closed'; counters: WebRtcMediaCounters };

/** The TS leg's offer: PCMU only, so that nothing but G.711 µ-law flows. */
export function tsLegSdp(port: number): string {
  return `v=0\r\no=- 1 1 IN IP4 ${host}\r\ns=bench\r\nc=IN IP4 ${host}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n`;
}

async function main(): Promise<void> {
  const [min, max, iceMin, iceMax] = process.argv.slice(2).map(Number);
  const send = (e: BridgeEvent): void => void process.send?.(e);
  const answers = new Map<string, (sdp: string) => void>();
  const hub = new WebRtcMediaSessions({
    address: host,
    ports: new PortPool({ min: min!, max: max! }),
    iceAddresses: [host],
    icePortRange: [iceMin!, iceMax!],
    clock: systemClock,
    logger: createLogger({ level: 'warn', component: 'webrtc-bench' }),
    maxSessions: 100,
    answerTimeoutMs: 30_000,
    signalling: {
      offer: (id, sdp) =>
        new Promise<string>((resolve) => {
          answers.set(id, resolve);
          send({ type: 'offer', id, sdp });
        }),
      closed: () => undefined,
    },
  });
  const ours = parseSdpMedia(hub.capabilities());
  if (!ours.ok) throw new Error(ours.reason);
  process.on('message', (m: BridgeCommand) => {
    if (m.cmd === 'answer') {
      answers.get(m.id)?.(m.sdp);
      answers.delete(m.id);
    } else if (m.cmd === 'open') {
      const remoteSdp = tsLegSdp(m.tsPort);
      const offered = parseSdpMedia(remoteSdp);
      if (!offered.ok) return send({ type: 'failed', id: m.id, error: offered.reason });
      hub.open({ id: m.id, remoteSdp, media: intersectCapabilities(offered.value, ours.value) }).then(
        (answer) => send({ type: 'opened', id: m.id, port: Number(/^m=audio (\d+)/m.exec(answer)![1]) }),
        (e: unknown) => send({ type: 'failed', id: m.id, error: errorDetail(e) }),
      );
    } else {
      const counters = hub.counters;
      void hub.closeAll().then(() => send({ type: 'closed', counters }));
    }
  });
  process.once('disconnect', () => {
    void hub.closeAll().finally(() => process.exit(0));
  });
  send({ type: 'ready' });
}

// Only as the forked process: bench/webrtc-bridge.ts imports this module for its types.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(errorDetail(e));
    process.exit(1);
  });
}
