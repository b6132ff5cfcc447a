/**
 * A ringing incoming Call taken by a leg the TS placed itself — a bridged forward's call to its target
 * (call-forwarding.ts), a phone of the home rung for it (phone-ringing.ts): the leg is offered the relay's home side
 * of the caller's media; when it answers, the caller is answered and the relay carries caller ↔ leg, the leg being
 * the Call's one client; when either side hangs up, the other is ended.
 */
import type { Call, Line } from '../domain/index.js';
import type { CallMediaRecords } from './call-media.js';
import type { CallTable } from './call-table.js';

export interface RelayBridgeParts {
  /** The caller's line. */
  readonly line: Line;
  readonly calls: CallTable;
  readonly media: CallMediaRecords;
}

/** What a leg is offered: the relay's home side of the caller's media (so the leg's RTP reaches the relay), else the caller's own. */
export function legOffer(p: RelayBridgeParts, caller: Call): string | undefined {
  const media = p.media.of(caller);
  return caller.mediaCapability && media ? media.homeSdp(caller.mediaCapability) : caller.mediaCapability;
}

/**
 * Answers the ringing caller with the leg's answer and has the relay carry caller ↔ leg; the Call goes Connected and
 * Talking, answered by `answeredBy`. Throws (and changes nothing) when the media plane has no resources left for it.
 */
export function answerThroughLeg(p: RelayBridgeParts, caller: Call, legSdp: string | undefined, answeredBy: string | undefined): void {
  const media = p.media.of(caller);
  let answer = legSdp;
  if (media && legSdp) {
    answer = media.wanSdp(legSdp);
    // The leg is the Call's one client: the relay carries caller ↔ leg.
    media.setClients([{ sdp: legSdp }], { mixing: false });
  }
  caller.mediaCapability = legSdp;
  caller.nativeMediaCapability = undefined;
  caller.answeredBy = answeredBy;
  p.line.answer(caller.lineCallId, answer);
  p.calls.move(caller, 'AcceptCall');
  p.calls.move(caller, 'TSMediaStarted');
}

/** The leg hung up: the caller's Call ends too. */
export function hangUpCaller(p: RelayBridgeParts, caller: Call): void {
  if (caller.status === 'Disconnected') return;
  p.line.hangUp(caller.lineCallId);
  p.calls.move(caller, 'StopCall');
}
