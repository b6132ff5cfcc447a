/** LocalService.invoke and set() (UDA 1.0 sections 3.2.1, 3.2.2 and 4.2), with the Echo test service. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/base/logger.js';
import { LocalService } from '../../src/upnp/device-host/local-service.js';
import { UpnpError, type ActionArgs, type ServiceImplementation } from '../../src/upnp/model/index.js';
import type { WireArgs } from '../../src/upnp/soap/envelope.js';
import { echo, echoContract, switchPower } from '../support/switch-power.js';
import { errorDetail } from '../../src/base/index.js';

const ctx = { remoteAddress: '127.0.0.1' };

function echoService(): LocalService {
  return new LocalService(echo, silentLogger);
}

function echoArgs(text = 'hi', count = '2', mode = 'plain'): WireArgs {
  return [
    ['Text', text],
    ['Count', count],
    ['Mode', mode],
  ];
}

async function rejectsWith(p: Promise<unknown>, code: number, what: string): Promise<UpnpError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UpnpError, `${what}: expected a UpnpError ${code}, got ${errorDetail(caught)}`);
  assert.equal(caught.errorCode, code, `${what}: ${caught.errorDescription}`);
  return caught;
}

test('UDA 1.0 3.2.1: a valid Echo call returns its out arguments as wire text', async () => {
  const svc = echoService();
  assert.deepEqual(await svc.invoke({ action: 'Echo', args: echoArgs('hi', '21', 'loud') }, ctx), [
    ['Result', 'HI'],
    ['Doubled', '42'],
  ]);
});

test('UDA 1.0 3.2.2: an unknown action is refused with 401 Invalid Action', async () => {
  const err = await rejectsWith(echoService().invoke({ action: 'Nope', args: [] }, ctx), 401, 'unknown action');
  assert.match(err.errorDescription, /^Invalid Action/);
});

test('UDA 1.0 3.2.2: a missing in argument is refused with 402 Invalid Args', async () => {
  const svc = echoService();
  await rejectsWith(svc.invoke({ action: 'Echo', args: [['Text', 'x'], ['Count', '1']] }, ctx), 402, 'missing Mode');
  await rejectsWith(svc.invoke({ action: 'Echo', args: [] }, ctx), 402, 'no arguments');
});

test('UDA 1.0 3.2.2: an extra argument is refused with 402 Invalid Args', async () => {
  const svc = echoService();
  await rejectsWith(svc.invoke({ action: 'Echo', args: [...echoArgs(), ['Extra', '1']] }, ctx), 402, 'extra argument');
  await rejectsWith(svc.invoke({ action: 'Echo', args: [...echoArgs(), ['Result', 'x']] }, ctx), 402, 'an out argument sent as in');
});

test('UDA 1.0 3.2.2: a duplicate argument is refused with 402 Invalid Args', async () => {
  await rejectsWith(echoService().invoke({ action: 'Echo', args: [...echoArgs(), ['Text', 'again']] }, ctx), 402, 'duplicate Text');
});

test('UDA 1.0 3.2.2: a mistyped argument is refused with 402 Invalid Args', async () => {
  const svc = echoService();
  await rejectsWith(svc.invoke({ action: 'Echo', args: echoArgs('x', 'abc') }, ctx), 402, 'i4 "abc"');
  await rejectsWith(svc.invoke({ action: 'Echo', args: echoArgs('x', '1.5') }, ctx), 402, 'i4 "1.5"');
  await rejectsWith(svc.invoke({ action: 'Echo', args: echoArgs('x', '') }, ctx), 402, 'i4 ""');
  await rejectsWith(svc.invoke({ action: 'Fail', args: [['Code', '-1']] }, ctx), 402, 'ui4 "-1"');
});

test('UDA 1.0 3.2.2: a value outside allowedValueList is refused with 600 Argument Value Invalid', async () => {
  const svc = echoService();
  await rejectsWith(svc.invoke({ action: 'Echo', args: echoArgs('x', '1', 'quiet') }, ctx), 600, 'Mode quiet');
  await rejectsWith(svc.invoke({ action: 'Echo', args: echoArgs('x', '1', 'PLAIN') }, ctx), 600, 'allowed values are case-sensitive');
});

test('UDA 1.0 3.2.2: a value outside allowedValueRange is refused with 601 Argument Value Out of Range', async () => {
  const svc = echoService();
  await rejectsWith(svc.invoke({ action: 'Echo', args: echoArgs('x', '1001') }, ctx), 601, 'Count 1001');
  await rejectsWith(svc.invoke({ action: 'Echo', args: echoArgs('x', '-1001') }, ctx), 601, 'Count -1001');
  assert.deepEqual(await svc.invoke({ action: 'Echo', args: echoArgs('x', '1000') }, ctx), [['Result', 'x'], ['Doubled', '2000']]);
  assert.deepEqual(await svc.invoke({ action: 'Echo', args: echoArgs('x', '-1000') }, ctx), [['Result', 'x'], ['Doubled', '-2000']]);
});

test('UDA 1.0 3.2.2: a handler throwing something other than a UpnpError gives 501 Action Failed', async () => {
  const err = await rejectsWith(echoService().invoke({ action: 'Fail', args: [['Code', '714']] }, ctx), 501, 'Fail');
  assert.equal(err.errorDescription, 'Action Failed', 'the internal error text is not leaked');
});

test('UDA 1.0 3.2.2: a UpnpError thrown by the handler goes out unchanged', async () => {
  const impl: ServiceImplementation = {
    contract: echoContract,
    attach: (state) => ({
      ...echo.attach(state),
      Fail: (args) => {
        throw new UpnpError(Number(args.Code), 'Custom failure');
      },
    }),
  };
  const err = await rejectsWith(new LocalService(impl, silentLogger).invoke({ action: 'Fail', args: [['Code', '714']] }, ctx), 714, 'custom');
  assert.equal(err.errorDescription, 'Custom failure');
});

test('UDA 1.0 3.2.1: the handler receives typed arguments and the caller address', async () => {
  const seen: Array<{ args: ActionArgs; remoteAddress: string }> = [];
  const impl: ServiceImplementation = {
    contract: echoContract,
    attach: (state) => {
      const real = echo.attach(state);
      return {
        ...real,
        Echo: (args, c) => {
          seen.push({ args, remoteAddress: c.remoteAddress });
          return real.Echo!(args, c);
        },
      };
    },
  };
  const svc = new LocalService(impl, silentLogger);
  await svc.invoke({ action: 'Echo', args: [['Mode', 'loud'], ['Count', ' -7 '], ['Text', '<b>&amp;</b>']] }, { remoteAddress: '127.0.0.9' });
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0], { args: { Text: '<b>&amp;</b>', Count: -7, Mode: 'loud' }, remoteAddress: '127.0.0.9' });
  assert.equal(typeof seen[0].args.Count, 'number');
});

test('UDA 1.0 3.2.1: a boolean argument reaches the handler as a boolean, whatever its wire form', async () => {
  const svc = new LocalService(switchPower, silentLogger);
  for (const [wire, want] of [['yes', '1'], ['true', '1'], ['0', '0'], ['no', '0']] as const) {
    await svc.invoke({ action: 'SetTarget', args: [['newTargetValue', wire]] }, ctx);
    assert.equal(typeof svc.get('Target'), 'boolean');
    assert.deepEqual(await svc.invoke({ action: 'GetTarget', args: [] }, ctx), [['RetTargetValue', want]]);
  }
});

test('UDA 1.0 3.2.2: out arguments come back in contract order whatever order the handler uses', async () => {
  const impl: ServiceImplementation = {
    contract: echoContract,
    attach: (state) => ({
      ...echo.attach(state),
      Echo: () => ({ Doubled: 8, Result: 'r' }),
    }),
  };
  const out = await new LocalService(impl, silentLogger).invoke({ action: 'Echo', args: echoArgs() }, ctx);
  assert.deepEqual(out, [
    ['Result', 'r'],
    ['Doubled', '8'],
  ]);
});

test('UDA 1.0 3.2.2: a handler that leaves out an out argument gives 501', async () => {
  const impl: ServiceImplementation = {
    contract: echoContract,
    attach: (state) => ({ ...echo.attach(state), Echo: () => ({ Result: 'r' }) }),
  };
  await rejectsWith(new LocalService(impl, silentLogger).invoke({ action: 'Echo', args: echoArgs() }, ctx), 501, 'Doubled missing');
});

test('UDA 1.0 3.2.2: a handler returning an out value not of its type gives 501 (a UpnpError, not a TypeError)', async () => {
  const impl: ServiceImplementation = {
    contract: echoContract,
    attach: (state) => ({ ...echo.attach(state), Echo: () => ({ Result: 'r', Doubled: 1.5 }) }),
  };
  await rejectsWith(new LocalService(impl, silentLogger).invoke({ action: 'Echo', args: echoArgs() }, ctx), 501, 'Doubled 1.5 as i4');
});

test('UDA 1.0 4.2: set() events only the variables with sendEvents', () => {
  const svc = echoService();
  const events: WireArgs[] = [];
  svc.onEvent((vars) => events.push(vars));
  svc.set({ LastText: 'one', A_ARG_TYPE_Text: 'not evented', A_ARG_TYPE_Count: 5 });
  assert.deepEqual(events, [[['LastText', 'one']]]);
  svc.set({ A_ARG_TYPE_Mode: 'loud', A_ARG_TYPE_Code: 1 });
  assert.equal(events.length, 1, 'a change of non-evented variables only sends no event');
  assert.equal(svc.get('A_ARG_TYPE_Mode'), 'loud', 'but the value is kept');
  assert.throws(() => svc.set({ NoSuchVariable: 1 }));
});

test('UDA 1.0 4.2: invoking Echo events LastText, and eventedState lists the evented variables only', async () => {
  const svc = echoService();
  const events: WireArgs[] = [];
  svc.onEvent((vars) => events.push(vars));
  assert.deepEqual(svc.eventedState(), [['LastText', '']]);
  await svc.invoke({ action: 'Echo', args: echoArgs('a\r\nb') }, ctx);
  assert.deepEqual(events, [[['LastText', 'a\r\nb']]]);
  assert.deepEqual(svc.eventedState(), [['LastText', 'a\r\nb']]);
});

test('UDA 1.0 4.2: evented booleans go out as 0/1; defaultValue is the initial value', () => {
  const svc = new LocalService(switchPower, silentLogger);
  const events: WireArgs[] = [];
  svc.onEvent((vars) => events.push(vars));
  assert.equal(svc.get('Status'), false);
  assert.deepEqual(svc.eventedState(), [['Status', '0']]);
  svc.set({ Target: true, Status: true });
  assert.deepEqual(events, [[['Status', '1']]]);
});

test('a contract with an argument bound to an unknown state variable, or a missing handler, is refused', () => {
  assert.throws(
    () =>
      new LocalService(
        {
          contract: {
            ...echoContract,
            actions: [{ name: 'X', arguments: [{ name: 'A', direction: 'in', relatedStateVariable: 'Nope' }] }],
          },
          attach: () => ({ X: () => ({}) }),
        },
        silentLogger,
      ),
    /unknown relatedStateVariable/,
  );
  assert.throws(() => new LocalService({ contract: echoContract, attach: () => ({}) }, silentLogger), /no handler/);
});
