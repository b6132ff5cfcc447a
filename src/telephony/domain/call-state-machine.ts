/**
 * The Call state machine of CallManagement:1 as one explicit table (sections 2.7.1.1–2.7.1.4,
 * Tables 2-4 and 2-5). Every change of a Call's status goes through `nextStatus`; an action with
 * no row for the Call's current status is answered with 712 Invalid Call Status.
 *
 * Where the spec contradicts itself (see docs/decisions.md): a ModifyFailed call returns to Talking
 * on StartMediaTransfer, or by itself after a grace period if the TelCP never invokes it; a
 * Disconnected call is kept briefly so that late actions get 712 rather than 703.
 */
export const callStatuses = [
  'Dialing',
  'Calling',
  'Ringing',
  'Connected',
  'Talking',
  'SendingModifyRequest',
  'ReceivingModifyRequest',
  'Modified',
  'ModifyFailed',
  'Disconnected',
] as const;
export type CallStatus = (typeof callStatuses)[number];

/** Table 2-5. */
export type CallReason =
  | 'Busy'
  | 'Rejected'
  | 'Not Found'
  | 'Not Acceptable Capability'
  | 'Cancelled'
  | 'Accepted by TS'
  | 'Initiated by TS';

/** What can move a Call: an action of a TelCP, or an event from the line (the WAN side). */
export type CallTrigger =
  // actions
  | 'AcceptCall'
  | 'RejectCall'
  | 'StopCall'
  | 'ModifyCall'
  | 'AcceptModifyCall'
  | 'StartMediaTransfer'
  | 'ChangeMonopolizer'
  // line events
  | 'RemoteProvisional'
  | 'RemoteAnswered'
  | 'RemoteFailed'
  | 'RemoteCancelled'
  | 'RemoteHangUp'
  | 'RemoteModifyRequest'
  | 'RemoteModifyAccepted'
  | 'RemoteModifyRejected'
  | 'RemoteModifyCancelled'
  // the TS itself: its own media answered a Call, or a forward it bridged was answered (TS-based media handling)
  | 'TSMediaStarted'
  // time
  | 'ModifyFailedGraceElapsed';

export type CallAction = Extract<
  CallTrigger,
  'AcceptCall' | 'RejectCall' | 'StopCall' | 'ModifyCall' | 'AcceptModifyCall' | 'StartMediaTransfer' | 'ChangeMonopolizer'
>;

export const callActions: readonly CallAction[] = [
  'AcceptCall',
  'RejectCall',
  'StopCall',
  'ModifyCall',
  'AcceptModifyCall',
  'StartMediaTransfer',
  'ChangeMonopolizer',
];

/** Where a new Call starts: StartCall/InitiateCall → Dialing (2.7.1.1-1), an incoming Call → Ringing (2.7.1.2-1). */
export const initialStatus = { outgoing: 'Dialing', incoming: 'Ringing' } as const satisfies Record<string, CallStatus>;

interface Row {
  readonly from: readonly CallStatus[];
  readonly trigger: CallTrigger;
  /** The next status; `same` keeps it (the Call still changes, e.g. a new Monopolizer). */
  readonly to: CallStatus | 'same';
  /** The spec section (or our decision) behind the row. */
  readonly basis: string;
}

const established: readonly CallStatus[] = ['Connected', 'Talking', 'SendingModifyRequest', 'ReceivingModifyRequest', 'Modified', 'ModifyFailed'];
const live: readonly CallStatus[] = ['Dialing', 'Calling', 'Ringing', ...established];

export const transitions: readonly Row[] = [
  { from: ['Dialing'], trigger: 'RemoteProvisional', to: 'Calling', basis: '2.7.1.1-2' },
  { from: ['Calling'], trigger: 'RemoteProvisional', to: 'same', basis: 'a second provisional response changes nothing' },
  { from: ['Dialing', 'Calling'], trigger: 'RemoteAnswered', to: 'Connected', basis: '2.7.1.1-3' },
  { from: ['Dialing', 'Calling'], trigger: 'RemoteFailed', to: 'Disconnected', basis: '2.7.1.1-6, Table 2-5' },
  { from: ['Ringing'], trigger: 'AcceptCall', to: 'Connected', basis: '2.6.9.3, 2.7.1.2-2' },
  { from: ['Ringing'], trigger: 'RejectCall', to: 'Disconnected', basis: '2.6.10.3, 2.7.1.2-4' },
  { from: ['Ringing'], trigger: 'RemoteCancelled', to: 'Disconnected', basis: '2.7.1.2-5' },
  { from: live, trigger: 'StopCall', to: 'Disconnected', basis: '2.6.8.3, 2.7.1.1-5, 2.7.1.2-4, 2.7.1.3-6, 2.7.1.4-6' },
  { from: established, trigger: 'RemoteHangUp', to: 'Disconnected', basis: '2.7.1.1-6, 2.7.1.2-5, 2.7.1.3-7, 2.7.1.4-7' },
  { from: ['Connected', 'Modified', 'ModifyFailed'], trigger: 'StartMediaTransfer', to: 'Talking', basis: '2.6.13.3, 2.6.13.4' },
  { from: ['Talking'], trigger: 'StartMediaTransfer', to: 'same', basis: 'C.19 F23, C.21 F21: another TC joins' },
  { from: ['Talking'], trigger: 'ModifyCall', to: 'SendingModifyRequest', basis: '2.6.11.3, 2.7.1.3-1' },
  { from: ['SendingModifyRequest'], trigger: 'RemoteModifyAccepted', to: 'Modified', basis: '2.6.11.3, 2.7.1.3-2' },
  { from: ['SendingModifyRequest'], trigger: 'RemoteModifyRejected', to: 'ModifyFailed', basis: '2.6.11.3, 2.7.1.3-3' },
  { from: ['Talking'], trigger: 'RemoteModifyRequest', to: 'ReceivingModifyRequest', basis: '2.6.12.3, 2.7.1.4-1' },
  { from: ['ReceivingModifyRequest'], trigger: 'AcceptModifyCall', to: 'Modified', basis: '2.6.12.3, 2.7.1.4-2' },
  { from: ['ReceivingModifyRequest'], trigger: 'RejectCall', to: 'ModifyFailed', basis: '2.6.10.3, 2.7.1.4-3' },
  { from: ['ReceivingModifyRequest'], trigger: 'RemoteModifyCancelled', to: 'ModifyFailed', basis: 'Table 2-5 (Cancelled)' },
  { from: ['Connected'], trigger: 'TSMediaStarted', to: 'Talking', basis: '2.3.4.2, Table 2-5 "Accepted by TS": no StartMediaTransfer follows' },
  { from: ['ModifyFailed'], trigger: 'ModifyFailedGraceElapsed', to: 'Talking', basis: '2.7.1.3-5, 2.7.1.4-5 (automatic return)' },
  {
    from: ['Dialing', 'Calling', 'Connected', 'Talking', 'SendingModifyRequest', 'ReceivingModifyRequest', 'Modified', 'ModifyFailed'],
    trigger: 'ChangeMonopolizer',
    to: 'same',
    basis: '2.6.14.3, 2.6.14.4 (not while Ringing)',
  },
];

/** The status a trigger leads to from `status`, or undefined when the table has no such move. */
export function nextStatus(status: CallStatus, trigger: CallTrigger): CallStatus | undefined {
  const row = transitions.find((r) => r.trigger === trigger && r.from.includes(status));
  if (!row) return undefined;
  return row.to === 'same' ? status : row.to;
}

/** True when the action may be invoked on a Call in this status (otherwise 712). */
export function actionAllowed(status: CallStatus, action: CallAction): boolean {
  return nextStatus(status, action) !== undefined;
}
