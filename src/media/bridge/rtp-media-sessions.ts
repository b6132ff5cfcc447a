/**
 * The Telephony Client's media endpoint: `MediaSessionPort` (telephony/domain/media-session.ts) over real RTP.
 *
 * Each Media Session gets one stream per negotiated media type:
 * - audio: an RtpEndpoint with G.711 (PCMU/PCMA under the offer's payload numbers; the first common codec is sent,
 *   all are accepted), RFC 4733 telephone-event under the offer's number (received digits go to `onDtmf`), the
 *   configured source (a tone, a WAV file, or silence) and sink (a WAV recording per session in `recordDir`, or a
 *   sink the caller makes — tests collect in memory);
 * - video (only when configured: a TC that declares video it only receives): an RtpReceiver that records every
 *   accepted packet whole into an rtpdump file (rtpdump.ts), decodes nothing and sends nothing; it is answered
 *   `a=recvonly`.
 * One stream per media type: a second audio (or video) description of an offer is left out of the answer, as is
 * an audio description whose only common codec is telephone-event.
 *
 * The answer is `restrictSdp` of the TC's own SDP (capabilities()) with this session's ports and directions, and
 * an o= line whose version grows at every modify. Directions follow the offer (RFC 3264 6.1: sendonly ↔ recvonly);
 * a c= of 0.0.0.0 (hold) stops sending. rtcp-mux is not answered (RFC 5761 lets an answerer decline it); a=rtcp
 * names the peer's RTCP port.
 *
 * `modify` keeps the streams whose media type stays (same ports, SSRC, sequence and timestamps — a codec change
 * is a payload type switch), opens streams for new media types first and closes streams whose type is gone only
 * once everything else has succeeded, so a failed modify leaves the session as it was.
 *
 * A session ends on its own — it is closed and reported to the listener — when the peer sends an RTCP BYE for a
 * stream (honoured only after RTP from the current peer, so that a BYE from a leg that a modify replaced does not
 * end the new one), or when a finite source (a WAV file played once) has played to its end.
 *
 * Operations on one session are serialised (a StopMediaSession during a ModifyMediaSession waits for it).
 */
import { join } from 'node:path';
import { errorMessage, type Clock, type Logger } from '../../base/index.js';
import { MediaSessionError, type MediaSessionListener, type MediaSessionOffer, type MediaSessionPort } from '../../telephony/domain/index.js';
import { audioSourceOf, codecByName, g711AudioStream, RtpdumpWriter, RtpEndpoint, RtpReceiver, WavRecorder, type AudioSink, type AudioSource, type AudioSourceConfig, type Codec, type DtmfEvent, type DtmfSendOptions, type PortPool, type RtpAddress, type RtpPacketSink } from '../index.js';
import { isTelephoneEvent, parseStreams, restrictSdp, writeStreams, type Direction, type SdpCodec, type SdpMedia, type SdpOrigin, type SdpStream, type WrittenStream } from '../sdp/index.js';

/** What a TC plays into its sessions: a sine tone, a WAV file (once, or looped), or silence. */
export type TcSourceConfig = AudioSourceConfig;

/** A video codec the TC accepts (and records raw) without decoding. */
export interface TcVideoCodec {
  readonly encodingName: string;
  readonly clockRate: number;
  readonly fmtp?: string;
}

/** H.264 at 90 kHz: the receive-only video a TC declares when video is turned on. */
export const defaultTcVideoCodecs: readonly TcVideoCodec[] = Object.freeze([{ encodingName: 'H264', clockRate: 90000 }]);

export interface RtpMediaSessionsOptions {
  /** The address the TC binds and writes into its SDP (an interface hometel serves). */
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** What each session plays; default silence. A function makes a source per session. */
  readonly source?: TcSourceConfig | ((sessionId: string) => AudioSource);
  /** Recordings go here: `<id>.wav` per audio stream, `<id>.video.rtpdump` per video stream (tcRecordingName). */
  readonly recordDir?: string;
  /** Makes each session's audio sink instead (tests: in memory); a `close()` it has is awaited at the end. */
  readonly audioSink?: (sessionId: string) => AudioSink & { close?(): Promise<void> };
  /** Makes each session's video packet sink instead. */
  readonly videoSink?: (sessionId: string) => RtpPacketSink;
  /** Receive-only video codecs to declare; none (the default) means the TC has no video. */
  readonly video?: readonly TcVideoCodec[];
  /** Sessions open at once; one more open() fails with no-resources. Default 16. */
  readonly maxSessions?: number;
  /** A DTMF digit received on a session's audio. */
  readonly onDtmf?: (sessionId: string, event: DtmfEvent) => void;
  /** RTCP report interval of the audio endpoints (default theirs, 5 s). */
  readonly rtcpIntervalMs?: number;
}

/** The file name of a session's recording: `<id>.wav` (audio) or `<id>.video.rtpdump`, `-<n>` before the extension from the second stream of a kind on. */
export function tcRecordingName(sessionId: string, kind: 'audio' | 'video', n = 1): string {
  const safe = sessionId.replace(/[^A-Za-z0-9._-]/g, '_');
  const suffix = n > 1 ? `-${n}` : '';
  return kind === 'audio' ? `${safe}${suffix}.wav` : `${safe}${suffix}.video.rtpdump`;
}

interface StreamPlan {
  readonly media: SdpMedia;
  /** Where to send (c= and m= port); undefined on hold. */
  readonly remote: RtpAddress | undefined;
  readonly remoteRtcp: RtpAddress | undefined;
  /** Our direction in the answer. */
  readonly direction: Direction;
}

interface AudioPlan extends StreamPlan {
  readonly codec: Codec;
  readonly receiveCodecs: Codec[];
  readonly telephoneEvent: number | null;
}

interface VideoPlan extends StreamPlan {
  readonly payloadTypes: number[];
}

interface Plan {
  readonly audio?: AudioPlan;
  readonly video?: VideoPlan;
  /** The served descriptions, in the offer's order: what the answer carries. */
  readonly media: SdpMedia[];
}

interface AudioStream {
  readonly endpoint: RtpEndpoint;
  readonly source: AudioSource;
  readonly sink: (AudioSink & { close?(): Promise<void> }) | undefined;
  readonly recording?: string;
  plan: AudioPlan;
}

interface VideoStream {
  readonly receiver: RtpReceiver;
  readonly recording?: string;
  plan: VideoPlan;
}

interface Session {
  readonly id: string;
  readonly originId: number;
  version: number;
  audio?: AudioStream;
  video?: VideoStream;
  /** Audio and video streams opened so far (names their recordings). */
  audioCount: number;
  videoCount: number;
  answer: string;
}

/** What tests and status pages can see of an open session. */
export interface RtpMediaSessionView {
  readonly answer: string;
  readonly audio?: { readonly endpoint: RtpEndpoint; readonly codec: Codec; readonly recording?: string };
  readonly video?: { readonly receiver: RtpReceiver; readonly recording?: string };
  /** The RTP ports the session holds (each with RTCP above). */
  readonly ports: readonly number[];
}

/** RFC 4733 events at 8000 Hz, the rate of the TC's G.711 audio. */
const isDtmf = (c: SdpCodec): boolean => isTelephoneEvent(c) && (c.clockRate ?? 8000) === 8000;

export class RtpMediaSessions implements MediaSessionPort {
  private listener?: MediaSessionListener;
  private readonly sessions = new Map<string, Session>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly caps: string;
  private readonly maxSessions: number;
  private readonly log: Logger;
  private nextOrigin = 1;

  constructor(private readonly opts: RtpMediaSessionsOptions) {
    this.log = opts.logger;
    this.maxSessions = opts.maxSessions ?? 16;
    const src = opts.source;
    // A source that cannot be made is a configuration error: say so now, not at the first call.
    if (src !== undefined && typeof src !== 'function') audioSourceOf(src);
    this.caps = this.buildCapabilities();
  }

  capabilities(): string {
    return this.caps;
  }

  setListener(listener: MediaSessionListener): void {
    this.listener = listener;
  }

  /** The ids of the sessions open now. */
  openSessions(): string[] {
    return [...this.sessions.keys()];
  }

  session(id: string): RtpMediaSessionView | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const ports: number[] = [];
    if (s.audio) ports.push(s.audio.endpoint.localPort);
    if (s.video) ports.push(s.video.receiver.localPort);
    return {
      answer: s.answer,
      ...(s.audio ? { audio: { endpoint: s.audio.endpoint, codec: s.audio.plan.codec, ...(s.audio.recording ? { recording: s.audio.recording } : {}) } } : {}),
      ...(s.video ? { video: { receiver: s.video.receiver, ...(s.video.recording ? { recording: s.video.recording } : {}) } } : {}),
      ports,
    };
  }

  /** Sends DTMF digits on a session's audio (RFC 4733); rejects when the session has no audio with telephone-event. */
  async sendDtmf(id: string, digits: string, opts?: DtmfSendOptions): Promise<void> {
    const a = this.sessions.get(id)?.audio;
    if (!a) throw new Error(`no audio in media session ${id}`);
    return a.endpoint.sendDtmf(digits, opts);
  }

  open(offer: MediaSessionOffer): Promise<string> {
    return this.serialize(offer.id, async () => {
      if (this.sessions.has(offer.id)) throw new MediaSessionError('failed', `media session ${offer.id} is already open`);
      if (this.sessions.size >= this.maxSessions) throw new MediaSessionError('no-resources', `${this.maxSessions} media sessions are open`);
      const plan = this.plan(offer);
      this.checkPorts((plan.audio ? 1 : 0) + (plan.video ? 1 : 0));
      const s: Session = { id: offer.id, originId: this.nextOrigin++, version: 0, audioCount: 0, videoCount: 0, answer: '' };
      try {
        if (plan.audio) s.audio = await this.openAudio(s, plan.audio);
        if (plan.video) s.video = await this.openVideo(s, plan.video);
        s.answer = this.answer(s, plan, s.version);
      } catch (e) {
        await this.closeStreams(s.audio, s.video);
        throw this.failure(e, 'open');
      }
      this.sessions.set(s.id, s);
      this.log.info('media session open', { id: s.id, audio: s.audio?.endpoint.localPort, video: s.video?.receiver.localPort, codec: plan.audio?.codec.encodingName });
      return s.answer;
    });
  }

  modify(offer: MediaSessionOffer): Promise<string> {
    return this.serialize(offer.id, async () => {
      const s = this.sessions.get(offer.id);
      if (!s) throw new MediaSessionError('failed', `no media session ${offer.id}`);
      const plan = this.plan(offer);
      this.checkPorts((plan.audio && !s.audio ? 1 : 0) + (plan.video && !s.video ? 1 : 0));
      // Everything that can fail comes first, on the side: new streams, then the answer.
      let audio: AudioStream | undefined;
      let video: VideoStream | undefined;
      let answer: string;
      const counts = { audio: s.audioCount, video: s.videoCount };
      try {
        if (plan.audio && !s.audio) audio = await this.openAudio(s, plan.audio);
        if (plan.video && !s.video) video = await this.openVideo(s, plan.video);
        const ports = { audio: (s.audio ?? audio)?.endpoint.localPort, video: (s.video ?? video)?.receiver.localPort };
        answer = this.answerWith(s, plan, s.version + 1, ports);
      } catch (e) {
        await this.closeStreams(audio, video);
        s.audioCount = counts.audio;
        s.videoCount = counts.video;
        throw this.failure(e, 'modify');
      }
      // Commit.
      const gone: Array<AudioStream | VideoStream> = [];
      if (plan.audio && s.audio) this.updateAudio(s.audio, plan.audio);
      else if (!plan.audio && s.audio) gone.push(s.audio);
      if (plan.video && s.video) this.updateVideo(s.video, plan.video);
      else if (!plan.video && s.video) gone.push(s.video);
      if (!plan.audio) delete s.audio;
      else if (audio) s.audio = audio;
      if (!plan.video) delete s.video;
      else if (video) s.video = video;
      s.version++;
      s.answer = answer;
      await Promise.all(gone.map((g) => this.closeStream(g)));
      this.log.info('media session modified', { id: s.id, audio: s.audio?.endpoint.localPort, video: s.video?.receiver.localPort, codec: s.audio?.plan.codec.encodingName });
      return answer;
    });
  }

  close(id: string): Promise<void> {
    return this.serialize(id, async () => {
      const s = this.sessions.get(id);
      if (!s) return;
      this.sessions.delete(id);
      await this.closeStreams(s.audio, s.video);
      this.log.info('media session closed', { id });
    });
  }

  /** Closes every session (no listener reports: the owner is going away). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }

  // ---------------------------------------------------------------- negotiation

  /** What to run for an offer; `unsupported` when nothing of it can be served after all. */
  private plan(offer: MediaSessionOffer): Plan {
    const remote = parseStreams(offer.remoteSdp);
    let audio: AudioPlan | undefined;
    let video: VideoPlan | undefined;
    const media: SdpMedia[] = [];
    for (const m of offer.media) {
      if (m.type === 'audio' && !audio) {
        const voice = m.codecs
          .map((c) => (c.channels ?? 1) === 1 ? codecByName(c.encodingName, c.clockRate, Number(c.format)) : undefined)
          .filter((c): c is Codec => c !== undefined);
        if (voice.length === 0) continue;
        const te = m.codecs.find(isDtmf);
        const served: SdpMedia = { ...m, codecs: m.codecs.filter((c) => isDtmf(c) || voice.some((v) => v.payloadType === Number(c.format))) };
        audio = { ...this.streamPlan(served, remote, true), codec: voice[0]!, receiveCodecs: voice.slice(1), telephoneEvent: te ? Number(te.format) : null };
        media.push(served);
      } else if (m.type === 'video' && !video && this.opts.video?.length) {
        const served: SdpMedia = { ...m, codecs: m.codecs.filter((c) => /^\d+$/.test(c.format)) };
        if (served.codecs.length === 0) continue;
        video = { ...this.streamPlan(served, remote, false), payloadTypes: served.codecs.map((c) => Number(c.format)) };
        media.push(served);
      }
    }
    if (media.length === 0) throw new MediaSessionError('unsupported', 'no audio or video this Telephony Client can serve');
    return { ...(audio ? { audio } : {}), ...(video ? { video } : {}), media };
  }

  /** The peer's addresses and our direction for one negotiated description, from the remote SDP it came from. */
  private streamPlan(media: SdpMedia, remote: SdpStream[], canSend: boolean): StreamPlan {
    let i = remote.findIndex((r) => r.type === media.type && r.port === media.port);
    if (i < 0) i = remote.findIndex((r) => r.type === media.type);
    const r = i >= 0 ? remote.splice(i, 1)[0] : undefined;
    const ip = r?.address;
    const held = ip === undefined || ip === '0.0.0.0' || ip === '::';
    const address = held ? undefined : ip;
    const theirs: Direction = r?.direction ?? 'sendrecv';
    const theySend = theirs === 'sendrecv' || theirs === 'sendonly';
    const weSend = canSend && (theirs === 'sendrecv' || theirs === 'recvonly');
    const direction: Direction = weSend && theySend ? 'sendrecv' : weSend ? 'sendonly' : theySend ? 'recvonly' : 'inactive';
    const rtcp = r?.rtcp;
    return {
      media,
      remote: address !== undefined ? { address, port: media.port } : undefined,
      remoteRtcp: address !== undefined && rtcp ? rtcp : undefined,
      direction,
    };
  }

  private checkPorts(streams: number): void {
    const free = this.opts.ports.capacity - this.opts.ports.inUse;
    if (streams > free) throw new MediaSessionError('no-resources', `no RTP ports left (${free} free pairs, ${streams} needed)`);
  }

  private failure(e: unknown, what: string): MediaSessionError {
    if (e instanceof MediaSessionError) return e;
    const text = errorMessage(e);
    if (/no free RTP port pair/.test(text)) return new MediaSessionError('no-resources', text);
    this.log.warn(`could not ${what} a media session`, { error: text });
    return new MediaSessionError('failed', text);
  }

  // ---------------------------------------------------------------- SDP

  /**
   * The TC's streams: PCMU, PCMA and telephone-event audio, and the configured video it only receives, at these
   * ports (the capabilities name the pool's first pair) and in these directions.
   */
  private ownStreams(ports: { audio: number; video: number }, directions: { audio?: Direction; video?: Direction } = {}): WrittenStream[] {
    const audio = g711AudioStream(ports.audio, directions.audio);
    const video = this.opts.video ?? [];
    if (video.length === 0) return [audio];
    const codecs = video.map((c, i) => {
      if (!/^[A-Za-z0-9_.-]+$/.test(c.encodingName) || !Number.isInteger(c.clockRate) || c.clockRate <= 0) {
        throw new RangeError(`video codec ${c.encodingName}/${c.clockRate} cannot be written into SDP`);
      }
      return { pt: 96 + i, encodingName: c.encodingName, clockRate: c.clockRate, channels: 1, ...(c.fmtp !== undefined ? { fmtp: c.fmtp.replace(/[\r\n]/g, '') } : {}) };
    });
    return [audio, { type: 'video', port: ports.video, protocol: 'RTP/AVP', codecs, direction: directions.video ?? 'recvonly' }];
  }

  private buildCapabilities(): string {
    const audioPort = this.opts.ports.min;
    return writeStreams(this.origin(0, 0), this.ownStreams({ audio: audioPort, video: audioPort + 2 }));
  }

  private origin(sessionId: number, version: number): SdpOrigin {
    return { username: '-', address: this.opts.address, sessionId, version };
  }

  private answer(s: Session, plan: Plan, version: number): string {
    return this.answerWith(s, plan, version, { audio: s.audio?.endpoint.localPort, video: s.video?.receiver.localPort });
  }

  /** The TC's SDP with this session's origin, ports and directions, restricted to the served media. */
  private answerWith(s: Session, plan: Plan, version: number, ports: { audio: number | undefined; video: number | undefined }): string {
    const own = this.ownStreams(
      { audio: ports.audio ?? this.opts.ports.min, video: ports.video ?? this.opts.ports.min + 2 },
      { audio: plan.audio?.direction, video: plan.video?.direction },
    );
    const sdp = restrictSdp(writeStreams(this.origin(s.originId, version), own), plan.media);
    if (!sdp.ok) throw new MediaSessionError('failed', `cannot write the answer: ${sdp.reason}`);
    return sdp.value;
  }

  // ---------------------------------------------------------------- streams

  private sourceFor(id: string): AudioSource {
    const src = this.opts.source ?? 'silence';
    return typeof src === 'function' ? src(id) : audioSourceOf(src);
  }

  private async openAudio(s: Session, plan: AudioPlan): Promise<AudioStream> {
    const n = ++s.audioCount;
    const source = this.sourceFor(s.id);
    let sink: (AudioSink & { close?(): Promise<void> }) | undefined;
    let recording: string | undefined;
    if (this.opts.audioSink) sink = this.opts.audioSink(s.id);
    else if (this.opts.recordDir !== undefined) {
      recording = join(this.opts.recordDir, tcRecordingName(s.id, 'audio', n));
      const recorder = new WavRecorder(recording);
      try {
        await recorder.ready;
      } catch (e) {
        await recorder.close().catch(() => undefined);
        throw new MediaSessionError('failed', `cannot record to ${recording}: ${errorMessage(e)}`);
      }
      sink = recorder;
    }
    let endpoint: RtpEndpoint;
    try {
      endpoint = await RtpEndpoint.open({
        address: this.opts.address,
        ports: this.opts.ports,
        clock: this.opts.clock,
        logger: this.log.child(`rtp.${s.id}`),
        codec: plan.codec,
        receiveCodecs: plan.receiveCodecs,
        ...(plan.remote ? { remote: plan.remote } : {}),
        ...(plan.remoteRtcp ? { remoteRtcp: plan.remoteRtcp } : {}),
        ...(this.sending(plan) ? { source } : {}),
        ...(sink ? { sink } : {}),
        telephoneEventPayloadType: plan.telephoneEvent,
        ...(this.opts.rtcpIntervalMs !== undefined ? { rtcpIntervalMs: this.opts.rtcpIntervalMs } : {}),
        cname: `${s.id}@${this.opts.address}`,
      });
    } catch (e) {
      await sink?.close?.().catch(() => undefined);
      throw e;
    }
    const stream: AudioStream = { endpoint, source, sink, ...(recording ? { recording } : {}), plan };
    endpoint.onDtmf = (event) => {
      this.log.info('DTMF received', { id: s.id, digit: event.digit ?? `event ${event.event}` });
      this.opts.onDtmf?.(s.id, event);
    };
    endpoint.onSourceEnd = () => this.end(s.id, 'the audio source ended');
    endpoint.onBye = (reason) => {
      // A BYE counts once RTP came from the current peer (not from a leg a modify replaced).
      if (endpoint.latchedRemote && s.audio === stream) this.end(s.id, `the peer ended the audio stream (RTCP BYE${reason ? `: ${reason}` : ''})`);
    };
    return stream;
  }

  private sending(plan: AudioPlan): boolean {
    return plan.remote !== undefined && (plan.direction === 'sendrecv' || plan.direction === 'sendonly');
  }

  private updateAudio(a: AudioStream, plan: AudioPlan): void {
    const old = a.plan;
    a.endpoint.setCodec(plan.codec, plan.receiveCodecs);
    if (plan.telephoneEvent !== old.telephoneEvent) a.endpoint.setTelephoneEventPayloadType(plan.telephoneEvent);
    if (plan.remote && !sameAddress(plan.remote, old.remote)) {
      a.endpoint.setRemote(plan.remote, plan.remoteRtcp);
    }
    a.endpoint.setSource(this.sending(plan) ? a.source : undefined);
    a.plan = plan;
  }

  private async openVideo(s: Session, plan: VideoPlan): Promise<VideoStream> {
    const n = ++s.videoCount;
    let recording: string | undefined;
    let makeSink: ((port: number) => Promise<RtpPacketSink>) | undefined;
    if (this.opts.videoSink) {
      const sink = this.opts.videoSink(s.id);
      makeSink = async () => sink;
    } else if (this.opts.recordDir !== undefined) {
      const path = join(this.opts.recordDir, tcRecordingName(s.id, 'video', n));
      recording = path;
      makeSink = async (port) => {
        const w = new RtpdumpWriter(path, { address: this.opts.address, port, startMs: this.opts.clock.now() });
        try {
          await w.ready;
        } catch (e) {
          await w.close().catch(() => undefined);
          throw new MediaSessionError('failed', `cannot record to ${path}: ${errorMessage(e)}`);
        }
        return w;
      };
    }
    const receiver = await RtpReceiver.open({
      address: this.opts.address,
      ports: this.opts.ports,
      clock: this.opts.clock,
      logger: this.log.child(`video.${s.id}`),
      payloadTypes: plan.payloadTypes,
      ...(plan.remote ? { remote: plan.remote } : {}),
      ...(makeSink ? { sink: makeSink } : {}),
    });
    const stream: VideoStream = { receiver, ...(recording ? { recording } : {}), plan };
    receiver.onBye = (reason) => {
      if (s.video === stream) this.end(s.id, `the peer ended the video stream (RTCP BYE${reason ? `: ${reason}` : ''})`);
    };
    return stream;
  }

  private updateVideo(v: VideoStream, plan: VideoPlan): void {
    v.receiver.setPayloadTypes(plan.payloadTypes);
    if (!sameAddress(plan.remote, v.plan.remote)) v.receiver.setRemote(plan.remote);
    v.plan = plan;
  }

  private async closeStream(stream: AudioStream | VideoStream): Promise<void> {
    try {
      if ('endpoint' in stream) {
        // The endpoint plays out what it holds into the sink before the sink is finished.
        await stream.endpoint.close();
        await stream.sink?.close?.();
      } else {
        await stream.receiver.close();
      }
    } catch (e) {
      this.log.warn('a media stream did not close cleanly', { error: errorMessage(e) });
    }
  }

  private async closeStreams(audio: AudioStream | undefined, video: VideoStream | undefined): Promise<void> {
    await Promise.all([audio ? this.closeStream(audio) : undefined, video ? this.closeStream(video) : undefined]);
  }

  /** The endpoint ends a session on its own: closed, then reported. */
  private end(id: string, reason: string): void {
    void this.serialize(id, async () => {
      const s = this.sessions.get(id);
      if (!s) return;
      this.sessions.delete(id);
      this.log.info('media session ended', { id, reason });
      await this.closeStreams(s.audio, s.video);
      try {
        this.listener?.ended(id, reason);
      } catch (e) {
        this.log.error('media session listener failed', { id, error: errorMessage(e) });
      }
    });
  }

  /** Runs `fn` after every earlier operation on the same session has settled. */
  private serialize<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(id) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return run;
  }
}

function sameAddress(a: RtpAddress | undefined, b: RtpAddress | undefined): boolean {
  return a?.address === b?.address && a?.port === b?.port;
}
