/**
 * Calls between TelCPs of the same home (a registered TelCPName as CalleeID, CallManagement 2.4.10)
 * never leave the house: this line wraps the real one and loops such calls back into the Telephony
 * Server as an incoming Call for the named TelCP. Every other call goes to the wrapped line.
 */
import type { CancelReason, Line, LineListener, OutgoingCallRequest, RejectStatus } from '../domain/index.js';

export class InHomeLine implements Line {
  private listener?: LineListener;
  /** Both legs of each in-home call: line id → the other leg's line id. */
  private readonly peers = new Map<string, string>();
  private next = 1;

  constructor(
    private readonly wan: Line,
    /** Whether a callee is a TelCP of this home. */
    private readonly isTelCP: (callee: string) => boolean,
    /** Runs a callback after the current action has been answered (the TS events in that order). */
    private readonly later: (fn: () => void) => void,
  ) {}

  identity(): string | undefined {
    return this.wan.identity();
  }

  setListener(listener: LineListener): void {
    this.listener = listener;
    this.wan.setListener(listener);
  }

  private local(id: string): string | undefined {
    return this.peers.get(id);
  }

  /** Reports to the other leg, after the action that caused it. */
  private toPeer(id: string, report: (l: LineListener, peer: string) => void): boolean {
    const peer = this.local(id);
    if (peer === undefined) return false;
    this.later(() => this.listener && report(this.listener, peer));
    return true;
  }

  private end(id: string): void {
    const peer = this.peers.get(id);
    this.peers.delete(id);
    if (peer !== undefined) this.peers.delete(peer);
  }

  place(request: OutgoingCallRequest): string {
    if (!this.isTelCP(request.callee)) return this.wan.place(request);
    const out = `home-${this.next++}`;
    const inc = `home-${this.next++}`;
    this.peers.set(out, inc);
    this.peers.set(inc, out);
    this.later(() => {
      this.listener?.incoming(inc, { id: request.caller ?? 'home' }, request.callee, request.sdpOffer);
      this.listener?.provisional(out);
    });
    return out;
  }

  answer(id: string, sdpAnswer: string | undefined): void {
    if (!this.toPeer(id, (l, peer) => l.answered(peer, sdpAnswer))) this.wan.answer(id, sdpAnswer);
  }

  reject(id: string, reason: 'Busy' | 'Rejected', status?: RejectStatus): void {
    if (this.toPeer(id, (l, peer) => l.failed(peer, reason))) this.end(id);
    else this.wan.reject(id, reason, status);
  }

  /** A TelCP calling inside the home cannot follow a redirect: its call fails (it may call the target itself). */
  redirect(id: string, target: string): void {
    if (this.toPeer(id, (l, peer) => l.failed(peer, 'Error'))) this.end(id);
    else this.wan.redirect(id, target);
  }

  cancel(id: string, reason?: CancelReason): void {
    if (this.toPeer(id, (l, peer) => l.remoteCancelled(peer))) this.end(id);
    else this.wan.cancel(id, reason);
  }

  hangUp(id: string): void {
    if (this.toPeer(id, (l, peer) => l.remoteHangUp(peer))) this.end(id);
    else this.wan.hangUp(id);
  }

  modify(id: string, sdpOffer: string): void {
    if (!this.toPeer(id, (l, peer) => l.remoteModify(peer, sdpOffer))) this.wan.modify(id, sdpOffer);
  }

  acceptModify(id: string, sdpAnswer: string): void {
    if (!this.toPeer(id, (l, peer) => l.modifyAccepted(peer, sdpAnswer))) this.wan.acceptModify(id, sdpAnswer);
  }

  rejectModify(id: string): void {
    if (!this.toPeer(id, (l, peer) => l.modifyRejected(peer))) this.wan.rejectModify(id);
  }

  watchAvailability(calleeId: string, watch: boolean): void {
    this.wan.watchAvailability(calleeId, watch);
  }
}
