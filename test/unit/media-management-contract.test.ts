/**
 * MediaManagement:1 contract conformance: the ServiceContract (src/telephony/contracts/media-management) and the
 * Telephony Client device against the fact sheet test/fixtures/media-management/actions.json, written by hand
 * from the MediaManagement steps that Appendix C of CallManagement:1 prints (and issue 5 for ModifyMediaSession).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { contractProblems, findAction, findStateVariable, UpnpError } from '../../src/upnp/index.js';
import {
  isMediaManagementErrorCode,
  MediaManagementAction,
  MediaManagementErrorCode,
  MediaManagementVariable,
  mediaManagementActionErrors,
  mediaManagementContract as contract,
  mediaManagementErrors,
  mediaManagementServiceId,
  mediaManagementServiceType,
  mmError,
  type MediaManagementActionName,
} from '../../src/telephony/contracts/media-management/index.js';
import { callManagementErrors } from '../../src/telephony/contracts/call-management/errors.js';
import { telephonyClientDevice, telephonyClientType } from '../../src/telephony/client/telephony-client-device.js';
import { MediaManagementService } from '../../src/telephony/client/media-management-service.js';
import { FakeMediaSessions } from '../../src/telephony/testing/fake-media-sessions.js';
import { silentLogger } from '../../src/base/logger.js';
import { systemClock } from '../../src/base/clock.js';
import { checkedScpd } from '../support/scpd-check.js';

interface SheetArgument {
  name: string;
  relatedStateVariable: string;
}
interface FactSheet {
  deviceType: string;
  serviceType: string;
  serviceId: string;
  actions: Array<{ name: string; in: SheetArgument[]; out: SheetArgument[]; printedIn: string[]; errors: number[] }>;
  stateVariables: Array<{ name: string; dataType: string; evented: boolean }>;
  mediaSessionStatus: { values: string[] };
  errorCodes: Array<{ code: number; errorDescription: string; like: string }>;
}

const sheet = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/media-management/actions.json', import.meta.url)), 'utf8'),
) as FactSheet;

test('MediaManagement: service type, serviceId and the Telephony Client device type', () => {
  assert.equal(contract.serviceType, sheet.serviceType);
  assert.equal(contract.serviceId, sheet.serviceId);
  assert.equal(mediaManagementServiceType, 'urn:schemas-upnp-org:service:MediaManagement:1');
  assert.equal(mediaManagementServiceId, 'urn:upnp-org:serviceId:MediaManagement');
  assert.equal(telephonyClientType, sheet.deviceType);
  const service = new MediaManagementService({ port: new FakeMediaSessions(), clock: systemClock, logger: silentLogger });
  const device = telephonyClientDevice({ udn: 'uuid:tc-1', friendlyName: 'TV', mediaManagement: service });
  assert.equal(device.info.deviceType, 'urn:schemas-upnp-org:device:TelephonyClient:1');
  assert.equal(device.info.udn, 'uuid:tc-1');
  assert.deepEqual(device.services.map((s) => s.contract.serviceId), ['urn:upnp-org:serviceId:MediaManagement']);
});

test('MediaManagement: the five actions, spelled as printed', () => {
  assert.deepEqual(contract.actions.map((a) => a.name), sheet.actions.map((a) => a.name));
  assert.deepEqual(Object.values(MediaManagementAction), sheet.actions.map((a) => a.name));
  // Every action but ModifyMediaSession is printed in Appendix C.
  assert.deepEqual(sheet.actions.filter((a) => a.printedIn.length === 0).map((a) => a.name), ['ModifyMediaSession']);
});

for (const expected of sheet.actions) {
  test(`MediaManagement: ${expected.name} arguments (names, order, directions, relatedStateVariable)`, () => {
    const action = findAction(contract, expected.name);
    assert.ok(action, `${expected.name} is missing`);
    assert.deepEqual(
      action.arguments.map((a) => ({ name: a.name, direction: a.direction, relatedStateVariable: a.relatedStateVariable })),
      [
        ...expected.in.map((a) => ({ name: a.name, direction: 'in', relatedStateVariable: a.relatedStateVariable })),
        ...expected.out.map((a) => ({ name: a.name, direction: 'out', relatedStateVariable: a.relatedStateVariable })),
      ],
    );
    assert.ok(action.arguments.every((a) => !a.retval && !a.aliases));
  });

  test(`MediaManagement: ${expected.name} error codes`, () => {
    assert.deepEqual([...mediaManagementActionErrors[expected.name as MediaManagementActionName]], expected.errors);
  });
}

test('MediaManagement: the state variables, their types, and that only MediaSessionInfo is evented', () => {
  assert.deepEqual(
    contract.stateVariables.map((v) => ({ name: v.name, dataType: v.dataType, evented: v.sendEvents })),
    sheet.stateVariables.map((v) => ({ name: v.name, dataType: v.dataType, evented: v.evented })),
  );
  assert.deepEqual(Object.values(MediaManagementVariable), sheet.stateVariables.map((v) => v.name));
  for (const v of contract.stateVariables) {
    assert.equal(v.allowedValues, undefined, `${v.name} has no allowedValueList`);
    assert.equal(v.defaultValue, undefined);
  }
  for (const action of contract.actions) {
    for (const arg of action.arguments) assert.ok(findStateVariable(contract, arg.relatedStateVariable), `${action.name}.${arg.name}`);
  }
  assert.deepEqual(contractProblems(contract), []);
});

test('MediaManagement: the generated SCPD is well-formed (xmllint) and parses back to the contract', () => {
  checkedScpd(contract);
});

test('MediaManagement errors: each code, its text, and the CallManagement code it mirrors', () => {
  assert.deepEqual(Object.keys(mediaManagementErrors).map(Number), sheet.errorCodes.map((e) => e.code));
  for (const e of sheet.errorCodes) {
    assert.ok(isMediaManagementErrorCode(e.code));
    const err = mmError(e.code);
    assert.ok(err instanceof UpnpError);
    assert.equal(err.errorCode, e.code);
    assert.equal(err.errorDescription, e.errorDescription);
    const cm = callManagementErrors[e.code as keyof typeof callManagementErrors];
    assert.ok(cm, `${e.code} is also a CallManagement code`);
    assert.equal(`CallManagement ${e.code} ${cm.errorDescription}`, e.like);
  }
  assert.equal(isMediaManagementErrorCode(701), false);
  assert.deepEqual(Object.keys(mediaManagementActionErrors).sort(), contract.actions.map((a) => a.name).sort());
});

test('MediaManagement errors: mmError keeps the detail out of the wire errorDescription', () => {
  const err = mmError(MediaManagementErrorCode.InvalidMediaSessionID, 'no media session "m9"');
  assert.equal(err.errorDescription, 'Invalid MediaSessionID');
  assert.match(err.message, /703/);
  assert.match(err.message, /m9/);
  assert.equal(mmError(MediaManagementErrorCode.Busy).message, 'UPnP error 708: Busy');
});
