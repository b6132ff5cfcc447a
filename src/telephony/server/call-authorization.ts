/**
 * Who may do what to a Call (2.3.2.1, 2.3.3): the TelCPName/SecretKey check (701), the Monopolizer and the
 * allowed answerers (713), who sees a restricted Call in full, the supported CallModes (706) and valid
 * CalleeIDs (704/709).
 */
import { cmError } from '../contracts/index.js';
import { calleeKind, type Call, type CallMode, type TelCPRegistry } from '../domain/index.js';

/** The identity a TelCP presents with an action (TelCPName + SecretKey, possibly both empty). */
export interface Presented {
  readonly name: string;
  readonly key: string;
}

/** The identity of an action whose arguments are TelCPName and SecretKey (most of them). */
export function presented(args: { readonly TelCPName: string; readonly SecretKey: string }): Presented {
  return { name: args.TelCPName, key: args.SecretKey };
}

export class CallAuthorization {
  constructor(private readonly registry: TelCPRegistry) {}

  /** Whether the name is registered and the key is its key. */
  verify(who: Presented): boolean {
    return this.registry.verify(who.name, who.key);
  }

  isRegistered(name: string): boolean {
    return this.registry.isRegistered(name);
  }

  /** 701 unless the name is registered and the key is its key. */
  authenticate(who: Presented): void {
    if (!this.verify(who)) throw cmError(701, `TelCPName ${JSON.stringify(who.name)} with this SecretKey`);
  }

  /** Only the Monopolizer manages a Monopolization Mode Call (2.3.2.1): 701 for a bad key, 713 for another TelCP. */
  authorizeManager(call: Call, who: Presented): void {
    if (call.monopolizer === undefined) return;
    this.authenticate(who);
    if (who.name !== call.monopolizer) throw cmError(713, `${who.name} is not the Monopolizer of ${call.callID}`);
  }

  /** Only the listed TelCPs answer or reject a targeted incoming Call (2.3.2.1.1). */
  authorizeAnswerer(call: Call, who: Presented): void {
    if (call.allowedAnswerers === '*') return;
    this.authenticate(who);
    if (!call.allowedAnswerers.includes(who.name)) throw cmError(713, `${who.name} may not answer ${call.callID}`);
  }

  /** Whether the presented identity may see the full CallInfo of a restricted Call. */
  entitled(call: Call, who: Presented): boolean {
    if (!call.restricted) return true;
    if (!this.verify(who)) return false;
    return call.monopolizer !== undefined ? call.monopolizer === who.name : call.targetNames.includes(who.name);
  }

  /** PHONE-TelCP is supported; the DP modes need DeviceProtection, which this TS does not have (706). */
  callMode(value: string, who: Presented): CallMode {
    if (value === 'DP-TelCP' || value === 'DP-User') throw cmError(706, `${value} needs DeviceProtection, which this Telephony Server does not implement`);
    if (value === 'PHONE-TelCP') this.authenticate(who);
    return value as CallMode;
  }

  /** A CalleeID is a sip:, sips: or tel: URI or a registered TelCPName; anything else is `invalidCode`. */
  checkCallee(callee: string, invalidCode: 704 | 709): void {
    const kind = calleeKind(callee, (n) => this.isRegistered(n));
    if (!kind) throw cmError(invalidCode, `CalleeID ${JSON.stringify(callee)} is neither a sip:, sips: or tel: URI nor a registered TelCPName`);
  }
}
