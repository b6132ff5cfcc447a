/**
 * The one error type the Telephony Control Point library throws: a UPnP fault from a Telephony Server or Client
 * (with the spec's errorCode and errorDescription), a Call that ended while a flow waited for it, a device that did
 * not answer, an event that never came, or a request the library cannot carry out. Every instance carries a
 * sentence a user interface can show as it is ("the call is monopolised by another control point"), because the
 * spec's descriptions ("Unauthorized Identity") are written for implementers.
 */
import { errorMessage, HometelError } from '../../base/index.js';
import { UpnpError, UpnpTransportError } from '../../upnp/index.js';
import { CallManagementAction, callManagementErrors, isCallManagementErrorCode, isMediaManagementErrorCode, mediaManagementErrors } from '../contracts/index.js';

/** Which kind of device an action went to: the Telephony Server (CallManagement) or a Telephony Client (MediaManagement). */
export type DeviceKind = 'TS' | 'TC';

/**
 * - `fault`: the device answered the action with a UPnP error (`code`, `description`);
 * - `transport`: the device could not be reached or answered something that is not SOAP;
 * - `call-ended`: the Call was disconnected while a flow waited for it (`reason`: the Table 2-5 reason, if any);
 * - `timeout`: an expected event (and the GetCallInfo asked for after it) did not come in time;
 * - `usage`: the request cannot be carried out as asked (no such Call or client, no common media, …).
 */
export type TelephonyErrorKind = 'fault' | 'transport' | 'call-ended' | 'timeout' | 'usage';

export interface TelephonyErrorInit {
  readonly kind: TelephonyErrorKind;
  readonly sentence: string;
  readonly errorCode?: number;
  readonly errorDescription?: string;
  readonly device?: DeviceKind;
  readonly action?: string;
  readonly callID?: string;
  readonly reason?: string;
  readonly cause?: unknown;
}

export class TelephonyError extends HometelError {
  /** `telcp.fault`, `telcp.transport`, `telcp.call-ended`, `telcp.timeout` or `telcp.usage`. */
  readonly code: `telcp.${TelephonyErrorKind}`;
  readonly kind: TelephonyErrorKind;
  /** The UPnP errorCode (faults only). */
  readonly errorCode?: number;
  /** The spec's errorDescription for the code (Table 2-54 / MediaManagement's table), else what the device sent. */
  readonly errorDescription?: string;
  /** A sentence for people, e.g. "the call is monopolised by another control point". */
  readonly sentence: string;
  readonly device?: DeviceKind;
  readonly action?: string;
  readonly callID?: string;
  /** For `call-ended`: the callStatus reason the TS gave (Busy, Rejected, Cancelled, …). */
  readonly reason?: string;

  constructor(init: TelephonyErrorInit) {
    const where = init.action ? `${init.device ?? ''} ${init.action}`.trim() : undefined;
    const code = init.errorCode !== undefined ? ` (${init.errorCode} ${init.errorDescription ?? ''})`.replace(' )', ')') : '';
    super(`${where ? `${where}: ` : ''}${init.sentence}${code}`, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'TelephonyError';
    this.kind = init.kind;
    this.code = `telcp.${init.kind}`;
    this.sentence = init.sentence;
    if (init.errorCode !== undefined) this.errorCode = init.errorCode;
    if (init.errorDescription !== undefined) this.errorDescription = init.errorDescription;
    if (init.device !== undefined) this.device = init.device;
    if (init.action !== undefined) this.action = init.action;
    if (init.callID !== undefined) this.callID = init.callID;
    if (init.reason !== undefined) this.reason = init.reason;
  }
}

/** A request the library cannot carry out as asked. */
export function usageError(sentence: string): TelephonyError {
  return new TelephonyError({ kind: 'usage', sentence });
}

/** Sentences for the CallManagement codes (Table 2-54); 703/707/708/712 differ for a Telephony Client. */
const tsSentences: Readonly<Record<number, string>> = {
  606: 'this control point is not allowed to invoke this action',
  701: 'the Telephony Server did not accept our TelCPName and secret key',
  702: 'the TelCPName is already used by another control point',
  703: 'the Telephony Server has no such call',
  704: 'the callee is not a valid peer ID',
  705: 'the call priority is not valid',
  706: 'the Telephony Server does not support this call mode',
  707: 'the Telephony Server cannot use the chosen media',
  708: 'the Telephony Server has no resources left for another call',
  709: 'the callee ID is not valid',
  710: 'the new monopolizer is not a registered TelCPName',
  711: 'the Telephony Server has no such callback',
  712: 'the call is not in a state that allows this action',
  713: 'the call is monopolised by another control point',
  714: 'the Telephony Server has no identity on its line yet',
};

const tcSentences: Readonly<Record<number, string>> = {
  703: 'the Telephony Client has no such media session',
  707: 'the Telephony Client cannot handle the offered media',
  708: 'the Telephony Client has no resources left for another media session',
  712: 'the media session is not in a state that allows this action (it has stopped)',
};

/** UDA 1.0 3.2.2: the codes every service may answer. */
const udaSentences: Readonly<Record<number, string>> = {
  401: 'the device does not know this action',
  402: 'the device refused the arguments',
  501: 'the device could not carry out the action',
  600: 'the device refused an argument value',
  601: 'an argument value is out of range',
  602: 'the device does not implement this optional action',
  603: 'the device is out of memory',
  604: 'the device needs human intervention',
  605: 'a string argument is too long',
};

/** Actions on an incoming call whose 713 means "reserved for other answerers" rather than "monopolised". */
const answeringActions = new Set<string>([CallManagementAction.AcceptCall, CallManagementAction.RejectCall]);

/** The sentence for a UPnP errorCode answered by a device of this kind to this action. */
export function errorSentence(code: number, device: DeviceKind, action?: string): string {
  if (code === 713 && action !== undefined && answeringActions.has(action)) return 'the incoming call may only be answered by other control points';
  return (device === 'TC' ? tcSentences[code] : undefined) ?? tsSentences[code] ?? udaSentences[code] ?? `the device answered error ${code}`;
}

/** The spec's errorDescription for a code, when the service's table has one. */
function specDescription(code: number, device: DeviceKind): string | undefined {
  if (device === 'TC') return isMediaManagementErrorCode(code) ? mediaManagementErrors[code].errorDescription : undefined;
  return isCallManagementErrorCode(code) ? callManagementErrors[code].errorDescription : undefined;
}

/** Whatever an invocation threw, as a TelephonyError that names the device kind and action. */
export function toTelephonyError(e: unknown, device: DeviceKind, action: string, callID?: string): TelephonyError {
  if (e instanceof TelephonyError) return e;
  const ctx = { device, action, ...(callID !== undefined ? { callID } : {}), cause: e };
  if (e instanceof UpnpError) {
    return new TelephonyError({ kind: 'fault', errorCode: e.errorCode, errorDescription: specDescription(e.errorCode, device) ?? e.errorDescription, sentence: errorSentence(e.errorCode, device, action), ...ctx });
  }
  if (e instanceof UpnpTransportError) {
    const kind = device === 'TS' ? 'Telephony Server' : 'Telephony Client';
    return new TelephonyError({ kind: 'transport', sentence: `the ${kind} could not be reached or answered nonsense (${e.message})`, ...ctx });
  }
  return new TelephonyError({ kind: 'transport', sentence: errorMessage(e), ...ctx });
}

/** Whether `e` is a fault with one of these codes (for flows that tolerate an expected refusal). */
export function isFault(e: unknown, ...codes: number[]): e is TelephonyError {
  return e instanceof TelephonyError && e.kind === 'fault' && e.errorCode !== undefined && codes.includes(e.errorCode);
}
