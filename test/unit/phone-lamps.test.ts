/** The lamps' wiring helpers (src/app/phone-lamps.ts): line Calls as dialogs, the sources' adapters, the presence relay, home networks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callHandlingDnd, inNetworks, lineDialog, PresenceRelay, voicemailMessages } from '../../src/app/phone-lamps.js';
import { silentLogger } from '../../src/base/logger.js';
import type { CallHandlingEvent, CallHandlingService } from '../../src/callhandling/index.js';
import { DialogBook, PresenceService, type PresenceEvent } from '../../src/phones/index.js';
import type { Call, CallStatus } from '../../src/telephony/domain/index.js';
import type { VoiceMailService } from '../../src/voicemail/index.js';
import { binding, ManualDnd, MemoryDirectory } from '../support/phone-fakes.js';

const call = (status: CallStatus, direction: 'incoming' | 'outgoing' = 'incoming') =>
  ({ callID: 'c1', direction, status, remoteParty: { id: '+4930123', name: 'Alice' } }) as unknown as Call;

test('a line\'s Call as a busy lamp dialog: Dialing trying, Calling/Ringing early, Talking & co confirmed, Disconnected terminated', () => {
  const states: Array<[CallStatus, string]> = [['Dialing', 'trying'], ['Calling', 'early'], ['Ringing', 'early'], ['Connected', 'confirmed'], ['Talking', 'confirmed'], ['ReceivingModifyRequest', 'confirmed'], ['Disconnected', 'terminated']];
  for (const [status, state] of states) assert.equal(lineDialog(call(status)).state, state, status);
  assert.deepEqual(lineDialog(call('Ringing')), { id: 'c1', direction: 'recipient', state: 'early', remote: { identity: '+4930123', displayName: 'Alice' } });
  assert.equal(lineDialog(call('Calling', 'outgoing')).direction, 'initiator');
});

test('the voicemail\'s counts as new/old messages, the call-handling DND as a DND source', () => {
  let info = { unread: 2, total: 5 };
  const listeners: Array<() => void> = [];
  const vm = { info: () => info, onChange: (l: () => void) => (listeners.push(l), () => undefined) } as unknown as VoiceMailService;
  const messages = voicemailMessages(vm);
  assert.deepEqual(messages.summary(), { newMessages: 2, oldMessages: 3 });
  let told = 0;
  messages.onChange(() => told++);
  info = { unread: 0, total: 5 };
  for (const l of listeners) l();
  assert.deepEqual([told, messages.summary().newMessages], [1, 0]);
  let on = false;
  const handlers: Array<(e: CallHandlingEvent) => void> = [];
  const ch = { dnd: () => on, onEvent: (l: (e: CallHandlingEvent) => void) => (handlers.push(l), () => undefined) } as unknown as CallHandlingService;
  const dnd = callHandlingDnd(ch);
  let changes = 0;
  dnd.onChange(() => changes++);
  on = true;
  for (const h of handlers) h({ type: 'dnd', on: true, by: 'web:admin' });
  for (const h of handlers) h({ type: 'activation', status: {} } as unknown as CallHandlingEvent);
  assert.deepEqual([dnd.dnd(), changes], [true, 1], 'only DND events');
});

test('the presence relay is empty until attached, then the service\'s, telling everyone\'s presence at once and each change', () => {
  const relay = new PresenceRelay();
  const events: PresenceEvent[] = [];
  relay.onChange((e) => events.push(e));
  assert.deepEqual(relay.snapshot(), { extensions: [], users: [] });
  assert.equal(relay.extension('21'), undefined);
  const directory = new MemoryDirectory();
  directory.add('21', { user: 'anna' });
  const presence = new PresenceService({ directory, dialogs: new DialogBook(), dnd: new ManualDnd(), logger: silentLogger });
  relay.attach(presence);
  assert.deepEqual(events, [{ type: 'extension', number: '21', state: 'offline' }]);
  directory.setBindings('21', [binding('21', 5070)]);
  assert.equal(relay.user('anna')!.state, 'available');
  assert.deepEqual(events.slice(1).map((e) => e.state), ['available', 'available']);
  relay.release();
  directory.setBindings('21', []);
  assert.equal(events.length, 3, 'released: nothing more');
  presence.close();
});

test('home networks: IPv4 (and IPv4-mapped) addresses inside the CIDRs only', () => {
  const home = inNetworks(['192.168.0.0/16', '127.0.0.0/8']);
  assert.equal(home('192.168.1.20'), true);
  assert.equal(home('::ffff:127.0.0.1'), true);
  assert.equal(home('10.0.0.1'), false);
  assert.equal(home('2001:db8::1'), false);
});
