/**
 * What a hosted service's logic sees of UPnP: typed arguments in, typed results or a UpnpError
 * out, and a ServiceState through which it changes (and so events) its state variables.
 * No HTTP, SOAP or XML reaches it.
 */
import type { UpnpValue } from './datatypes.js';
import type { ServiceContract } from './service-contract.js';

export type ActionArgs = Readonly<Record<string, UpnpValue>>;

export interface ActionContext {
  /** The IP address the invocation came from. */
  readonly remoteAddress: string;
}

export type ActionHandler = (args: ActionArgs, ctx: ActionContext) => Promise<ActionArgs> | ActionArgs;

export interface ServiceState {
  get(name: string): UpnpValue;
  /** Sets variables; the evented ones among them go out together as one event. */
  set(changes: ActionArgs): void;
}

export interface ServiceImplementation {
  readonly contract: ServiceContract;
  /** Called once when the service is hosted; returns a handler for every action of the contract. */
  attach(state: ServiceState): Readonly<Record<string, ActionHandler>>;
}
