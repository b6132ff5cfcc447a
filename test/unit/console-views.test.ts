/**
 * What a screen shows of the TelCP library's views (src/console/views.ts): the call log as a person reads it
 * (CallLogs 2.4.18 says only whether a Call succeeded: the outcome is inferred, docs/decisions.md) and its search.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logEntryOf, searchLog } from '../../src/console/views.js';
import type { CallLog } from '../../src/telephony/control/index.js';

const log = (o: Partial<CallLog>): CallLog => ({
  type: 'audio',
  caller: [{ id: '0301234567', name: 'Alice' }],
  callee: [{ id: 'sip:home@127.0.0.1' }],
  startDateTime: '2026-12-07T10:00:00Z',
  ...o,
});

test('call log outcome: an incoming call that did not succeed is missed, an outgoing one failed, a successful one answered', () => {
  assert.equal(logEntryOf('uuid:l', log({ direction: 'incoming', success: false })).outcome, 'missed');
  assert.equal(logEntryOf('uuid:l', log({ direction: 'outgoing', success: false })).outcome, 'failed');
  assert.equal(logEntryOf('uuid:l', log({ direction: 'incoming', success: true, durationMs: 61_000 })).outcome, 'answered');
  // The schema makes success optional: a log without it is taken as answered.
  assert.equal(logEntryOf('uuid:l', log({})).outcome, 'answered');
  const e = logEntryOf('uuid:l', log({ direction: 'incoming', success: true, durationMs: 61_000 }));
  assert.deepEqual(e, { line: 'uuid:l', direction: 'incoming', outcome: 'answered', caller: '0301234567', callerName: 'Alice', callee: 'sip:home@127.0.0.1', start: '2026-12-07T10:00:00Z', durationMs: 61_000, type: 'audio' });
});

test('call log search matches numbers and names in either party, case-insensitively, newest first', () => {
  const entries = [
    logEntryOf('a', log({ startDateTime: '2026-12-07T09:00:00Z' })),
    logEntryOf('a', log({ startDateTime: '2026-12-07T11:00:00Z', caller: [{ id: '0409999', name: 'Bob' }] })),
    logEntryOf('b', log({ startDateTime: '2026-12-07T10:00:00Z', callee: [{ id: 'sip:carol@example.org', name: 'Carol' }] })),
  ];
  assert.deepEqual(searchLog(entries).map((e) => e.start), ['2026-12-07T11:00:00Z', '2026-12-07T10:00:00Z', '2026-12-07T09:00:00Z']);
  assert.deepEqual(searchLog(entries, 'bob').map((e) => e.caller), ['0409999']);
  assert.deepEqual(searchLog(entries, 'CAROL').map((e) => e.callee), ['sip:carol@example.org']);
  assert.equal(searchLog(entries, '030123').length, 2);
  assert.equal(searchLog(entries, 'nobody').length, 0);
});
