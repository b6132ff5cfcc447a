/** A TsSession and the types of its options, events and host. */
export { TsSession } from './session.js';
export type {
  AnswerOptions,
  CallBackAvailable,
  CallOptions,
  ClientChoice,
  ClientsOption,
  MediaOptions,
  ModifyOptions,
  ModifyResult,
  TelCPIdentity,
  TsSessionEvents,
  TsSessionHost,
  TsSessionOptions,
} from './types.js';
