/**
 * Each Call's media in the RTP media plane (when the TS has one): opened with the Call, the TS's WAN SDP for the
 * Remote Party, the home SDP CallInfo shows for it, and closed (ports returned) whatever path the Call took.
 */
import { errorMessage, type Logger } from '../../base/index.js';
import { UpnpError } from '../../upnp/index.js';
import { cmError } from '../contracts/index.js';
import type { Call, CallMedia, MediaClient, MediaPlane } from '../domain/index.js';
import { sdpPerSection } from '../../media/sdp/index.js';

/** A Call's media in the media plane, and the home SDP last shown for each SDP (kept for after it closed). */
interface CallMediaRecord {
  readonly media: CallMedia;
  closed: boolean;
  readonly shown: Map<string, string>;
}

export class CallMediaRecords {
  private readonly records = new Map<string, CallMediaRecord>();

  constructor(
    private readonly plane: MediaPlane | undefined,
    private readonly log: Logger,
  ) {}

  /** Opens a Call's media in the media plane (nothing without one). */
  open(callID: string): CallMedia | undefined {
    const media = this.plane?.openCall(callID);
    if (media) this.records.set(callID, { media, closed: false, shown: new Map() });
    return media;
  }

  /** The Call's media while it runs. */
  of(call: Call): CallMedia | undefined {
    const r = this.records.get(call.callID);
    return r && !r.closed ? r.media : undefined;
  }

  /** Whether the Call has (or had) media in the plane. */
  has(callID: string): boolean {
    return this.records.has(callID);
  }

  /** What CallInfo shows for an SDP of the Call: the TS's home SDP with a media plane, else the SDP itself. */
  homeView(call: Call, sdp: string): string {
    const r = this.records.get(call.callID);
    if (!r) return sdp;
    const cached = r.shown.get(sdp);
    if (r.closed) return cached ?? r.media.homeSdp(sdp);
    const home = r.media.homeSdp(sdp);
    if (cached === undefined && r.shown.size >= 16) r.shown.clear();
    r.shown.set(sdp, home);
    return home;
  }

  /** The TS's WAN SDP for the chosen media; 708 Busy (StartCall) or 501 when no port is left for it. */
  wanSdp(media: CallMedia, chosen: string, callID: string, busy: boolean): string {
    try {
      return media.wanSdp(chosen);
    } catch (e) {
      this.log.warn('no media resources for a call', { callID, error: errorMessage(e) });
      throw busy ? cmError(708, 'no RTP port left') : new UpnpError(501, 'Action Failed');
    }
  }

  /** Stops a Call's media and returns its ports (after whatever path the Call took). */
  close(callID: string): void {
    const r = this.records.get(callID);
    if (!r || r.closed) return;
    r.closed = true;
    r.media.close().catch((e: unknown) => this.log.warn('closing call media failed', { callID, error: errorMessage(e) }));
  }

  /** Closes the media and forgets it (the Call is released, or never came to be). */
  release(callID: string): void {
    this.close(callID);
    this.records.delete(callID);
  }

  closeAll(): void {
    for (const callID of [...this.records.keys()]) this.close(callID);
  }
}

/**
 * The clients of a StartMediaTransfer: each TC of the TCList with its own SDP. One SDP names every TC's address per
 * m-line (C.20 F21: audio at TC1, video at TC2), so with as many m-lines as TCs each TC gets its own m-line (in
 * order); otherwise every TC gets the whole SDP (the relay takes each address once).
 */
export function clientsOf(tcs: ReadonlyArray<{ udn?: string; mediaSessionID?: string }>, sdp: string): MediaClient[] {
  if (tcs.length <= 1) return [{ ...tcs[0], sdp }];
  const parts = sdpPerSection(sdp);
  if (parts.length !== tcs.length) return tcs.map((t) => ({ ...t, sdp }));
  return tcs.map((t, i) => ({ ...t, sdp: parts[i]! }));
}
