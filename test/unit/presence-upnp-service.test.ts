/**
 * The Presence service of the Telephony Server (src/telephony/presence, names of UPnP Presence:1) over the presence
 * service: the contract and its SCPD, both actions through the hosting LocalService, the error codes, the fragment
 * built and read back, and events moderated when presence changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/base/logger.js';
import { DialogBook, PresenceService } from '../../src/phones/index.js';
import { parsePresence, PresenceAction, presenceContract, PresenceUpnpService } from '../../src/telephony/presence/index.js';
import { contractProblems, LocalService, UpnpError, type WireArgs } from '../../src/upnp/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { binding, ManualDnd, MemoryDirectory } from '../support/phone-fakes.js';
import { assertWellFormed, checkedScpd } from '../support/scpd-check.js';

const ctx = { remoteAddress: '127.0.0.1' };

test('the Presence contract is valid, its SCPD well-formed, and it bears the names of UPnP Presence:1', () => {
  assert.deepEqual(contractProblems(presenceContract), []);
  assertWellFormed(checkedScpd(presenceContract));
  assert.equal(presenceContract.serviceType, 'urn:schemas-upnp-org:service:Presence:1');
  assert.deepEqual(Object.keys(PresenceAction).sort(), ['GetContactPresence', 'GetPresenceOfContactsUpdate']);
});

test('Presence service: a contact\'s presence, everyone\'s, errors, and moderated events', async () => {
  const clock = new FakeClock(1_700_000_000_000);
  const directory = new MemoryDirectory();
  directory.add('21', { displayName: 'Kitchen <&>', user: 'anna' });
  directory.add('22');
  const dialogs = new DialogBook();
  const presence = new PresenceService({ directory, dialogs, dnd: new ManualDnd(), logger: silentLogger });
  const service = new PresenceUpnpService({ presence, clock });
  const local = new LocalService(service, silentLogger);
  const events: WireArgs[] = [];
  local.onEvent((vars) => events.push(vars));
  const invoke = async (action: string, args: Record<string, string> = {}) => Object.fromEntries(await local.invoke({ action, args: Object.entries(args) }, ctx));
  try {
    assert.deepEqual(parsePresence((await invoke('GetContactPresence', { TargetContact: '21' })).ContactPresence!), [
      { kind: 'extension', id: '21', displayName: 'Kitchen <&>', user: 'anna', state: 'offline' },
    ]);
    directory.setBindings('21', [binding('21', 5070)]);
    dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'confirmed' });
    assert.deepEqual(parsePresence((await invoke('GetContactPresence', { TargetContact: 'anna' })).ContactPresence!), [{ kind: 'user', id: 'anna', state: 'on-the-phone' }]);
    const all = parsePresence((await invoke('GetPresenceOfContactsUpdate')).ContactPresenceUpdate!)!;
    assert.deepEqual(all.map((c) => `${c.kind}:${c.id}:${c.state}`), ['extension:21:on-the-phone', 'extension:22:offline', 'user:anna:on-the-phone']);
    await assert.rejects(invoke('GetContactPresence', { TargetContact: '99' }), (e: unknown) => e instanceof UpnpError && e.errorCode === 701);
    await assert.rejects(invoke('GetContactPresence', { TargetContact: ' ' }), (e: unknown) => e instanceof UpnpError && e.errorCode === 402);
    // Two changes in a quiet period: one event, with both.
    events.length = 0;
    clock.advance(1000);
    events.length = 0;
    dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'terminated' });
    directory.setBindings('22', [binding('22', 5071)]);
    clock.advance(200);
    assert.equal(events.length, 1);
    const evented = parsePresence(events[0]!.find(([n]) => n === 'PresenceOfContactsUpdate')![1])!;
    assert.deepEqual(evented.map((c) => c.state), ['available', 'available', 'available']);
  } finally {
    service.close();
    presence.close();
  }
});
