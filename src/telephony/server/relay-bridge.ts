/**
 * A ringing incoming Call taken by a leg the TS placed itself — a bridged forward's call to its target
 * (call-forwarding.ts), a phone of the home rung for it (phone-ringing.ts): the leg is offered the relay's home side
 * of the caller's media; when it answers, the caller is answered and the relay carries caller ↔ leg, the leg being
 * the Call's one client; when either side hangs up, the other is ended. A transfer moves an answered caller to a new
 * leg the same way (`moveToLeg`).
 */
import { peerIdOf, type Call, type Line } from '../domain/index.js';
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
 * Places a leg to `target` (a sip: or tel: URI) on the caller's line: a hidden outgoing Call of the TS (its events
 * move it like any Call), offered the relay's home side. Throws when the line cannot place it.
 */
export function placeLineLeg(p: RelayBridgeParts, caller: Call, target: string): Call {
  const offer = legOffer(p, caller);
  const lineCallId = p.line.place({ callee: target, priority: 'Normal', ...(offer ? { sdpOffer: offer } : {}) });
  return p.calls.add('outgoing', { id: peerIdOf(target) }, lineCallId, p.calls.newCallID(), (c) => {
    c.hidden = true;
    c.forwardOf = caller.callID;
    // The target's answer replaces it (LineEvents.answered).
    c.mediaCapability = offer;
  });
}

/**
 * Answers the ringing caller with the leg's answer and has the relay carry caller ↔ leg; the Call goes Connected and
 * Talking, answered by `answeredBy`. Throws (and changes nothing) when the media plane has no resources left for it.
 */
export function answerThroughLeg(p: RelayBridgeParts, caller: Call, legSdp: string | undefined, answeredBy: string | undefined): void {
  const media = p.media.of(caller);
  const answer = media && legSdp ? media.wanSdp(legSdp) : legSdp;
  moveToLeg(p, caller, legSdp, answeredBy);
  caller.nativeMediaCapability = undefined;
  p.line.answer(caller.lineCallId, answer);
  p.calls.move(caller, 'AcceptCall');
  p.calls.move(caller, 'TSMediaStarted');
}

/** The relay carries caller ↔ this leg from now on: the leg is the Call's one client, and the Call is answered by `answeredBy`. */
export function moveToLeg(p: RelayBridgeParts, caller: Call, legSdp: string | undefined, answeredBy: string | undefined): void {
  const media = p.media.of(caller);
  if (media && legSdp) media.setClients([{ sdp: legSdp }], { mixing: false });
  caller.mediaCapability = legSdp;
  caller.answeredBy = answeredBy;
}

/** The leg hung up: the caller's Call ends too. */
export function hangUpCaller(p: RelayBridgeParts, caller: Call): void {
  if (caller.status === 'Disconnected') return;
  p.line.hangUp(caller.lineCallId);
  p.calls.move(caller, 'StopCall');
}

/** Ends a leg placed on the caller's line whatever its state: cancelled while it rings, hung up once answered. */
export function endLineLeg(p: RelayBridgeParts, leg: Call): void {
  if (leg.status === 'Disconnected') return;
  if (leg.status === 'Dialing' || leg.status === 'Calling') {
    p.line.cancel(leg.lineCallId);
    p.calls.move(leg, 'StopCall', 'Cancelled');
  } else {
    p.line.hangUp(leg.lineCallId);
    p.calls.move(leg, 'StopCall');
  }
}
