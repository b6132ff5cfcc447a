/**
 * A call a phone places, on the SIP side (issue 14, "Calls → Outgoing"): the phone's INVITE session is the
 * `PhoneCallerLeg` of the Call the Telephony Server places for it. The callee's answer is the 200 (the TS's SDP),
 * its failure the matching final response; the phone's CANCEL (RFC 3261 9.2: the user agent has answered it 487),
 * BYE or a session that died end the Call. The phone hears 180 when the callee rings (until then the 100 Trying of
 * its INVITE's transaction), as through a proxy. Given the dial plan, its REFER (RFC 3515) transfers the answered Call
 * as a REFER of a phone that answered does (phone-line.ts `transferTargetOf`).
 */
import type { Logger } from '../../base/index.js';
import type { DialPlan } from '../../phones/index.js';
import type { CallReason, PhoneCallerLeg, PlacedPhoneCall } from '../../telephony/domain/index.js';
import type { IncomingRefer, InviteSession } from '../index.js';
import { transferProgressOf, transferTargetOf } from './phone-line.js';

/** The final response a phone gets for a Call that ended before the callee answered (RFC 3261 21.4–21.6). */
export function failureStatusOf(reason: CallReason | undefined): { status: number; reason: string } {
  switch (reason) {
    case 'Busy':
      return { status: 486, reason: 'Busy Here' };
    case 'Not Found':
      return { status: 404, reason: 'Not Found' };
    case 'Rejected':
      return { status: 603, reason: 'Decline' };
    case 'Not Acceptable Capability':
      return { status: 488, reason: 'Not Acceptable Here' };
    case 'Cancelled':
      return { status: 487, reason: 'Request Terminated' };
    default:
      return { status: 480, reason: 'Temporarily Unavailable' };
  }
}

/**
 * Carries the phone's INVITE session as the leg of the Call `place` makes (undefined: not placed, the leg was told);
 * with `transfers` (the dial plan and the calling extension), the phone's REFER transfers the Call.
 */
export function carryPhoneCall(
  session: InviteSession,
  place: (leg: PhoneCallerLeg) => PlacedPhoneCall | undefined,
  logger: Logger,
  transfers?: { readonly plan: DialPlan; readonly extension: string },
): void {
  const call: { placed?: PlacedPhoneCall } = {};
  session.ringWhenTold();
  const leg: PhoneCallerLeg = {
    ringing: () => session.ring(),
    answered: (sdp) => session.answer(sdp),
    failed: (reason) => {
      const r = failureStatusOf(reason);
      session.reject(r.status, r.reason);
    },
    ended: () => {
      if (session.state === 'ringing') session.reject(480, 'Temporarily Unavailable');
      else session.bye();
    },
  };
  const end = (why: string): void => {
    logger.info('phone call ended by the phone', { callID: call.placed?.callID, why });
    call.placed?.end();
  };
  session.delegate = {
    onCancelled: () => end('cancel'),
    onEnded: (cause) => end(cause),
    onNoAnswer: () => {
      end('no answer');
      session.reject(480, 'Temporarily Unavailable');
    },
    // The relay keeps the media as first answered: a hold or codec change from the phone is refused.
    onModifyRequest: () => session.rejectModify(488),
    ...(transfers
      ? {
          onRefer: (refer: IncomingRefer) => {
            const target = transferTargetOf(refer, transfers.plan, transfers.extension, logger, { callID: call.placed?.callID ?? '' });
            if (target) call.placed?.transfer(target, transferProgressOf(refer));
          },
        }
      : {}),
  };
  const placed = place(leg);
  if (placed) call.placed = placed;
}
