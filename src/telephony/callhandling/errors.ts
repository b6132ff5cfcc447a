/**
 * The CallHandling service's error codes. 701 and 703 mean what they mean in CallManagement:1 (Table 2-54: the
 * TelCPName or Secret Key is invalid; no such CallID) and 712 likewise (the Call is no longer ringing), so a TelCP
 * reads them the same in both services. The vendor's own refusals use UDA's vendor range 800-899: 801 when another
 * decision came first — its errorDescription names who decided (the first decision wins, seed 004 2.2 3) — and 802
 * for a forward target that is neither a number nor a sip:/tel: URI.
 */
import { defineErrors, UdaErrorCode, UpnpError } from '../../upnp/index.js';
import { CallHandlingAction as A, type CallHandlingActionName } from './contract.js';

export const CallHandlingErrorCode = {
  InvalidTelCP: 701,
  InvalidCallID: 703,
  InvalidCallStatus: 712,
  AlreadyDecided: 801,
  InvalidForwardTarget: 802,
} as const;
export type CallHandlingErrorCode = (typeof CallHandlingErrorCode)[keyof typeof CallHandlingErrorCode];

const catalogue = defineErrors(CallHandlingErrorCode, {
  701: { errorDescription: 'Invalid TelCP', meaning: 'The specified TelCPName or Secret Key is invalid.' },
  703: { errorDescription: 'Invalid CallID', meaning: 'No incoming Call of this line has the TargetCallID.' },
  712: { errorDescription: 'Invalid Call Status', meaning: 'The Call is no longer ringing.' },
  801: { errorDescription: 'Already decided', meaning: 'Another decision about the Call came first; the errorDescription names who decided and what.' },
  802: { errorDescription: 'Invalid ForwardTarget', meaning: 'The ForwardTarget is neither a telephone number nor a sip:/tel: URI.' },
});

export const callHandlingErrors = catalogue.table;
export const chError = catalogue.error;

/** 801 with the winner in the errorDescription ("Already decided by Kitchen (accept)"). */
export function alreadyDecided(by: string, action: string): UpnpError {
  return new UpnpError(CallHandlingErrorCode.AlreadyDecided, `Already decided by ${by} (${action})`.slice(0, 200));
}

const decide = [UdaErrorCode.InvalidArgs, 701, 703, 712, 801];
/** The codes each action may answer besides 401/501. */
export const callHandlingActionErrors: Readonly<Record<CallHandlingActionName, readonly number[]>> = {
  [A.IgnoreCall]: decide,
  [A.ForwardCall]: [...decide, 802],
  [A.ForwardToVoiceMail]: decide,
  [A.GetDoNotDisturb]: [],
  [A.SetDoNotDisturb]: [701],
  [A.GetCallRecords]: [],
};
