/** The SIP user agent: calls (INVITE sessions), registration, availability watching, over the transaction layer. */
export { UserAgent, type UserAgentDelegate } from './user-agent.js';
export { InviteSession, type EndCause, type InviteOptions, type InviteSessionDelegate, type SessionState } from './invite-session.js';
export { Registration, registrarRequestUri, type RegistrationInfo, type RegistrationState } from './registration.js';
export { AvailabilityWatch, parseSubscriptionState, pidfBasic, reachable } from './availability.js';
export type { LocalCause } from './context.js';
export { IncomingRefer, referSubscriptionSeconds, type ReferDelegate } from './refer.js';
export {
  allowedMethods,
  allowHeader,
  supportedOptions,
  type UaCredentials,
  type RegistrationOptions,
  type SipTransportName,
  type UaTransport,
  type UserAgentOptions,
} from './options.js';
export { cancelFor, completedElsewhere, looseRoute, type Identity } from './requests.js';
