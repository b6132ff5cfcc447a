/**
 * The feature codes of the home's phones (issue 14; the dial plan's `*` codes): DND on/off and forward all on/off
 * change the call-handling service's settings for the whole home, and hometel answers with a short confirmation
 * (a rising pair of tones) and hangs up; `*97` is the voicemail menu. A forward to something that is no number is
 * answered 484 Address Incomplete.
 */
import { errorMessage, type Logger } from '../base/index.js';
import type { CallHandlingService } from '../callhandling/index.js';
import type { InviteSession } from '../sip/index.js';
import type { FeatureTarget } from '../sip/pbx/index.js';
import { menuSignal } from '../voicemail/index.js';
import type { PhoneMedia } from './phone-media.js';
import type { VoicemailAccess } from './voicemail-access.js';

export interface PhoneFeaturesOptions {
  readonly media: PhoneMedia;
  readonly callHandling: CallHandlingService;
  /** The voicemail menu; without it `*97` is answered 404. */
  readonly voicemail?: VoicemailAccess;
  readonly logger: Logger;
}

export function phoneFeatures(o: PhoneFeaturesOptions): (target: FeatureTarget, extension: string, session: InviteSession) => void {
  /** Carries a setting out, then confirms it by tones; a refusal is a final response instead. */
  const change = (session: InviteSession, extension: string, what: string, f: () => void): void => {
    try {
      f();
    } catch (e) {
      o.logger.info('feature code refused', { extension, feature: what, why: errorMessage(e) });
      session.reject(484, 'Address Incomplete (not a number to forward to)');
      return;
    }
    o.logger.info('feature code', { extension, feature: what });
    void o.media.answer(session, {}).then((call) => call?.play(menuSignal({ kind: 'signal', signal: 'saved' }), () => call.hangUp('confirmed')));
  };
  return (target, extension, session) => {
    const by = `ext:${extension}`;
    switch (target.feature) {
      case 'voicemail':
        if (o.voicemail) void o.voicemail.serve(session, extension);
        else session.reject(404, 'Not Found (no voicemail)');
        return;
      case 'dnd-on':
      case 'dnd-off':
        return change(session, extension, target.feature, () => o.callHandling.setDnd(target.feature === 'dnd-on', by));
      case 'forward-all-on':
        return change(session, extension, target.feature, () => o.callHandling.setForwardAll(target.number ?? '', by));
      case 'forward-all-off':
        return change(session, extension, target.feature, () => o.callHandling.setForwardAll(undefined, by));
    }
  };
}
