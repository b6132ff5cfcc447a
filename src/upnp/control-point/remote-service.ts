/**
 * A discovered service: its parsed SCPD (the same ServiceContract model as hosted services) and
 * typed action invocation. A SOAP fault comes back as a UpnpError with the device's code; anything
 * else that goes wrong is a UpnpTransportError.
 */
import type { DescribedService } from '../description/device-xml.js';
import { httpRequest } from '../http/client.js';
import { decodeValue, encodeValue, type UpnpValue } from '../model/datatypes.js';
import type { DeviceInfo } from '../model/device-model.js';
import { argumentsOf, findAction, findStateVariable, type ServiceContract } from '../model/service-contract.js';
import type { ActionArgs } from '../model/service-implementation.js';
import { UpnpError, UpnpTransportError } from '../model/upnp-error.js';
import { buildActionRequest, parseActionOutcome, soapEnvelopeNs, type WireArgs } from '../soap/envelope.js';

export interface InvokeOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export class RemoteService {
  constructor(
    readonly device: DeviceInfo,
    readonly urls: DescribedService,
    readonly contract: ServiceContract,
    private readonly localAddress?: string,
  ) {}

  get serviceType(): string {
    return this.urls.serviceType;
  }

  get serviceId(): string {
    return this.urls.serviceId;
  }

  /** Invokes an action with typed in-arguments (in SCPD order); returns typed out-arguments. */
  async invoke(actionName: string, args: ActionArgs = {}, opts: InvokeOptions = {}): Promise<Record<string, UpnpValue>> {
    const action = findAction(this.contract, actionName);
    if (!action) throw new TypeError(`${this.serviceId} has no action ${actionName}`);
    const wire: WireArgs = argumentsOf(action, 'in').map((a) => {
      const v = args[a.name];
      if (v === undefined) throw new TypeError(`${actionName}: missing argument ${a.name}`);
      return [a.name, encodeValue(findStateVariable(this.contract, a.relatedStateVariable)?.dataType ?? 'string', v)];
    });
    const out = await this.invokeWire(actionName, wire, opts);
    const typed: Record<string, UpnpValue> = {};
    for (const [name, text] of out) {
      const arg = action.arguments.find((a) => a.name === name && a.direction === 'out');
      const def = arg && findStateVariable(this.contract, arg.relatedStateVariable);
      const d = def ? decodeValue(def.dataType, text) : { ok: true as const, value: text };
      typed[name] = d.ok ? d.value : text;
    }
    return typed;
  }

  /**
   * Invokes an action with wire arguments exactly as given (no SCPD check): for tools and for
   * tests that must send what a well-behaved caller would not.
   */
  async invokeWire(actionName: string, args: WireArgs, opts: InvokeOptions = {}): Promise<WireArgs> {
    const body = buildActionRequest({ serviceType: this.serviceType, action: actionName, args });
    const soapAction = `"${this.serviceType}#${actionName}"`;
    const common = { url: this.urls.controlUrl, body, timeoutMs: opts.timeoutMs ?? 30_000, ...(opts.signal ? { signal: opts.signal } : {}), ...(this.localAddress ? { localAddress: this.localAddress } : {}) };
    let res = await httpRequest({ ...common, method: 'POST', headers: { 'CONTENT-TYPE': 'text/xml; charset="utf-8"', SOAPACTION: soapAction } });
    if (res.status === 405) {
      // UDA 1.0 3.2.1: a device that refuses POST is asked again with M-POST.
      res = await httpRequest({
        ...common,
        method: 'M-POST',
        headers: { 'CONTENT-TYPE': 'text/xml; charset="utf-8"', MAN: `"${soapEnvelopeNs}"; ns=01`, '01-SOAPACTION': soapAction },
      });
    }
    if (res.status !== 200 && res.status !== 500) throw new UpnpTransportError(`${actionName}: HTTP ${res.status}`, res.status);
    const outcome = parseActionOutcome(res.body);
    if (!outcome.ok) throw new UpnpTransportError(`${actionName}: ${outcome.reason}`, res.status);
    if (outcome.value.kind === 'fault') throw new UpnpError(outcome.value.code, outcome.value.description);
    return outcome.value.args;
  }

  /** Event values typed by their state variables. */
  decodeEvent(vars: WireArgs): Map<string, UpnpValue> {
    const out = new Map<string, UpnpValue>();
    for (const [name, text] of vars) {
      const def = findStateVariable(this.contract, name);
      const d = def ? decodeValue(def.dataType, text) : undefined;
      out.set(name, d?.ok ? d.value : text);
    }
    return out;
  }
}
