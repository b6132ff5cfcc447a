/**
 * The Telephony Control Point library: how hometel's CLI and web UI use UPnP Telephony. A TelephonyControlPoint
 * finds Telephony Servers and Clients; a TsSession per Telephony Server registers a TelCPName, keeps the Calls
 * and runs the spec's call flows; every action sent is in the ActionLog; every failure is a TelephonyError.
 */
export { TelephonyControlPoint, type TelephonyControlPointEvents, type TelephonyControlPointOptions } from './telephony-control-point.js';
export {
  TsSession,
  type AnswerOptions,
  type CallBackAvailable,
  type CallOptions,
  type ClientChoice,
  type ClientsOption,
  type MediaOptions,
  type ModifyOptions,
  type ModifyResult,
  type TelCPIdentity,
  type TsSessionEvents,
  type TsSessionOptions,
} from './ts-session/index.js';
export { TelephonyClient, TelephonyServer, type TelephonyClientEvents } from './devices.js';
export type { CallChange, CallMode, CallView, MediaBinding } from './call-model.js';
export { ActionLog, formatAction, type ActionRecord } from './action-log.js';
export { TelephonyError, errorSentence, isFault, type DeviceKind, type TelephonyErrorKind } from './errors.js';
// The vocabulary of the methods above, and what a library user needs to construct a TelephonyControlPoint.
export type { CallInfo, CallLog, CallLogs, CallStatus, Priority } from '../contracts/index.js';
export type { MediaSessionInfo } from '../contracts/index.js';
export { createLogger, silentLogger, type Logger, type LoggerOptions, type LogLevel } from '../../base/index.js';
export { resolveInterface, type NetworkInterface } from '../../base/index.js';
