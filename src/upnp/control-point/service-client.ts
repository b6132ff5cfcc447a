/**
 * A discovered service invoked through the contract we expect of it: action names, in-arguments and
 * out-arguments typed by a TypedContract, so that a misspelt action or argument or a wrong value fails tsc.
 * The remote SCPD still governs the wire (RemoteService encodes and decodes by it).
 */
import type { ActionName, InArgs, OutArgs, TypedContract } from '../model/typed-contract.js';
import type { InvokeOptions, RemoteService } from './remote-service.js';

/** An action without in-arguments may be invoked without an argument object. */
type InvokeRest<C extends TypedContract, A extends ActionName<C>> = keyof InArgs<C, A> extends never
  ? [args?: InArgs<C, A>, opts?: InvokeOptions]
  : [args: InArgs<C, A>, opts?: InvokeOptions];

export interface ServiceClient<C extends TypedContract> {
  readonly remote: RemoteService;
  invoke<A extends ActionName<C>>(action: A, ...rest: InvokeRest<C, A>): Promise<OutArgs<C, A>>;
}

/**
 * The typed view of `remote`. The out-arguments are those the device answered, decoded by its SCPD; they are
 * trusted to be the contract's, as RemoteService trusts the SCPD.
 */
export function serviceClient<C extends TypedContract>(remote: RemoteService, _contract: C): ServiceClient<C> {
  return {
    remote,
    invoke: async <A extends ActionName<C>>(action: A, ...[args, opts]: InvokeRest<C, A>): Promise<OutArgs<C, A>> =>
      (await remote.invoke(action, args ?? {}, opts ?? {})) as OutArgs<C, A>,
  };
}
