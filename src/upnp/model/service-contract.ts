/**
 * The one meta-model of a UPnP service (Cling's lesson): the same ServiceContract describes a
 * service we host (it generates the SCPD and validates arguments) and a service we discovered
 * (it is parsed from the remote SCPD and types the invocation).
 */
import type { DataType } from './datatypes.js';

export interface StateVariableDef {
  readonly name: string;
  readonly dataType: DataType;
  readonly sendEvents: boolean;
  readonly allowedValues?: readonly string[];
  readonly allowedRange?: { readonly minimum: number; readonly maximum: number; readonly step?: number };
  readonly defaultValue?: string;
  /**
   * The error for an argument outside allowedValues or allowedRange, when the service's spec names
   * its own (CallManagement answers an unknown CallMode with 706 "Invalid CallMode", not UDA's 600/601).
   */
  readonly invalidValue?: { readonly code: number; readonly description: string };
}

export interface ArgumentDef {
  readonly name: string;
  readonly direction: 'in' | 'out';
  readonly relatedStateVariable: string;
  readonly retval?: boolean;
  /** Other spellings accepted on input (a spec that names the argument two ways); never advertised. */
  readonly aliases?: readonly string[];
}

export interface ActionDef {
  readonly name: string;
  readonly arguments: readonly ArgumentDef[];
}

export interface ServiceContract {
  readonly serviceType: string;
  readonly serviceId: string;
  readonly actions: readonly ActionDef[];
  readonly stateVariables: readonly StateVariableDef[];
}

export function findAction(contract: ServiceContract, name: string): ActionDef | undefined {
  return contract.actions.find((a) => a.name === name);
}

export function findStateVariable(contract: ServiceContract, name: string): StateVariableDef | undefined {
  return contract.stateVariables.find((v) => v.name === name);
}

export function argumentsOf(action: ActionDef, direction: 'in' | 'out'): ArgumentDef[] {
  return action.arguments.filter((a) => a.direction === direction);
}

/** Problems that make a contract unusable; a hosted service with any of them is refused. */
export function contractProblems(contract: ServiceContract): string[] {
  const problems: string[] = [];
  const names = new Set(contract.stateVariables.map((v) => v.name));
  if (names.size !== contract.stateVariables.length) problems.push('duplicate state variable');
  const actionNames = new Set<string>();
  for (const action of contract.actions) {
    if (actionNames.has(action.name)) problems.push(`duplicate action ${action.name}`);
    actionNames.add(action.name);
    for (const arg of action.arguments) {
      if (!names.has(arg.relatedStateVariable)) {
        problems.push(`${action.name}.${arg.name}: unknown relatedStateVariable ${arg.relatedStateVariable}`);
      }
    }
  }
  return problems;
}
