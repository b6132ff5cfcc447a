/**
 * The Call state machine table against the action/state matrix of CallManagement 2.7.1 (and the
 * decisions in docs/decisions.md where the spec contradicts itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionAllowed, callActions, callStatuses, nextStatus, type CallAction, type CallReason, type CallStatus, type CallTrigger } from '../../src/telephony/domain/call-state-machine.js';
import { Call, callOutcomes } from '../../src/telephony/domain/call.js';

// Y = allowed, the rest answer 712. Columns in callStatuses order:
// Dialing Calling Ringing Connected Talking SendingModify ReceivingModify Modified ModifyFailed Disconnected
const matrix: Record<CallAction, string> = {
  AcceptCall: '..Y.......',
  RejectCall: '..Y...Y...',
  StopCall: 'YYYYYYYYY.',
  ModifyCall: '....Y.....',
  AcceptModifyCall: '......Y...',
  StartMediaTransfer: '...YY..YY.',
  ChangeMonopolizer: 'YY.YYYYYY.',
};

test('CallManagement 2.7.1: every (status, action) pair is allowed or answered 712 as the spec says', () => {
  for (const action of callActions) {
    callStatuses.forEach((status, i) => {
      assert.equal(actionAllowed(status, action), matrix[action][i] === 'Y', `${action} in ${status}`);
    });
  }
});

test('CallManagement 2.7.1.1: the caller path Dialing → Calling → Connected → Talking → Disconnected', () => {
  let s: CallStatus = 'Dialing';
  for (const [trigger, expected] of [
    ['RemoteProvisional', 'Calling'],
    ['RemoteAnswered', 'Connected'],
    ['StartMediaTransfer', 'Talking'],
    ['RemoteHangUp', 'Disconnected'],
  ] as const) {
    s = nextStatus(s, trigger)!;
    assert.equal(s, expected);
  }
});

test('CallManagement 2.7.1.2: the callee path Ringing → Connected → Talking, and Ringing ends on reject or caller cancel', () => {
  assert.equal(nextStatus('Ringing', 'AcceptCall'), 'Connected');
  assert.equal(nextStatus('Ringing', 'RejectCall'), 'Disconnected');
  assert.equal(nextStatus('Ringing', 'RemoteCancelled'), 'Disconnected');
  assert.equal(nextStatus('Ringing', 'RemoteHangUp'), undefined, 'a call not answered is cancelled, not hung up');
});

test('CallManagement 2.7.1.3 and 2.7.1.4: modify requests both ways, and ModifyFailed returns to Talking', () => {
  assert.equal(nextStatus('Talking', 'ModifyCall'), 'SendingModifyRequest');
  assert.equal(nextStatus('SendingModifyRequest', 'RemoteModifyAccepted'), 'Modified');
  assert.equal(nextStatus('SendingModifyRequest', 'RemoteModifyRejected'), 'ModifyFailed');
  assert.equal(nextStatus('Talking', 'RemoteModifyRequest'), 'ReceivingModifyRequest');
  assert.equal(nextStatus('ReceivingModifyRequest', 'AcceptModifyCall'), 'Modified');
  assert.equal(nextStatus('ReceivingModifyRequest', 'RejectCall'), 'ModifyFailed');
  assert.equal(nextStatus('ReceivingModifyRequest', 'RemoteModifyCancelled'), 'ModifyFailed');
  assert.equal(nextStatus('Modified', 'StartMediaTransfer'), 'Talking');
  assert.equal(nextStatus('ModifyFailed', 'StartMediaTransfer'), 'Talking');
  assert.equal(nextStatus('ModifyFailed', 'ModifyFailedGraceElapsed'), 'Talking');
});

test('Disconnected is final: nothing leaves it', () => {
  for (const t of [...callActions, 'RemoteAnswered', 'RemoteHangUp', 'RemoteProvisional'] as const) {
    assert.equal(nextStatus('Disconnected', t), undefined, t);
  }
});

test('a Call’s outcome: answered once Connected (whoever hangs up), else the reason of its end, failed without one', () => {
  const ended = (direction: 'incoming' | 'outgoing', steps: ReadonlyArray<readonly [CallTrigger, CallReason?]>): string => {
    const call = new Call('call-1', direction, { id: 'bob' }, 'line-1', 0);
    for (const [trigger, reason] of steps) assert.ok(call.apply(trigger, 1, reason), `${trigger} from ${call.status}`);
    assert.equal(call.status, 'Disconnected');
    return call.outcome;
  };
  assert.equal(ended('outgoing', [['RemoteProvisional'], ['RemoteAnswered'], ['StartMediaTransfer'], ['RemoteHangUp']]), 'answered');
  assert.equal(ended('incoming', [['AcceptCall'], ['StopCall']]), 'answered');
  assert.equal(ended('outgoing', [['RemoteFailed', 'Busy']]), 'busy');
  assert.equal(ended('outgoing', [['RemoteFailed', 'Not Found']]), 'not-found');
  assert.equal(ended('outgoing', [['RemoteFailed', 'Not Acceptable Capability']]), 'not-acceptable');
  assert.equal(ended('outgoing', [['RemoteFailed']]), 'failed');
  assert.equal(ended('outgoing', [['StopCall', 'Cancelled']]), 'cancelled');
  assert.equal(ended('incoming', [['RejectCall', 'Rejected']]), 'rejected');
  assert.equal(ended('incoming', [['RemoteCancelled', 'Cancelled']]), 'cancelled');
  assert.deepEqual([...callOutcomes].sort(), ['answered', 'busy', 'cancelled', 'failed', 'not-acceptable', 'not-found', 'rejected']);
});
