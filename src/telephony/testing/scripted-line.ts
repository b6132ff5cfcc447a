/**
 * A line whose WAN side is played by a test: it records every command the Telephony Server gives
 * it and lets the test report remote events. Used by the state-machine and sequence tests until
 * (and besides) the SIP line.
 */
import type { CancelReason, Line, LineFailure, LineListener, OutgoingCallRequest, RejectStatus, RemotePeer } from '../domain/index.js';

export type LineCommand =
  | { readonly kind: 'place'; readonly lineCallId: string; readonly request: OutgoingCallRequest }
  | { readonly kind: 'answer'; readonly lineCallId: string; readonly sdp: string | undefined }
  | { readonly kind: 'reject'; readonly lineCallId: string; readonly reason: 'Busy' | 'Rejected'; readonly status?: RejectStatus }
  | { readonly kind: 'redirect'; readonly lineCallId: string; readonly target: string }
  | { readonly kind: 'cancel'; readonly lineCallId: string; readonly reason?: CancelReason }
  | { readonly kind: 'hangUp'; readonly lineCallId: string }
  | { readonly kind: 'rejectModify'; readonly lineCallId: string }
  | { readonly kind: 'modify'; readonly lineCallId: string; readonly sdp: string }
  | { readonly kind: 'acceptModify'; readonly lineCallId: string; readonly sdp: string }
  | { readonly kind: 'watch'; readonly calleeId: string; readonly watch: boolean };

export class ScriptedLine implements Line {
  readonly commands: LineCommand[] = [];
  private listener?: LineListener;
  private next = 1;

  constructor(private aor: string | undefined = 'sip:home@127.0.0.1') {}

  identity(): string | undefined {
    return this.aor;
  }

  setIdentity(aor: string | undefined): void {
    this.aor = aor;
  }

  setListener(listener: LineListener): void {
    this.listener = listener;
  }

  /** The WAN side, as the test plays it. */
  get remote(): LineListener {
    if (!this.listener) throw new Error('no Telephony Server listens to this line');
    return this.listener;
  }

  /** A call comes in from `from`; returns its line id. */
  ring(from: RemotePeer, sdpOffer?: string, to = this.aor ?? ''): string {
    const id = `in-${this.next++}`;
    this.remote.incoming(id, from, to, sdpOffer);
    return id;
  }

  /** The last command of a kind, for assertions. */
  last<K extends LineCommand['kind']>(kind: K): Extract<LineCommand, { kind: K }> | undefined {
    return [...this.commands].reverse().find((c): c is Extract<LineCommand, { kind: K }> => c.kind === kind);
  }

  place(request: OutgoingCallRequest): string {
    const lineCallId = `out-${this.next++}`;
    this.commands.push({ kind: 'place', lineCallId, request });
    return lineCallId;
  }

  answer(lineCallId: string, sdp: string | undefined): void {
    this.commands.push({ kind: 'answer', lineCallId, sdp });
  }

  reject(lineCallId: string, reason: 'Busy' | 'Rejected', status?: RejectStatus): void {
    this.commands.push({ kind: 'reject', lineCallId, reason, ...(status !== undefined ? { status } : {}) });
  }

  redirect(lineCallId: string, target: string): void {
    this.commands.push({ kind: 'redirect', lineCallId, target });
  }

  cancel(lineCallId: string, reason?: CancelReason): void {
    this.commands.push({ kind: 'cancel', lineCallId, ...(reason ? { reason } : {}) });
  }

  hangUp(lineCallId: string): void {
    this.commands.push({ kind: 'hangUp', lineCallId });
  }

  modify(lineCallId: string, sdp: string): void {
    this.commands.push({ kind: 'modify', lineCallId, sdp });
  }

  acceptModify(lineCallId: string, sdp: string): void {
    this.commands.push({ kind: 'acceptModify', lineCallId, sdp });
  }

  rejectModify(lineCallId: string): void {
    this.commands.push({ kind: 'rejectModify', lineCallId });
  }

  watchAvailability(calleeId: string, watch: boolean): void {
    this.commands.push({ kind: 'watch', calleeId, watch });
  }

  /** Shorthand for a failure the remote side reports. */
  fail(lineCallId: string, reason: LineFailure): void {
    this.remote.failed(lineCallId, reason);
  }
}
