/**
 * Calls from phones (issue 14): every INVITE a phone sends is authenticated (the PhoneSide's RequestAuthenticator:
 * a Digest challenge first) and goes where the dial plan says — a feature code, an extension, a name of the home or
 * an outside number. What is dialled is the Request-URI's user part (`sip:*97@hub`, `#` written `%23`) or a tel: URI's
 * number. Dialling nothing the plan knows is answered 404.
 */
import type { Logger } from '../../base/index.js';
import type { DialPlan, DialTarget } from '../../phones/index.js';
import { parseUri, type InviteSession } from '../index.js';
import type { RequestAuthenticator } from './authenticator.js';
import type { PhoneSide } from './phone-side.js';

export type FeatureTarget = Extract<DialTarget, { kind: 'feature' }>;
export type CallTarget = Exclude<DialTarget, { kind: 'feature' }>;

/** What the rest of hometel does with a phone's call, once the plan has said where it goes. */
export interface PhoneCallRoutes {
  feature(target: FeatureTarget, extension: string, session: InviteSession): void;
  call(target: CallTarget, extension: string, session: InviteSession): void;
}

/** What a phone dialled: the Request-URI's user part (parseUri unescapes it) or a tel: URI's number; undefined for neither. */
export function dialedOf(requestUri: string): string | undefined {
  const uri = parseUri(requestUri);
  if (uri?.kind === 'tel') return uri.number;
  return uri?.kind === 'sip' ? uri.user : undefined;
}

export function routePhoneInvites(o: { side: PhoneSide; authenticator: RequestAuthenticator; plan: DialPlan; routes: PhoneCallRoutes; logger: Logger }): void {
  o.side.onInvite((session, extension) => {
    const dialed = session.request ? dialedOf(session.request.uri) : undefined;
    const target = dialed === undefined ? 'empty' : o.plan.route(dialed, extension);
    if (typeof target === 'string') {
      o.logger.info('phone call refused', { extension, dialed, why: target });
      session.reject(404, target === 'unknown-feature' ? 'Not Found (no such feature code)' : 'Not Found (nothing to call)');
      return;
    }
    o.logger.info('phone call', { extension, dialed, to: target.kind });
    if (target.kind === 'feature') o.routes.feature(target, extension, session);
    else o.routes.call(target, extension, session);
  }, o.authenticator);
}
