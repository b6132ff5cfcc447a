/**
 * The typed contracts of upnp/model (defineContract, ServiceHandlers, defineErrors). The control library's typed
 * invocations have their own test (telcp-typed-calls.test.ts).
 *
 * Compile time: each `// @ts-expect-error` below must stay an error — a missing handler, a misspelt action
 * name, a misspelt argument name, a value of the wrong type, a relatedStateVariable that names no state
 * variable. `npm test` type-checks test/ too, so an expect-error that stops erroring fails the build.
 *
 * Run time: the typed CallManagement and MediaManagement contracts are the ServiceContracts they were before
 * the DSL (snapshots in test/fixtures/…/service-contract.json, taken from the hand-written contracts), and a
 * hosted typed service gets its arguments decoded to the types its handlers declare.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { silentLogger } from '../../src/base/logger.js';
import {
  defineContract,
  defineErrors,
  inArg,
  LocalService,
  outArg,
  UpnpError,
  type ServiceContract,
  type ServiceHandlers,
  type ServiceImplementation,
} from '../../src/upnp/index.js';
import { CallManagementAction, callManagementContract } from '../../src/telephony/contracts/call-management/index.js';
import { MediaManagementVariable, mediaManagementContract } from '../../src/telephony/contracts/media-management/index.js';

const snapshot = (path: string): ServiceContract => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')) as ServiceContract;

// ------------------------------------------------------------------ compile time

const counter = defineContract({
  serviceType: 'urn:schemas-hometel-org:service:Counter:1',
  serviceId: 'urn:hometel-org:serviceId:Counter',
  stateVariables: {
    Count: { dataType: 'i4', sendEvents: true },
    A_ARG_TYPE_Step: { dataType: 'ui2', sendEvents: false, allowedRange: { minimum: 1, maximum: 10 } },
    A_ARG_TYPE_Label: { dataType: 'string', sendEvents: false },
    A_ARG_TYPE_Loud: { dataType: 'boolean', sendEvents: false },
  },
  actions: {
    Add: [inArg('Step', 'A_ARG_TYPE_Step'), inArg('Label', 'A_ARG_TYPE_Label'), inArg('Loud', 'A_ARG_TYPE_Loud'), outArg('NewCount', 'Count'), outArg('Said', 'A_ARG_TYPE_Label')],
    Reset: [],
  },
});
type Counter = typeof counter;

/** A complete, well-typed implementation: it must compile without any error. */
function counterService(): ServiceImplementation<Counter> & { count: number } {
  const impl = {
    contract: counter,
    count: 0,
    attach: (): ServiceHandlers<Counter> => ({
      Add: (a) => {
        const step: number = a.Step;
        const label: string = a.Label;
        const loud: boolean = a.Loud;
        impl.count += step;
        return { NewCount: impl.count, Said: loud ? label.toUpperCase() : label };
      },
      Reset: () => {
        impl.count = 0;
        return {};
      },
    }),
  };
  return impl;
}

// Each expect-error below leaves a value of the error type behind, which the unsafe-any rules would flag.
/* eslint-disable @typescript-eslint/no-unsafe-assignment */
export function typeErrors(): unknown[] {
  const missingHandler = (): ServiceHandlers<Counter> => {
    // @ts-expect-error Reset has no handler
    return { Add: () => ({ NewCount: 1, Said: '' }) };
  };
  const misspeltAction = (): ServiceHandlers<Counter> => ({
    Add: () => ({ NewCount: 1, Said: '' }),
    Reset: () => ({}),
    // @ts-expect-error there is no action Rest
    Rest: () => ({}),
  });
  const misspeltArgument = (): ServiceHandlers<Counter> => ({
    Add: (a) => {
      // @ts-expect-error the argument is Step, not Steps
      const step: number = a.Steps;
      return { NewCount: step, Said: '' };
    },
    Reset: () => ({}),
  });
  const wrongArgumentType = (): ServiceHandlers<Counter> => ({
    Add: (a) => {
      // @ts-expect-error Label is a string, not a number
      const label: number = a.Label;
      return { NewCount: label, Said: '' };
    },
    Reset: () => ({}),
  });
  const wrongOutType = (): ServiceHandlers<Counter> => ({
    // @ts-expect-error NewCount is an i4: a number, not a string
    Add: () => ({ NewCount: '1', Said: '' }),
    Reset: () => ({}),
  });
  const missingOut = (): ServiceHandlers<Counter> => ({
    // @ts-expect-error Said is an out-argument of Add
    Add: () => ({ NewCount: 1 }),
    Reset: () => ({}),
  });
  const unknownVariable = () =>
    defineContract({
      serviceType: 'urn:x:service:Y:1',
      serviceId: 'urn:x:serviceId:Y',
      stateVariables: { A_ARG_TYPE_Text: { dataType: 'string', sendEvents: false } },
      // @ts-expect-error A_ARG_TYPE_Txt is no state variable of the contract
      actions: { Say: [inArg('Text', 'A_ARG_TYPE_Txt')] },
    });
  const catalogue = defineErrors({ Broken: 800 } as const, { 800: { errorDescription: 'Broken', meaning: '' } });
  // @ts-expect-error 802 is not in the catalogue
  const unknownCode = () => catalogue.error(802);
  // @ts-expect-error the table must describe every named code
  const incompleteTable = () => defineErrors({ Broken: 800, Gone: 801 } as const, { 800: { errorDescription: 'Broken', meaning: '' } });
  return [missingHandler, misspeltAction, misspeltArgument, wrongArgumentType, wrongOutType, missingOut, unknownVariable, unknownCode, incompleteTable];
}
/* eslint-enable @typescript-eslint/no-unsafe-assignment */

// ------------------------------------------------------------------ run time

test('typed contracts: CallManagement is the ServiceContract it was (actions, argument order, directions, relatedStateVariables, aliases)', () => {
  const before = snapshot('call-management/service-contract.json');
  assert.deepEqual(JSON.parse(JSON.stringify(callManagementContract)), before);
  assert.equal(JSON.stringify(callManagementContract), JSON.stringify(before), 'same order of every key and element');
  const clear = callManagementContract.actions.find((a) => a.name === 'ClearCallBack');
  assert.deepEqual(clear?.arguments, [{ name: 'CallbackID', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_CallBackID', aliases: ['CallBackID'] }]);
});

test('typed contracts: MediaManagement is the ServiceContract it was', () => {
  const before = snapshot('media-management/service-contract.json');
  assert.equal(JSON.stringify(mediaManagementContract), JSON.stringify(before));
});

test('typed contracts: the name constants come from the contract, in its order', () => {
  assert.deepEqual(Object.keys(CallManagementAction), callManagementContract.actions.map((a) => a.name));
  for (const [key, value] of Object.entries(CallManagementAction)) assert.equal(key, value);
  assert.deepEqual(Object.values(MediaManagementVariable), mediaManagementContract.stateVariables.map((v) => v.name));
});

test('typed contracts: the runtime contract of a definition, and a typed service hosted by LocalService', async () => {
  assert.deepEqual(counter.actions[0], {
    name: 'Add',
    arguments: [
      { name: 'Step', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_Step' },
      { name: 'Label', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_Label' },
      { name: 'Loud', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_Loud' },
      { name: 'NewCount', direction: 'out', relatedStateVariable: 'Count' },
      { name: 'Said', direction: 'out', relatedStateVariable: 'A_ARG_TYPE_Label' },
    ],
  });
  assert.deepEqual(counter.stateVariables[1], { name: 'A_ARG_TYPE_Step', dataType: 'ui2', sendEvents: false, allowedRange: { minimum: 1, maximum: 10 } });
  const service = new LocalService(counterService(), silentLogger);
  const ctx = { remoteAddress: '127.0.0.1' };
  const add = (step: string, loud: string) => service.invoke({ action: 'Add', args: [['Step', step], ['Label', 'hi'], ['Loud', loud]] }, ctx);
  assert.deepEqual(await add('3', 'yes'), [['NewCount', '3'], ['Said', 'HI']]);
  assert.deepEqual(await add('4', '0'), [['NewCount', '7'], ['Said', 'hi']]);
  await assert.rejects(add('11', '0'), (e: unknown) => e instanceof UpnpError && e.errorCode === 601);
  assert.deepEqual(await service.invoke({ action: 'Reset', args: [] }, ctx), []);
});

test('typed contracts: defineErrors gives the table, the codes in name order, the guard and the error factory', () => {
  const names = { NotThere: 801, Broken: 800 } as const;
  const errors = defineErrors(names, {
    800: { errorDescription: 'Broken', meaning: 'It broke.' },
    801: { errorDescription: 'Not There', meaning: 'It is not there.' },
  });
  assert.deepEqual(errors.codes, [801, 800]);
  assert.equal(errors.isCode(800), true);
  assert.equal(errors.isCode(802), false);
  const err = errors.error(801, 'the thing "x"');
  assert.ok(err instanceof UpnpError);
  assert.equal(err.errorCode, 801);
  assert.equal(err.errorDescription, 'Not There');
  assert.equal(err.message, 'UPnP error 801: Not There (the thing "x")');
  assert.equal(errors.error(800).message, 'UPnP error 800: Broken');
});
