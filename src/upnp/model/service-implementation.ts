/**
 * What a hosted service's logic sees of UPnP: typed arguments in, typed results or a UpnpError
 * out, and a ServiceState through which it changes (and so events) its state variables.
 * No HTTP, SOAP or XML reaches it.
 *
 * With a TypedContract (typed-contract.ts) the handlers are typed by the contract: a missing handler,
 * a misspelt action or argument, or a value of the wrong type fails tsc. The host (LocalService) sees
 * every implementation through the untyped form and still checks at run time.
 */
import type { UpnpValue } from './datatypes.js';
import type { ServiceContract } from './service-contract.js';
import type { ActionName, InArgs, OutArgs, TypedContract } from './typed-contract.js';

export type ActionArgs = Readonly<Record<string, UpnpValue>>;

export interface ActionContext {
  /** The IP address the invocation came from. */
  readonly remoteAddress: string;
}

/**
 * Declared through a method so that its parameter is compared bivariantly: a typed handler (narrower
 * arguments) is then also an ActionHandler, which is safe because LocalService decodes and checks the
 * arguments against the contract before any handler runs.
 */
interface UntypedHandler {
  handle(args: ActionArgs, ctx: ActionContext): Promise<ActionArgs> | ActionArgs;
}
export type ActionHandler = UntypedHandler['handle'];

/** A handler for every action of the contract, typed by it; any string-keyed handlers for an untyped contract. */
export type ServiceHandlers<C extends ServiceContract = ServiceContract> = C extends TypedContract
  ? { readonly [A in ActionName<C>]: (args: InArgs<C, A>, ctx: ActionContext) => Promise<OutArgs<C, A>> | OutArgs<C, A> }
  : Readonly<Record<string, ActionHandler>>;

export interface ServiceState {
  get(name: string): UpnpValue;
  /** Sets variables; the evented ones among them go out together as one event. */
  set(changes: ActionArgs): void;
}

export interface ServiceImplementation<C extends ServiceContract = ServiceContract> {
  readonly contract: C;
  /** Called once when the service is hosted; returns a handler for every action of the contract. */
  attach(state: ServiceState): ServiceHandlers<C>;
}
