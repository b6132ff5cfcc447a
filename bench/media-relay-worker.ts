/**
 * hometel's RTP relay in a process of its own for the media benchmark (bench/media-relay.ts), so that its CPU is
 * measured apart from the load generator's: a RelayMediaPlane on 127.0.0.1 over a PortPool, driven over the
 * fork() IPC channel. Each call is set up as the Telephony Server does for an outgoing call with TC-based media:
 * wanSdp(the first TC's SDP) → setRemote(the Remote Party's answer) → homeSdp → setClients(the TCs).
 *
 *   node --import tsx bench/media-relay-worker.ts <portMin> <portMax>
 *
 * Messages in: { id, cmd: 'open', calls: [{ remotePort, tcPorts, mixing }] } → { id, ok, result: [{ wanPort, homePort }] }
 *              { id, cmd: 'close' } → { id, ok, result: RelayTotals }    (closes every call)
 * It exits when the parent disconnects.
 */
import { pathToFileURL } from 'node:url';
import { systemClock } from '../src/base/clock.js';
import { createLogger } from '../src/base/logger.js';
import { PortPool } from '../src/media/endpoint/port-pool.js';
import { RelayMediaPlane } from '../src/media/bridge/index.js';
import { parseStreams } from '../src/media/sdp/index.js';
import type { RelaySession } from '../src/media/index.js';
import { errorDetail } from '../src/base/index.js';

export interface OpenCall {
  readonly remotePort: number;
  readonly tcPorts: readonly number[];
  readonly mixing: boolean;
}

export interface OpenedCall {
  readonly wanPort: number;
  readonly homePort: number;
}

/** Counters summed over every call's legs, read just before closing them. */
export interface RelayTotals {
  readonly received: number;
  readonly sent: number;
  /** Dropped: foreign source, malformed, unroutable, unknown source on the home port. */
  readonly dropped: number;
  readonly mixedStreams: number;
}

export type WorkerCommand = { readonly cmd: 'open'; readonly calls: readonly OpenCall[] } | { readonly cmd: 'close' };
export type WorkerRequest = { readonly id: number } & WorkerCommand;
export type WorkerReply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** The SDP of a generator socket on 127.0.0.1: PCMU only, 20 ms (no telephone-event: nothing sends any). */
export function pcmuSdp(port: number): string {
  return ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=ptime:20', 'a=sendrecv', '']
    .join('\r\n');
}

function audioPort(sdp: string): number {
  const s = parseStreams(sdp).find((x) => x.type === 'audio');
  if (!s || s.port === 0) throw new Error(`no audio port in\n${sdp}`);
  return s.port;
}

async function main(): Promise<void> {
  const [min, max] = process.argv.slice(2).map(Number);
  if (!min || !max) throw new Error('usage: media-relay-worker.ts <portMin> <portMax>');
  const ports = new PortPool({ min, max });
  const plane = new RelayMediaPlane({ address: '127.0.0.1', ports, clock: systemClock, logger: createLogger({ level: 'warn', component: 'relay' }) });
  const calls: RelaySession[] = [];
  let next = 1;

  const open = async (specs: readonly OpenCall[]): Promise<OpenedCall[]> => {
    const out: OpenedCall[] = [];
    for (const spec of specs) {
      const cm = plane.openCall(`bench-${next++}`);
      calls.push(cm);
      const tcs = spec.tcPorts.map((p, i) => ({ mediaSessionID: `ms${i + 1}`, sdp: pcmuSdp(p) }));
      const wan = cm.wanSdp(tcs[0]!.sdp);
      const answer = pcmuSdp(spec.remotePort);
      cm.setRemote(answer, 'answer');
      const home = cm.homeSdp(answer);
      cm.setClients(tcs, { join: false, mixing: spec.mixing });
      out.push({ wanPort: audioPort(wan), homePort: audioPort(home) });
    }
    await Promise.all(calls.map((c) => c.ready()));
    return out;
  };

  const close = async (): Promise<RelayTotals> => {
    let received = 0;
    let sent = 0;
    let dropped = 0;
    let mixedStreams = 0;
    for (const cm of calls) {
      for (const s of cm.stats().streams) {
        if (s.mode === 'mix') mixedStreams++;
        dropped += s.unknownSource + s.homeMalformed;
        for (const l of [s.remote, ...s.clients]) {
          received += l.packetsReceived;
          sent += l.packetsSent;
          dropped += l.droppedForeign + l.malformed + l.unroutable;
        }
      }
    }
    await Promise.all(calls.map((c) => c.close()));
    calls.length = 0;
    if (ports.inUse !== 0) throw new Error(`${ports.inUse} relay port pairs still in use after close`);
    return { received, sent, dropped, mixedStreams };
  };

  process.on('message', (m: WorkerRequest) => {
    const run = m.cmd === 'open' ? open(m.calls) : close();
    run.then(
      (result) => process.send?.({ id: m.id, ok: true, result } satisfies WorkerReply),
      (e: unknown) => process.send?.({ id: m.id, ok: false, error: errorDetail(e) } satisfies WorkerReply),
    );
  });
  process.once('disconnect', () => {
    void plane.close().finally(() => process.exit(0));
  });
  process.send?.({ id: 0, ok: true, result: 'ready' } satisfies WorkerReply);
}

// Only as the forked process: bench/media-relay.ts imports this module for its types and pcmuSdp.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
