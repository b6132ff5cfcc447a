/**
 * Helpers for the media relay's tests: the relay plane under test with its port pools (`relayRig`), RtpEndpoints on
 * 127.0.0.1 playing the Remote Party and the TCs, their SDP, and the ports the relay wrote into its own SDP.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/base/clock.js';
import type { Codec } from '../../src/media/codecs/codec.js';
import { pcmu } from '../../src/media/codecs/g711.js';
import { PortPool } from '../../src/media/endpoint/port-pool.js';
import { RtpEndpoint, type RtpEndpointOptions } from '../../src/media/endpoint/rtp-endpoint.js';
import { audibleMs, dominantFrequency, energyAt, meanSquare } from '../../src/media/audio/analysis.js';
import { RelayMediaPlane, type RelayMediaPlaneOptions } from '../../src/media/bridge/index.js';
import { parseStreams } from '../../src/media/sdp/index.js';
import { testLogger } from './net.js';

export const host = '127.0.0.1';

/** Ports of the peers the tests play (the relay has its own pool). */
export function peerPool(min: number): PortPool {
  return new PortPool({ min, max: min + 999 });
}

export interface RelayRig {
  /** The relay's ports: base … base+199. */
  readonly relayPorts: PortPool;
  /** The peers' ports: base+200 … base+1199. */
  readonly peers: PortPool;
  readonly plane: RelayMediaPlane;
  /** Closes the plane, then every port of both pools must be free again (no leak). */
  readonly close: () => Promise<void>;
}

/** A relay plane on 127.0.0.1 (`options` added) and the pools of a test file that starts at port `base`. */
export function relayRig(base: number, options: Partial<RelayMediaPlaneOptions> = {}): RelayRig {
  const relayPorts = new PortPool({ min: base, max: base + 199 });
  const peers = peerPool(base + 200);
  const plane = new RelayMediaPlane({ address: host, ports: relayPorts, clock: systemClock, logger: relayLogger, ...options });
  return {
    relayPorts,
    peers,
    plane,
    close: async () => {
      await plane.close();
      assert.equal(relayPorts.inUse, 0, `relay ports still in use: ${relayPorts.inUsePorts().join(', ')}`);
      assert.equal(peers.inUse, 0);
    },
  };
}

export function openPeer(ports: PortPool, extra: Partial<RtpEndpointOptions> = {}): Promise<RtpEndpoint> {
  return RtpEndpoint.open({ address: host, ports, clock: systemClock, logger: testLogger('peer'), codec: pcmu, ...extra });
}

/** An endpoint's SDP: its address and port, its codecs and telephone-event (payload `te`, default 101; false: none). */
export function sdpOf(ep: { localPort: number }, codecs: readonly Codec[] = [pcmu], opts: { te?: number | false; video?: number } = {}): string {
  const te = opts.te === false ? undefined : (opts.te ?? 101);
  const pts = [...codecs.map((c) => c.payloadType), ...(te !== undefined ? [te] : [])];
  const lines = [
    'v=0',
    `o=- 1 1 IN IP4 ${host}`,
    's=-',
    `c=IN IP4 ${host}`,
    't=0 0',
    `m=audio ${ep.localPort} RTP/AVP ${pts.join(' ')}`,
    ...codecs.map((c) => `a=rtpmap:${c.payloadType} ${c.encodingName}/${c.clockRate}`),
    ...(te !== undefined ? [`a=rtpmap:${te} telephone-event/8000`, `a=fmtp:${te} 0-15`] : []),
    'a=ptime:20',
    'a=sendrecv',
  ];
  if (opts.video !== undefined) lines.push(`m=video ${opts.video} RTP/AVP 96`, 'a=rtpmap:96 H264/90000');
  return lines.map((l) => `${l}\r\n`).join('');
}

/** The port of a stream (`audio`, `video`) in an SDP the relay wrote. */
export function portOf(sdp: string, type = 'audio'): number {
  const s = parseStreams(sdp).find((x) => x.type === type);
  assert.ok(s, `no ${type} stream in\n${sdp}`);
  return s.port;
}

export function payloadTypesOf(sdp: string, type = 'audio'): number[] {
  return parseStreams(sdp).find((x) => x.type === type)?.codecs.map((c) => c.pt) ?? [];
}

/** Resolves when the endpoint's source has played to its end. */
export function sourceEnded(ep: RtpEndpoint): Promise<void> {
  return new Promise((resolve) => (ep.onSourceEnd = resolve));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Dominant frequency within ±5 Hz and sound for at least 80% of `ms`. */
export function assertTone(samples: Int16Array, hz: number, ms: number, what: string): void {
  const f = dominantFrequency(samples, 8000);
  assert.ok(f !== undefined && Math.abs(f - hz) <= 5, `${what}: dominant frequency ${f} Hz, expected ${hz} ± 5`);
  const heard = audibleMs(samples, 8000);
  assert.ok(heard >= 0.8 * ms, `${what}: ${heard} ms of sound, expected at least ${0.8 * ms}`);
}

/** The share of a recording's power at `hz` (1: a pure tone at hz, 0: nothing of it). */
export function share(samples: Int16Array, hz: number): number {
  return energyAt(samples, 8000, hz) / meanSquare(samples);
}

export const relayLogger = testLogger('relay');

export interface PeerSpec {
  readonly ep: { localPort: number; setRemote(remote: { address: string; port: number }): void };
  readonly id: string;
  readonly codecs?: readonly Codec[];
  readonly te?: number | false;
}

/**
 * An outgoing Call's media as the Telephony Server runs it: the first TC's SDP is the chosen media (wanSdp offer),
 * the Remote Party answers with its own SDP, CallInfo's home SDP tells the TCs the home port, StartMediaTransfer
 * gives the relay the TCs. Returns the relay's WAN and home ports; the peers are pointed at them.
 */
export async function connectCall(
  cm: import('../../src/telephony/domain/media-plane.js').CallMedia,
  remote: PeerSpec,
  tcs: readonly PeerSpec[],
  opts: { mixing?: boolean } = {},
): Promise<{ wanPort: number; homePort: number; wanSdp: string; homeSdp: string }> {
  const first = tcs[0] ?? remote;
  const wanSdp = cm.wanSdp(sdpOf(first.ep, first.codecs, { te: first.te ?? 101 }));
  const answer = sdpOf(remote.ep, remote.codecs, { te: remote.te ?? 101 });
  cm.setRemote(answer, 'answer');
  const homeSdp = cm.homeSdp(answer);
  if (tcs.length) cm.setClients(tcs.map((t) => ({ mediaSessionID: t.id, sdp: sdpOf(t.ep, t.codecs, { te: t.te ?? 101 }) })), { join: false, ...(opts.mixing !== undefined ? { mixing: opts.mixing } : {}) });
  await cm.ready();
  const wanPort = portOf(wanSdp);
  const homePort = portOf(homeSdp);
  remote.ep.setRemote({ address: host, port: wanPort });
  for (const t of tcs) t.ep.setRemote({ address: host, port: homePort });
  return { wanPort, homePort, wanSdp, homeSdp };
}
