/**
 * The MediaManagement:1 service of a Telephony Client: Media Sessions between the TC and the TS, started,
 * modified and stopped by the TelCP (CallManagement 2.3.4.1, section 3.1, Appendix C), evented as
 * MediaSessionInfo. It sees typed arguments and returns typed results or a UpnpError; the mms codecs read
 * and write the fragments; capabilities are matched with the shared SDP module (media/sdp); the
 * media endpoint behind the MediaSessionPort does the transport.
 *
 * Behaviour where the printed sequences are silent is decided in docs/decisions.md ("MediaManagement:1").
 */
import { randomBytes } from 'node:crypto';
import { errorDetail, errorMessage, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import { UdaErrorCode, UpnpError, udaError, type OutArgs, type ServiceHandlers, type ServiceImplementation, type ServiceState } from '../../upnp/index.js';
import { checkSubset, intersectCapabilities, normalizeSdp, parseSdpMedia, restrictSdp, type SdpMedia } from '../../media/sdp/index.js';
import { MediaManagementAction as A, mediaManagementContract, mmError, type MediaManagementActionName, type MediaSessionInfo, type MediaSessionStatus } from '../contracts/index.js';
import {
  buildMediaSessionInfo,
  buildMediaSessionInfoList,
  buildMmsMediaCapabilityInfo,
  parseMmsMediaCapabilityInfo,
} from '../contracts/index.js';
import { MediaSessionError, type MediaSessionListener, type MediaSessionPort } from '../domain/index.js';

export interface MediaManagementOptions {
  readonly port: MediaSessionPort;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Sessions open (or opening) at once; one more StartMediaSession answers 708 Busy. */
  readonly maxSessions?: number;
  /** How long a stopped session still answers (Stopped; 712 to Stop/Modify) before its ID is released (703). */
  readonly stoppedRetentionMs?: number;
  /** At most this many stopped sessions are kept for that while; the oldest is released first. */
  readonly maxStoppedRetained?: number;
}

interface Session {
  readonly id: string;
  status: MediaSessionStatus;
  /** The TS leg's SDP (the last offer). */
  remoteSdp: string;
  /** The TC's answer: what MediaSessionInfo and TCMediaCapabilityInfo carry. */
  localSdp: string;
  /** A ModifyMediaSession is waiting for the endpoint. */
  modifying: boolean;
  /** Ended by the endpoint (the TS leg's RTCP BYE, a failure) and not yet by a StopMediaSession. */
  endedByPeer?: boolean;
  timer?: TimerHandle;
}

/** An offer read from a MediaCapabilityInfo argument. */
interface Offer {
  readonly sdp: string;
  readonly media: SdpMedia[];
}

type MediaManagement = typeof mediaManagementContract;
type Out<Action extends MediaManagementActionName> = OutArgs<MediaManagement, Action>;

export class MediaManagementService implements ServiceImplementation<MediaManagement>, MediaSessionListener {
  readonly contract = mediaManagementContract;
  private state?: ServiceState;
  /** Started and (for a while) stopped sessions, in the order they were started. */
  private readonly sessions = new Map<string, Session>();
  private opening = 0;
  private closed = false;
  private readonly idPrefix = randomBytes(3).toString('hex');
  private nextId = 1;
  private readonly maxSessions: number;
  private readonly retentionMs: number;
  private readonly maxRetained: number;

  constructor(private readonly opts: MediaManagementOptions) {
    this.maxSessions = opts.maxSessions ?? 16;
    this.retentionMs = opts.stoppedRetentionMs ?? 60_000;
    this.maxRetained = opts.maxStoppedRetained ?? 256;
    opts.port.setListener(this);
  }

  attach(state: ServiceState): ServiceHandlers<MediaManagement> {
    this.state = state;
    return {
      [A.GetMediaCapabilities]: (a) => ({ SupportedMediaCapabilityInfo: this.getMediaCapabilities(a.TSMediaCapabilityInfo) }),
      [A.StartMediaSession]: (a) => this.startMediaSession(a.TSMediaCapabilityInfo),
      [A.StopMediaSession]: (a) => this.stopMediaSession(a.TargetMediaSessionID),
      [A.ModifyMediaSession]: (a) => this.modifyMediaSession(a.TargetMediaSessionID, a.NewMediaCapabilityInfo),
      [A.GetMediaSessionInfo]: (a) => ({ MediaSessionInfoList: this.getMediaSessionInfo(a.TargetMediaSessionID) }),
    };
  }

  /** The sessions as GetMediaSessionInfo("") lists them (for tests and status pages). */
  list(): MediaSessionInfo[] {
    return [...this.sessions.values()].map((s) => this.info(s));
  }

  /** Stops every timer and closes every open session on the endpoint (no events: the device is going away). */
  async close(): Promise<void> {
    this.closed = true;
    const open: string[] = [];
    for (const s of this.sessions.values()) {
      s.timer?.cancel();
      if (s.status === 'Started') open.push(s.id);
      s.status = 'Stopped';
    }
    this.sessions.clear();
    await Promise.all(open.map((id) => this.closePort(id)));
  }

  // ---------------------------------------------------------------- the endpoint's own reports

  ended(id: string, reason: string): void {
    const s = this.sessions.get(id);
    if (!s || s.status !== 'Started') return;
    this.opts.logger.info('media session ended by the endpoint', { id, reason });
    s.endedByPeer = true;
    this.stopped(s);
  }

  // ---------------------------------------------------------------- actions

  /**
   * Everything the TC supports; with a TSMediaCapabilityInfo, the part of it the TC supports, in the TS's SDP
   * (its order, payload numbers and addresses) — the rule CallManagement's GetMediaCapabilities follows the
   * other way round. Nothing in common: a document without <mediaCapability>.
   */
  private getMediaCapabilities(tsInfo: string): string {
    const own = this.capabilities();
    if (tsInfo.trim() === '') return buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: own.sdp } });
    const offer = this.offer(tsInfo, 'TSMediaCapabilityInfo', true);
    if (!offer) return buildMmsMediaCapabilityInfo({});
    const common = intersectCapabilities(offer.media, own.media);
    const sdp = restrictSdp(offer.sdp, common);
    return buildMmsMediaCapabilityInfo(sdp.ok && common.length ? { mediaCapability: { format: 'SDP', content: sdp.value } } : {});
  }

  private async startMediaSession(tsInfo: string): Promise<Out<'StartMediaSession'>> {
    const offer = this.offer(tsInfo, 'TSMediaCapabilityInfo', false)!;
    const media = this.negotiate(offer);
    if (this.openCount() >= this.maxSessions) throw mmError(708, `${this.maxSessions} media sessions are open`);
    const id = `media-${this.idPrefix}-${this.nextId++}`;
    this.opening++;
    let answer: string;
    try {
      answer = normalizeSdp(await this.opts.port.open({ id, remoteSdp: offer.sdp, media }));
    } catch (e) {
      throw this.portFailure(e, 'open', id);
    } finally {
      this.opening--;
    }
    if (this.closed) {
      await this.closePort(id);
      throw udaError(UdaErrorCode.ActionFailed, 'the Telephony Client is shutting down');
    }
    const bad = this.badAnswer(answer, offer);
    if (bad) {
      this.opts.logger.error('media endpoint answered outside the offer', { id, reason: bad });
      await this.closePort(id);
      throw udaError(UdaErrorCode.ActionFailed);
    }
    const s: Session = { id, status: 'Started', remoteSdp: offer.sdp, localSdp: answer, modifying: false };
    this.sessions.set(id, s);
    this.opts.logger.info('media session', { id, status: s.status });
    this.eventSession(s);
    return { MediaSessionID: id, TCMediaCapabilityInfo: this.capabilityInfo(answer) };
  }

  private async stopMediaSession(target: string): Promise<Out<'StopMediaSession'>> {
    const s = this.find(target);
    // The TS may end a leg first (its RTCP BYE when a Call ends or changes TC, C.13, C.27); the TelCP's
    // StopMediaSession that follows in those sequences still succeeds, once.
    if (s.endedByPeer) {
      s.endedByPeer = false;
      return {};
    }
    if (s.status !== 'Started') throw mmError(712, `${s.id} is ${s.status}`);
    // Stopped before the endpoint is asked, so that a second StopMediaSession meanwhile answers 712.
    s.status = 'Stopped';
    await this.closePort(s.id);
    this.stopped(s, false);
    return {};
  }

  private async modifyMediaSession(target: string, newInfo: string): Promise<Out<'ModifyMediaSession'>> {
    const s = this.find(target);
    if (s.status !== 'Started') throw mmError(712, `${s.id} is ${s.status}`);
    if (s.modifying) throw mmError(712, `${s.id} is being modified`);
    const offer = this.offer(newInfo, 'NewMediaCapabilityInfo', false)!;
    const media = this.negotiate(offer);
    s.modifying = true;
    let answer: string;
    try {
      answer = normalizeSdp(await this.opts.port.modify({ id: s.id, remoteSdp: offer.sdp, media }));
    } catch (e) {
      throw this.portFailure(e, 'modify', s.id);
    } finally {
      s.modifying = false;
    }
    if (s.status !== 'Started') throw mmError(712, `${s.id} stopped while it was being modified`);
    const bad = this.badAnswer(answer, offer);
    if (bad) {
      this.opts.logger.error('media endpoint answered outside the offer', { id: s.id, reason: bad });
      throw udaError(UdaErrorCode.ActionFailed);
    }
    s.remoteSdp = offer.sdp;
    s.localSdp = answer;
    this.opts.logger.info('media session modified', { id: s.id });
    this.eventSession(s);
    return { TCMediaCapabilityInfo: this.capabilityInfo(answer) };
  }

  /** One session, or with an empty TargetMediaSessionID every session the TC knows (started and recently stopped). */
  private getMediaSessionInfo(target: string): string {
    const list = target.trim() === '' ? [...this.sessions.values()] : [this.find(target)];
    return buildMediaSessionInfoList(list.map((s) => this.info(s)));
  }

  // ---------------------------------------------------------------- helpers

  private find(target: string): Session {
    const id = target.trim();
    const s = this.sessions.get(id);
    if (!s) throw mmError(703, id === '' ? 'empty TargetMediaSessionID' : `no media session "${id}"`);
    return s;
  }

  private openCount(): number {
    let n = this.opening;
    for (const s of this.sessions.values()) if (s.status === 'Started') n++;
    return n;
  }

  private capabilities(): Offer {
    const sdp = normalizeSdp(this.opts.port.capabilities());
    const media = parseSdpMedia(sdp);
    if (!media.ok) {
      this.opts.logger.error('media endpoint capabilities are not SDP', { reason: media.reason });
      throw udaError(UdaErrorCode.ActionFailed);
    }
    return { sdp, media: media.value };
  }

  /**
   * Reads a MediaCapabilityInfo argument: 402 when it is not the fragment, 707 when it is empty or its
   * capability is missing or not SDP. With `optional`, a document without <mediaCapability> gives undefined.
   */
  private offer(text: string, what: string, optional: boolean): Offer | undefined {
    if (text.trim() === '') throw mmError(707, `empty ${what}`);
    const parsed = parseMmsMediaCapabilityInfo(text);
    if (!parsed.ok) throw new UpnpError(402, 'Invalid Args');
    const m = parsed.value.mediaCapability;
    if (!m) {
      if (optional) return undefined;
      throw mmError(707, `${what} has no <mediaCapability>`);
    }
    if (m.format !== undefined && m.format !== 'SDP') throw mmError(707, `${what}: format ${String(m.format)}`);
    const media = parseSdpMedia(m.content);
    if (!media.ok) throw mmError(707, `${what}: ${media.reason}`);
    return { sdp: m.content, media: media.value };
  }

  /** The offer's media that the TC can serve, with the codecs both have (707 when nothing is left). */
  private negotiate(offer: Offer): SdpMedia[] {
    const media = intersectCapabilities(offer.media, this.capabilities().media);
    if (media.length === 0) throw mmError(707, 'nothing in the offer is supported by this Telephony Client');
    return media;
  }

  /** Why an endpoint's answer cannot go on the wire (not SDP, no media, or media the offer did not have). */
  private badAnswer(answer: string, offer: Offer): string | undefined {
    const media = parseSdpMedia(answer);
    if (!media.ok) return media.reason;
    if (!media.value.some((m) => m.port !== 0)) return 'no media';
    const subset = checkSubset(media.value, offer.media);
    return subset.ok ? undefined : subset.reason;
  }

  private portFailure(e: unknown, what: string, id: string): UpnpError {
    if (e instanceof MediaSessionError) {
      this.opts.logger.warn(`media endpoint could not ${what} a session`, { id, failure: e.failure, reason: e.message });
      if (e.failure === 'no-resources') return mmError(708, e.message);
      if (e.failure === 'unsupported') return mmError(707, e.message);
      return udaError(UdaErrorCode.ActionFailed);
    }
    this.opts.logger.error(`media endpoint failed to ${what} a session`, { id, error: errorDetail(e) });
    return udaError(UdaErrorCode.ActionFailed);
  }

  private async closePort(id: string): Promise<void> {
    try {
      await this.opts.port.close(id);
    } catch (e) {
      this.opts.logger.warn('media endpoint failed to close a session', { id, error: errorMessage(e) });
    }
  }

  /** A session has stopped: evented, kept for a while so that its ID answers Stopped/712, then released. */
  private stopped(s: Session, setStatus = true): void {
    if (setStatus) s.status = 'Stopped';
    this.opts.logger.info('media session', { id: s.id, status: s.status });
    this.eventSession(s);
    const stopped = [...this.sessions.values()].filter((x) => x.status === 'Stopped' && x.timer !== undefined);
    while (stopped.length >= this.maxRetained) {
      const oldest = stopped.shift()!;
      oldest.timer?.cancel();
      this.sessions.delete(oldest.id);
    }
    s.timer = this.opts.clock.setTimer(this.retentionMs, () => this.sessions.delete(s.id));
  }

  private info(s: Session): MediaSessionInfo {
    return { mediaSessionID: s.id, mediaSessionStatus: s.status, mediaCapability: { format: 'SDP', content: s.localSdp } };
  }

  private capabilityInfo(sdp: string): string {
    return buildMmsMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: sdp } });
  }

  /**
   * Events the session as it is now, after the action's response has gone out (as every Appendix C example
   * shows); one event per change, in order, so that a Started is never overtaken by its Stopped.
   */
  private eventSession(s: Session): void {
    const value = buildMediaSessionInfo(this.info(s));
    this.opts.clock.setTimer(0, () => {
      if (!this.closed) this.state?.set({ MediaSessionInfo: value });
    });
  }
}
