/**
 * A Media Session's browser leg: one werift RTCPeerConnection with one audio transceiver (sendrecv), offered by the
 * hub with its ICE candidates gathered (no trickle), the browser answering. It carries RTP as it comes — G.711 and
 * telephone-event under the numbers the hub offered — and reports when the connection fails or closes.
 */
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, SessionDescription, type RtpPacket } from 'werift';
import type { BrowserCodec } from './payload-map.js';

export interface BrowserLegOptions {
  /** The host addresses offered as ICE candidates (the interfaces the browser reaches the hub on); no STUN, no TURN. */
  readonly iceAddresses: readonly string[];
  /** The UDP ports werift binds for ICE, inclusive; default any. */
  readonly icePortRange?: readonly [number, number];
  /** What to offer, in order of preference. */
  readonly codecs: readonly BrowserCodec[];
  /** Longest wait for ICE gathering; default 5000 ms. */
  readonly gatherTimeoutMs?: number;
}

const isIpv6 = (a: string): boolean => a.includes(':');
const isLoopback = (a: string): boolean => a.startsWith('127.') || a === '::1';

/** Candidate pairs on the configured addresses only; a loopback candidate reaches nothing but loopback. */
function pairAllowed(allowed: ReadonlySet<string>, local: string, remote: string): boolean {
  return allowed.has(local) && (!isLoopback(local) || isLoopback(remote));
}

export class BrowserLeg {
  /** An RTP packet from the browser. */
  onRtp?: (packet: RtpPacket) => void;
  /** The peer connection failed or closed on its own (not by close()). */
  onEnd?: (reason: string) => void;

  private accepted: BrowserCodec[] = [];
  private closing = false;

  private constructor(
    private readonly pc: RTCPeerConnection,
    private readonly transceiver: ReturnType<RTCPeerConnection['addTransceiver']>,
    private readonly codecs: readonly BrowserCodec[],
    /** The hub's offer, candidates and all. */
    readonly offer: string,
  ) {
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => this.onRtp?.(rtp));
    });
    pc.connectionStateChange.subscribe((state) => {
      if ((state === 'failed' || state === 'closed') && !this.closing) this.onEnd?.(`the browser's peer connection ${state === 'failed' ? 'failed' : 'closed'}`);
    });
  }

  /** A peer connection with the hub's offer made and its ICE candidates gathered. */
  static async create(o: BrowserLegOptions): Promise<BrowserLeg> {
    if (o.iceAddresses.length === 0) throw new RangeError('no ICE host address to offer');
    const allowed = new Set(o.iceAddresses);
    const v4 = o.iceAddresses.find((a) => !isIpv6(a));
    const v6 = o.iceAddresses.find(isIpv6);
    const pc = new RTCPeerConnection({
      codecs: {
        audio: o.codecs.map((c) => new RTCRtpCodecParameters({ mimeType: `audio/${c.encodingName}`, clockRate: c.clockRate, channels: 1, payloadType: c.payloadType })),
        video: [],
      },
      headerExtensions: { audio: [], video: [] },
      iceServers: [],
      iceUseIpv4: v4 !== undefined,
      iceUseIpv6: v6 !== undefined,
      iceUseTcp: false,
      // Sockets bind to the configured addresses; werift also adds every other interface's address as a candidate
      // when the configured one is loopback, so candidates and pairs are kept to the configured ones below.
      iceInterfaceAddresses: { ...(v4 !== undefined ? { udp4: v4 } : {}), ...(v6 !== undefined ? { udp6: v6 } : {}) },
      iceAdditionalHostAddresses: [...o.iceAddresses],
      iceFilterCandidatePair: (pair) => pairAllowed(allowed, pair.localCandidate.host, pair.remoteCandidate.host),
      ...(o.icePortRange ? { icePortRange: [o.icePortRange[0], o.icePortRange[1]] as [number, number] } : {}),
    });
    try {
      const transceiver = pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendrecv' });
      const gathered = pc.iceGatheringStateChange.watch((s) => s === 'complete', o.gatherTimeoutMs ?? 5000);
      await pc.setLocalDescription(await pc.createOffer());
      if (pc.iceGatheringState !== 'complete') await gathered;
      const local = pc.localDescription;
      if (!local) throw new Error('werift made no offer');
      const sdp = SessionDescription.parse(local.sdp);
      for (const m of sdp.media) m.iceCandidates = m.iceCandidates.filter((c) => allowed.has(c.ip));
      if (sdp.media.every((m) => m.iceCandidates.length === 0)) throw new Error(`no ICE candidate on ${o.iceAddresses.join(', ')}`);
      return new BrowserLeg(pc, transceiver, o.codecs, sdp.string);
    } catch (e) {
      await pc.close().catch(() => undefined);
      throw e;
    }
  }

  /** Takes the browser's answer; resolves with the codecs it accepted (those of the offer it kept). */
  async accept(answer: string): Promise<readonly BrowserCodec[]> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    const kept = this.transceiver.codecs;
    this.accepted = this.codecs.filter((c) => kept.some((k) => k.payloadType === c.payloadType && k.name.toLowerCase() === c.encodingName.toLowerCase()));
    if (!this.accepted.some((c) => c.encodingName !== 'telephone-event')) throw new Error('the browser accepted neither PCMU nor PCMA');
    return this.accepted;
  }

  get connectionState(): RTCPeerConnection['connectionState'] {
    return this.pc.connectionState;
  }

  /**
   * Sends one RTP datagram from the TS leg as `codec`. werift stamps every packet with its sender's codec, so the
   * codec is switched per packet (a G.711 law change, a telephone-event); false when nothing could be sent yet.
   */
  send(datagram: Buffer, codec: BrowserCodec): boolean {
    const sender = this.transceiver.sender;
    if (this.pc.connectionState !== 'connected') return false;
    const negotiated = this.transceiver.codecs.find((k) => k.payloadType === codec.payloadType);
    if (!negotiated) return false;
    sender.codec = negotiated;
    sender.sendRtp(datagram).catch(() => undefined);
    return true;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Best effort: werift releases its sockets either way.
    await this.pc.close().catch(() => undefined);
  }
}
