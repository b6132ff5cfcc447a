/**
 * The library's actions typed by the contracts of the services it controls: CallManagement on a Telephony Server,
 * MediaManagement on a Telephony Client. What a device answers is typed too, and the two places where a device may
 * spell an argument otherwise than the contract does are named, not left untyped.
 */
import { argumentsOf, findAction, findStateVariable, type ActionArgs, type ActionName, type InArgs, type OutArgs, type TypedContract } from '../../upnp/index.js';
import type { callManagementContract, mediaManagementContract } from '../contracts/index.js';

export type CallManagement = typeof callManagementContract;
export type MediaManagement = typeof mediaManagementContract;

/**
 * The out-arguments a device answered, typed by the contract. Any may be missing: the device's SCPD, not ours,
 * decides what comes back (RemoteService returns what was answered), and the library reads a missing value as an
 * empty one rather than fail on it.
 */
export type Answer<C extends TypedContract, A extends ActionName<C>> = Partial<OutArgs<C, A>>;

/**
 * A device's answer in the contract's terms. RemoteService decodes it by the device's SCPD, which may type an
 * argument otherwise than the contract (a ui4 CallID or MediaSessionID): such a value of a string argument is
 * given as its text, so that the string the type promises is one.
 */
export function answerOf<C extends TypedContract, A extends ActionName<C>>(contract: C, action: A, out: ActionArgs): Answer<C, A> {
  const answer: Record<string, ActionArgs[string]> = { ...out };
  const def = findAction(contract, action);
  for (const a of def ? argumentsOf(def, 'out') : []) {
    const value = answer[a.name];
    if (value !== undefined && typeof value !== 'string' && findStateVariable(contract, a.relatedStateVariable)?.dataType === 'string') answer[a.name] = String(value);
  }
  return answer as Answer<C, A>;
}

/**
 * The in-arguments plus every other spelling the contract lists for one of them (its `aliases`), with the same
 * value. RemoteService sends the in-arguments the device's SCPD names, so the spelling the device knows goes out
 * and the other stays behind; the action log records both. ClearCallBack needs this: its argument is CallbackID in
 * section 2 and CallBackID in section 4 (notes S4), and a TS may advertise either.
 */
export function withAliases<C extends TypedContract, A extends ActionName<C>>(contract: C, action: A, args: InArgs<C, A>): InArgs<C, A> {
  const given: ActionArgs = args;
  const all: Record<string, ActionArgs[string]> = { ...given };
  for (const a of findAction(contract, action)?.arguments ?? []) {
    const value = given[a.name];
    if (value !== undefined) for (const alias of a.aliases ?? []) all[alias] = value;
  }
  // The aliases ride along beyond the contract's type on purpose: callers name the arguments as the contract does.
  return all as InArgs<C, A>;
}

/**
 * An out-argument read under the contract's name, else under `otherSpelling`: a device answers under its own
 * SCPD's names, and some SCPDs spell an argument otherwise (GetCallBackInfo's CallbackInfo is CallBackInfo in
 * third-party ones). The value is trusted to be of the contract's type, as RemoteService decoded it by that SCPD.
 */
export function answeredAs<O extends object, K extends keyof O & string>(out: O, name: K, otherSpelling: string): O[K] | undefined {
  return out[name] ?? (out as Readonly<Record<string, O[K] | undefined>>)[otherSpelling];
}
