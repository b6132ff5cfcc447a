/**
 * CallManagement:1 contract conformance: the ServiceContract (src/telephony/contracts/call-management) against
 * the fact sheet test/fixtures/call-management/actions.json, which was written by hand from section 2 of the
 * spec (argument tables 2-12..2-52, error tables 2-13..2-53, Tables 2-2, 2-8, 2-9, 2-10, 2-11, 2-54).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildScpd, parseScpd } from '../../src/upnp/description/scpd-xml.js';
import { contractProblems, findAction, findStateVariable, UpnpError, type ServiceContract, type StateVariableDef } from '../../src/upnp/index.js';
import {
  actionErrors,
  CallManagementAction,
  CallManagementErrorCode,
  CallManagementVariable,
  callManagementContract as contract,
  callManagementErrors,
  cmError,
  isCallManagementErrorCode,
  type CallManagementActionName,
} from '../../src/telephony/contracts/call-management/index.js';

interface SheetArgument {
  name: string;
  relatedStateVariable: string;
}
interface SheetAction {
  section: string;
  name: string;
  argumentTable: string;
  errorTable: string;
  in: SheetArgument[];
  out: SheetArgument[];
  errors: number[];
}
interface SheetVariable {
  section: string;
  name: string;
  dataType: string;
  evented: boolean;
  allowedValues?: string[];
  defaultValue?: string;
  allowedValuesTable?: string;
}
interface SheetErrorCode {
  code: number;
  table2_54: string;
  alsoPrinted?: Record<string, string>;
}
interface FactSheet {
  serviceType: string;
  serviceId: string;
  stateVariables: SheetVariable[];
  errorCodes: SheetErrorCode[];
  actions: SheetAction[];
}

const sheetPath = fileURLToPath(new URL('../fixtures/call-management/actions.json', import.meta.url));
const sheet = JSON.parse(readFileSync(sheetPath, 'utf8')) as FactSheet;

/** The SCPD carries no invalidValue and no argument aliases; strip them to compare a contract with its parsed SCPD. */
function scpdView(c: ServiceContract): ServiceContract {
  return {
    ...c,
    actions: c.actions.map((a) => ({ ...a, arguments: a.arguments.map(({ aliases: _aliases, ...arg }) => arg) })),
    stateVariables: c.stateVariables.map(
      (v) => Object.fromEntries(Object.entries(v).filter(([key]) => key !== 'invalidValue')) as StateVariableDef,
    ),
  };
}

test('CallManagement 2.6 Table 2-11: the 21 actions, spelled and ordered as in the action table', () => {
  assert.equal(sheet.actions.length, 21);
  assert.deepEqual(
    contract.actions.map((a) => a.name),
    sheet.actions.map((a) => a.name),
  );
  assert.deepEqual(Object.values(CallManagementAction), sheet.actions.map((a) => a.name));
});

for (const expected of sheet.actions) {
  test(`CallManagement ${expected.section}: ${expected.name} arguments (${expected.argumentTable}: names, order, directions, relatedStateVariable)`, () => {
    const action = findAction(contract, expected.name);
    assert.ok(action, `${expected.name} is missing`);
    const actual = action.arguments.map((a) => ({ name: a.name, direction: a.direction, relatedStateVariable: a.relatedStateVariable }));
    const want = [
      ...expected.in.map((a) => ({ name: a.name, direction: 'in', relatedStateVariable: a.relatedStateVariable })),
      ...expected.out.map((a) => ({ name: a.name, direction: 'out', relatedStateVariable: a.relatedStateVariable })),
    ];
    assert.deepEqual(actual, want);
    assert.ok(action.arguments.every((a) => !a.retval), 'no argument is marked retval');
  });

  test(`CallManagement ${expected.section}: ${expected.name} error codes (${expected.errorTable})`, () => {
    assert.deepEqual([...actionErrors[expected.name as CallManagementActionName]], expected.errors);
  });
}

test('CallManagement 2.6: actionErrors has an entry for each action and only codes of Table 2-54', () => {
  assert.deepEqual(Object.keys(actionErrors).sort(), contract.actions.map((a) => a.name).sort());
  for (const [name, codes] of Object.entries(actionErrors)) {
    for (const code of codes) assert.ok(code in callManagementErrors, `${name}: ${code} is not in the error table`);
  }
});

test('CallManagement 2.4.1 Table 2-2: the 19 state variables, names and data types', () => {
  assert.deepEqual(
    contract.stateVariables.map((v) => ({ name: v.name, dataType: v.dataType })),
    sheet.stateVariables.map((v) => ({ name: v.name, dataType: v.dataType })),
  );
  assert.deepEqual(Object.values(CallManagementVariable), sheet.stateVariables.map((v) => v.name));
});

test('CallManagement 2.6 argument tables: every relatedStateVariable is a declared state variable', () => {
  for (const action of contract.actions) {
    for (const arg of action.arguments) {
      assert.ok(findStateVariable(contract, arg.relatedStateVariable), `${action.name}.${arg.name} -> ${arg.relatedStateVariable}`);
    }
  }
});

test('CallManagement 2.5 Table 2-10: exactly CallInfo, TelCPNameList and CallBackAvailability are evented', () => {
  const evented = contract.stateVariables.filter((v) => v.sendEvents).map((v) => v.name).sort();
  assert.deepEqual(evented, ['CallBackAvailability', 'CallInfo', 'TelCPNameList']);
  assert.deepEqual(evented, sheet.stateVariables.filter((v) => v.evented).map((v) => v.name).sort());
  for (const v of contract.stateVariables) {
    if (v.name.startsWith('A_ARG_TYPE_')) assert.equal(v.sendEvents, false, v.name);
  }
});

test('CallManagement 2.4.11 Table 2-8 and 2.4.12 Table 2-9: allowed values, default, and the codes 705/706 for other values', () => {
  for (const expected of sheet.stateVariables) {
    const v = findStateVariable(contract, expected.name)!;
    assert.deepEqual(v.allowedValues, expected.allowedValues, `${v.name} allowedValues`);
    assert.equal(v.defaultValue, expected.defaultValue, `${v.name} defaultValue`);
    assert.equal(v.allowedRange, undefined, `${v.name} has no allowedValueRange`);
  }
  assert.deepEqual(findStateVariable(contract, 'A_ARG_TYPE_CallPriority')?.invalidValue, {
    code: CallManagementErrorCode.InvalidPriority,
    description: callManagementErrors[CallManagementErrorCode.InvalidPriority].errorDescription,
  });
  assert.deepEqual(findStateVariable(contract, 'A_ARG_TYPE_CallMode')?.invalidValue, {
    code: CallManagementErrorCode.InvalidCallMode,
    description: callManagementErrors[CallManagementErrorCode.InvalidCallMode].errorDescription,
  });
  assert.equal(findStateVariable(contract, 'A_ARG_TYPE_CallMode')?.invalidValue?.code, CallManagementErrorCode.InvalidCallMode);
  const withCode = contract.stateVariables.filter((v) => v.invalidValue !== undefined).map((v) => v.name);
  assert.deepEqual(withCode, ['A_ARG_TYPE_CallPriority', 'A_ARG_TYPE_CallMode']);
});

test('CallManagement: serviceType and serviceId', () => {
  assert.equal(contract.serviceType, sheet.serviceType);
  assert.equal(contract.serviceId, sheet.serviceId);
});

test('CallManagement: contractProblems() finds nothing', () => {
  assert.deepEqual(contractProblems(contract), []);
});

test('CallManagement 4: the generated SCPD is well-formed XML (xmllint --noout)', () => {
  const r = spawnSync('xmllint', ['--noout', '-'], { input: buildScpd(contract), encoding: 'utf8' });
  assert.equal(r.error, undefined, 'xmllint could not be run (Debian: libxml2-utils)');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('CallManagement 4: parseScpd(buildScpd(contract)) gives the contract back', () => {
  const parsed = parseScpd(buildScpd(contract), contract.serviceType, contract.serviceId);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.deepEqual(parsed.value, scpdView(contract));
});

test('CallManagement 2.6.23 Table 2-54: each error code and its errorDescription', () => {
  assert.deepEqual(
    Object.keys(callManagementErrors).map(Number),
    sheet.errorCodes.map((e) => e.code),
  );
  for (const e of sheet.errorCodes) {
    assert.ok(isCallManagementErrorCode(e.code));
    const err = cmError(e.code);
    assert.ok(err instanceof UpnpError);
    assert.equal(err.errorCode, e.code);
    if (e.code === 702) {
      // Decision: 702 sends the text of the tables of the two actions that answer it (Tables 2-15/2-19) and
      // of the Appendix C faults, not Table 2-54's "TelCPName is already used".
      assert.equal(err.errorDescription, e.alsoPrinted?.['Table 2-15']);
      assert.notEqual(err.errorDescription, e.table2_54);
    } else {
      assert.equal(err.errorDescription, e.table2_54, `${e.code}`);
    }
  }
  assert.equal(isCallManagementErrorCode(700), false, '700 is reserved, not an answer');
  assert.equal(isCallManagementErrorCode(600), false);
});

test('CallManagement 2.6.23: cmError keeps the detail out of the wire errorDescription', () => {
  const err = cmError(CallManagementErrorCode.InvalidCallID, 'no call "call999"');
  assert.equal(err.errorCode, 703);
  assert.equal(err.errorDescription, 'Invalid CallID');
  assert.match(err.message, /703/);
  assert.match(err.message, /call999/);
  assert.equal(cmError(CallManagementErrorCode.Busy).message, 'UPnP error 708: Busy');
});

test('CallManagement 2.6.20/2.6.21: the names the spec spells two ways', () => {
  // Action names from Table 2-11; argument names from Tables 2-50 and 2-52.
  assert.deepEqual(findAction(contract, 'ClearCallBack')?.arguments.map((a) => a.name), ['CallbackID']);
  assert.deepEqual(findAction(contract, 'GetCallBackInfo')?.arguments.map((a) => a.name), ['CallbackInfo']);
  assert.equal(findAction(contract, 'ClearCallback'), undefined);
  assert.equal(findAction(contract, 'GetCallbackInfo'), undefined);
  // ChangeMonopolizer's third argument is CallID (Table 2-38), not section 4's TargetCallID.
  assert.equal(findAction(contract, 'ChangeMonopolizer')?.arguments[2]?.name, 'CallID');
});
