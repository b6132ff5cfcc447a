/** The phones of the home (issue 14): extensions, their registrations, and what the SIP side needs of them. */
export type { Binding, Extension, ExtensionView, NewExtension, PhoneDirectory, PhonesAdmin, PhonesEvent, RegistrationView, SipSourceAddress } from './model.js';
export type { BindingRepository, ExtensionRepository, PasswordVault } from './ports.js';
export { PhonesError, type PhonesErrorKind } from './errors.js';
export { Extensions, ha1 } from './extensions.js';
export { PhonesService, type PhonesServiceOptions } from './phones-service.js';
export { DialPlan, featureCodes, type DialPlanHome, type DialPlanRules, type DialRefusal, type DialTarget, type Feature } from './dial-plan.js';
export {
  lineTarget,
  presenceStates,
  type DialogStateSource,
  type DndSource,
  type ExtensionPresence,
  type MessageSummary,
  type MessageWaitingSource,
  type PhoneDialog,
  type PhoneDialogState,
  type PresenceEvent,
  type PresenceSnapshot,
  type PresenceSource,
  type PresenceState,
  type UserPresence,
} from './presence-model.js';
export { DialogBook, PresenceService, presenceOf, type PresenceServiceOptions } from './presence.js';
export { applyRegister, contactsChanged, registrarDefaults, type ContactRequest, type RegisterOutcome, type RegisterRequest, type RegistrarPolicy } from './registrar.js';
export { AuthLimiter, RequestRateLimiter, defaultAuthLimits, defaultRequestBudget, type AuthBlock, type AuthLimits, type RequestBudget } from './auth-limiter.js';
