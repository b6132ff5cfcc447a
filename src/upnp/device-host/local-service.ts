/**
 * A service we host: its contract, the current values of its state variables, and the binding
 * between SOAP wire arguments and the service logic's typed handlers. Unknown actions (401),
 * missing, extra or mistyped arguments (402) and disallowed values (600/601) are answered here,
 * before the logic runs; anything the logic throws that is not a UpnpError becomes 501.
 */
import { errorDetail, errorMessage, type Logger } from '../../base/index.js';
import { decodeValue, encodeValue, zeroValue, type UpnpValue } from '../model/datatypes.js';
import { argumentsOf, contractProblems, findAction, findStateVariable, type ServiceContract } from '../model/service-contract.js';
import type { ActionArgs, ActionContext, ActionHandler, ServiceImplementation, ServiceState } from '../model/service-implementation.js';
import { UdaErrorCode, UpnpError, udaError } from '../model/upnp-error.js';
import type { ActionCall, WireArgs } from '../soap/envelope.js';

/** A service-specific "invalid value" error: the spec's text on the wire, the detail in the log message. */
function invalid(err: { code: number; description: string }, detail: string): UpnpError {
  const e = new UpnpError(err.code, err.description);
  e.message += ` (${detail})`;
  return e;
}

export class LocalService implements ServiceState {
  readonly contract: ServiceContract;
  private readonly values = new Map<string, UpnpValue>();
  private readonly handlers: Readonly<Record<string, ActionHandler>>;
  private readonly listeners = new Set<(vars: WireArgs) => void>();

  constructor(
    impl: ServiceImplementation,
    private readonly logger: Logger,
  ) {
    this.contract = impl.contract;
    const problems = contractProblems(impl.contract);
    if (problems.length) throw new Error(`${impl.contract.serviceId}: ${problems.join('; ')}`);
    for (const v of impl.contract.stateVariables) {
      const d = v.defaultValue !== undefined ? decodeValue(v.dataType, v.defaultValue) : undefined;
      this.values.set(v.name, d?.ok ? d.value : zeroValue(v.dataType));
    }
    this.handlers = impl.attach(this);
    const missing = impl.contract.actions.filter((a) => !this.handlers[a.name]).map((a) => a.name);
    if (missing.length) throw new Error(`${impl.contract.serviceId}: no handler for ${missing.join(', ')}`);
  }

  get(name: string): UpnpValue {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`unknown state variable ${name}`);
    return v;
  }

  /** Events only the evented variables whose value changed (UDA 1.0 section 4). */
  set(changes: ActionArgs): void {
    const evented: WireArgs = [];
    for (const [name, value] of Object.entries(changes)) {
      const def = findStateVariable(this.contract, name);
      if (!def) throw new Error(`unknown state variable ${name}`);
      const wire = encodeValue(def.dataType, value);
      const changed = encodeValue(def.dataType, this.values.get(name)!) !== wire;
      this.values.set(name, value);
      if (def.sendEvents && changed) evented.push([name, wire]);
    }
    if (evented.length) for (const l of this.listeners) l(evented);
  }

  /** Every evented variable with its current value, for a subscriber's initial event. */
  eventedState(): WireArgs {
    return this.contract.stateVariables
      .filter((v) => v.sendEvents)
      .map((v) => [v.name, encodeValue(v.dataType, this.values.get(v.name)!)]);
  }

  onEvent(listener: (vars: WireArgs) => void): void {
    this.listeners.add(listener);
  }

  /** Runs an action from its wire form; returns the out-arguments in contract order, or throws a UpnpError. */
  async invoke(call: Pick<ActionCall, 'action' | 'args'>, ctx: ActionContext): Promise<WireArgs> {
    const action = findAction(this.contract, call.action);
    if (!action) throw udaError(UdaErrorCode.InvalidAction, `no action ${call.action}`);
    const inArgs = argumentsOf(action, 'in');
    const given = new Map<string, string>();
    for (const [wireName, value] of call.args) {
      const name = inArgs.find((a) => a.aliases?.includes(wireName))?.name ?? wireName;
      if (given.has(name)) throw udaError(UdaErrorCode.InvalidArgs, `${name} given twice`);
      given.set(name, value);
    }
    const extra = [...given.keys()].filter((n) => !inArgs.some((a) => a.name === n));
    if (extra.length) throw udaError(UdaErrorCode.InvalidArgs, `unknown argument ${extra.join(', ')}`);
    const typed: Record<string, UpnpValue> = {};
    for (const arg of inArgs) {
      const text = given.get(arg.name);
      if (text === undefined) throw udaError(UdaErrorCode.InvalidArgs, `missing argument ${arg.name}`);
      const def = findStateVariable(this.contract, arg.relatedStateVariable)!;
      const decoded = decodeValue(def.dataType, text);
      if (!decoded.ok) throw udaError(UdaErrorCode.InvalidArgs, `${arg.name}: ${decoded.reason}`);
      if (def.allowedValues && !def.allowedValues.includes(String(decoded.value))) {
        const why = `${arg.name} must be one of ${def.allowedValues.join(', ')}`;
        throw def.invalidValue ? invalid(def.invalidValue, why) : udaError(UdaErrorCode.ArgumentValueInvalid, why);
      }
      const range = def.allowedRange;
      if (range && typeof decoded.value === 'number' && (decoded.value < range.minimum || decoded.value > range.maximum)) {
        const why = `${arg.name} outside ${range.minimum}..${range.maximum}`;
        throw def.invalidValue ? invalid(def.invalidValue, why) : udaError(UdaErrorCode.ArgumentValueOutOfRange, why);
      }
      typed[arg.name] = decoded.value;
    }
    let result: ActionArgs;
    try {
      result = await this.handlers[action.name]!(typed, ctx);
    } catch (e) {
      if (e instanceof UpnpError) throw e;
      this.logger.error('action failed', { action: action.name, error: errorDetail(e) });
      throw udaError(UdaErrorCode.ActionFailed);
    }
    const out: WireArgs = [];
    for (const arg of argumentsOf(action, 'out')) {
      const value = result[arg.name];
      const def = findStateVariable(this.contract, arg.relatedStateVariable)!;
      if (value === undefined) {
        this.logger.error('handler returned no value for an out-argument', { action: action.name, argument: arg.name });
        throw udaError(UdaErrorCode.ActionFailed);
      }
      try {
        out.push([arg.name, encodeValue(def.dataType, value)]);
      } catch (e) {
        this.logger.error('handler returned a mistyped out-argument', { action: action.name, argument: arg.name, error: errorMessage(e) });
        throw udaError(UdaErrorCode.ActionFailed);
      }
    }
    return out;
  }
}
