/** Who may use hometel's web UI and HTTP API: the admin password, setup, sessions, API tokens, login rate limiting. */
export {
  AccountService,
  DEFAULT_SESSION_IDLE_MS,
  DEFAULT_SESSION_MAX_MS,
  MAX_LABEL_LENGTH,
  type AccountServiceOptions,
  type ApiTokenInfo,
  type NewApiToken,
  type NewSession,
  type Principal,
} from './account-service.js';
export { AccountError, type AccountErrorKind } from './errors.js';
export { DEFAULT_LOGIN_LIMIT, type LoginLimit } from './login-limiter.js';
export { DEFAULT_SCRYPT, PASSWORD_MIN_LENGTH, type ScryptParams } from './password-hash.js';
export type { AccountRepository, ApiTokenRecord, SessionRecord } from './repository.js';
export { API_TOKEN_PREFIX } from './secrets.js';
