/**
 * A ServiceContract written once with its literal names kept, so that TypeScript can derive from it what
 * a service's handlers and a control point's calls must look like: every action handled, no misspelt
 * action or argument, argument values of the UPnP data type of their related state variable. The object
 * defineContract returns is the ordinary runtime ServiceContract (SCPD, validation, interop); the types
 * ride along on a brand that exists only at compile time.
 */
import type { DataType } from './datatypes.js';
import type { ArgumentDef, ServiceContract, StateVariableDef } from './service-contract.js';

/** A state variable of a definition; its name is its key. */
export type StateVariableSpec = Omit<StateVariableDef, 'name'>;

export interface ArgumentSpec<N extends string = string, D extends 'in' | 'out' = 'in' | 'out', V extends string = string> extends ArgumentDef {
  readonly name: N;
  readonly direction: D;
  readonly relatedStateVariable: V;
}

export interface ContractDefinition {
  readonly serviceType: string;
  readonly serviceId: string;
  /** In the order the SCPD lists them. */
  readonly stateVariables: Readonly<Record<string, StateVariableSpec>>;
  /** Action name to its arguments, both in the order the SCPD lists them. */
  readonly actions: Readonly<Record<string, readonly ArgumentSpec[]>>;
}

declare const definition: unique symbol;

/** A runtime ServiceContract that also carries (in its type only) the definition it was made from. */
export interface TypedContract<D extends ContractDefinition = ContractDefinition> extends ServiceContract {
  readonly [definition]: D;
}

type Arg<N extends string, D extends 'in' | 'out', V extends string> = ArgumentSpec<N, D, V>;

function arg<N extends string, D extends 'in' | 'out', V extends string>(name: N, direction: D, relatedStateVariable: V, aliases?: readonly string[]): Arg<N, D, V> {
  return { name, direction, relatedStateVariable, ...(aliases ? { aliases } : {}) };
}

/** An in-argument; `aliases` are other spellings accepted on input (never advertised). */
export const inArg = <N extends string, V extends string>(name: N, relatedStateVariable: V, aliases?: readonly string[]): Arg<N, 'in', V> =>
  arg(name, 'in', relatedStateVariable, aliases);

export const outArg = <N extends string, V extends string>(name: N, relatedStateVariable: V): Arg<N, 'out', V> => arg(name, 'out', relatedStateVariable);

/** Builds the runtime contract; a relatedStateVariable that names no state variable of the definition fails tsc. */
export function defineContract<
  const S extends Readonly<Record<string, StateVariableSpec>>,
  const A extends Readonly<Record<string, readonly ArgumentSpec<string, 'in' | 'out', keyof S & string>[]>>,
>(def: { readonly serviceType: string; readonly serviceId: string; readonly stateVariables: S; readonly actions: A }): TypedContract<{
  serviceType: string;
  serviceId: string;
  stateVariables: S;
  actions: A;
}> {
  const contract: ServiceContract = {
    serviceType: def.serviceType,
    serviceId: def.serviceId,
    actions: Object.entries(def.actions).map(([name, args]) => ({ name, arguments: args })),
    stateVariables: Object.entries(def.stateVariables).map(([name, spec]) => ({ name, ...spec })),
  };
  // The brand is a compile-time fact about this object; there is nothing to store for it.
  return contract as TypedContract<{ serviceType: string; serviceId: string; stateVariables: S; actions: A }>;
}

type DefinitionOf<C> = C extends TypedContract<infer D> ? D : never;
type Actions<C> = DefinitionOf<C>['actions'];
type Variables<C> = DefinitionOf<C>['stateVariables'];

export type ActionName<C extends TypedContract> = keyof Actions<C> & string;
export type StateVariableName<C extends TypedContract> = keyof Variables<C> & string;

/** The TypeScript type of a value of a UPnP data type, as datatypes.ts decodes it. */
export type ValueOf<T extends DataType> = T extends 'boolean'
  ? boolean
  : T extends 'ui1' | 'ui2' | 'ui4' | 'i1' | 'i2' | 'i4' | 'int' | 'r4' | 'r8' | 'number' | 'fixed.14.4' | 'float'
    ? number
    : string;

/** The type of a state variable's value (and so of every argument related to it). */
export type VariableValue<C extends TypedContract, V> = V extends keyof Variables<C> ? ValueOf<Variables<C>[V]['dataType']> : never;

type ArgumentsOf<C extends TypedContract, A extends ActionName<C>, D extends 'in' | 'out'> = Extract<Actions<C>[A][number], { readonly direction: D }>;

export type InArgs<C extends TypedContract, A extends ActionName<C>> = {
  readonly [P in ArgumentsOf<C, A, 'in'> as P['name']]: VariableValue<C, P['relatedStateVariable']>;
};

export type OutArgs<C extends TypedContract, A extends ActionName<C>> = {
  [P in ArgumentsOf<C, A, 'out'> as P['name']]: VariableValue<C, P['relatedStateVariable']>;
};

/** Values for some of the state variables (what a service sets, and so events). */
export type StateChanges<C extends TypedContract> = { readonly [V in StateVariableName<C>]?: VariableValue<C, V> };

/** `{ Name: 'Name', … }` for every action: the names other code uses, taken from the contract. */
export function actionNames<C extends TypedContract>(contract: C): { readonly [A in ActionName<C>]: A } {
  return Object.fromEntries(contract.actions.map((a) => [a.name, a.name])) as { readonly [A in ActionName<C>]: A };
}

/** `{ Name: 'Name', … }` for every state variable. */
export function stateVariableNames<C extends TypedContract>(contract: C): { readonly [V in StateVariableName<C>]: V } {
  return Object.fromEntries(contract.stateVariables.map((v) => [v.name, v.name])) as { readonly [V in StateVariableName<C>]: V };
}
