/** The phones of the home (issue 14): extensions, their registrations, and what the SIP side needs of them. */
export type { Binding, Extension, ExtensionView, NewExtension, PhoneDirectory, PhonesAdmin, PhonesEvent, RegistrationView, SipSourceAddress } from './model.js';
export type { BindingRepository, ExtensionRepository } from './ports.js';
export { PhonesError, type PhonesErrorKind } from './errors.js';
export { Extensions, ha1 } from './extensions.js';
export { PhonesService, type PhonesServiceOptions } from './phones-service.js';
export { applyRegister, contactsChanged, registrarDefaults, type ContactRequest, type RegisterOutcome, type RegisterRequest, type RegistrarPolicy } from './registrar.js';
export { AuthLimiter, RequestRateLimiter, defaultAuthLimits, defaultRequestBudget, type AuthBlock, type AuthLimits, type RequestBudget } from './auth-limiter.js';
