/**
 * The relay's counters per Call, stream and peer: what tests, benchmarks and logs read to see where packets went.
 * The Telephony Server's CallMedia port does not carry them; they are the relay's own observability.
 */

/** Counters of one peer of a stream (the Remote Party, a TC). */
export interface MediaLegStats {
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  readonly packetsSent: number;
  readonly bytesSent: number;
  /** Valid RTP (and RTCP) from a source other than this peer's. */
  readonly droppedForeign: number;
  /** Not RTP, a payload type not negotiated, oversized. */
  readonly malformed: number;
  /** Packets that could not be delivered: no common codec, no telephone-event on the receiving side. */
  readonly unroutable: number;
  /** Packets re-encoded for this peer (µ-law ⇄ A-law, or mixed). */
  readonly transcoded: number;
  readonly rtcpReceived: number;
  readonly rtcpSent: number;
  /** RFC 4733 telephone-event packets received from and sent to this peer. */
  readonly eventsReceived: number;
  readonly eventsSent: number;
  /** The SSRC of what the TS sends this peer (one per leg, whatever it relays). */
  readonly ssrc: number;
}

export interface MediaClientStats extends MediaLegStats {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  /** The Media Session whose stream this client receives (shareMedia). */
  readonly sharing?: string;
}

export interface MediaStreamStats {
  /** `audio:0`, `video:0` … */
  readonly key: string;
  readonly type: string;
  /** forward: packets relayed as they come; mix: decoded and mixed every 20 ms. */
  readonly mode: 'forward' | 'mix';
  readonly native: boolean;
  readonly mixing: boolean;
  readonly wanPort?: number;
  readonly homePort?: number;
  readonly remote: MediaLegStats & { readonly latched?: string };
  readonly clients: readonly MediaClientStats[];
  /** Datagrams on the home port from an address that is no TC of the stream (dropped). */
  readonly unknownSource: number;
  /** Datagrams on the home port that are not RTP/RTCP at all. */
  readonly homeMalformed: number;
  /** TS-native media: frames played to and recorded from the Remote Party, telephone-events received. */
  readonly nativeFramesPlayed: number;
  readonly nativeFramesRecorded: number;
  readonly nativeEvents: number;
}

export interface CallMediaStats {
  readonly callID: string;
  readonly closed: boolean;
  readonly streams: readonly MediaStreamStats[];
}

/**
 * The relay's packet totals (for metrics): RTP packets sent on to a peer (forwarded, transcoded or mixed), and the
 * datagrams dropped by why. They only grow: a TC's leg that leaves a stream keeps its share in the stream.
 */
export interface RelayPacketTotals {
  readonly relayed: number;
  /** From a source that is not the stream's peer: not the latched Remote Party, no TC of the stream. */
  readonly foreign: number;
  /** Not RTP/RTCP, a payload type not negotiated, oversized. */
  readonly malformed: number;
  /** No common codec, no telephone-event on the receiving side. */
  readonly unroutable: number;
}

export const noPackets: RelayPacketTotals = { relayed: 0, foreign: 0, malformed: 0, unroutable: 0 };

export function addPacketTotals(a: RelayPacketTotals, b: RelayPacketTotals): RelayPacketTotals {
  return { relayed: a.relayed + b.relayed, foreign: a.foreign + b.foreign, malformed: a.malformed + b.malformed, unroutable: a.unroutable + b.unroutable };
}
