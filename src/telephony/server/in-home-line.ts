/**
 * Calls between TelCPs of the same home (a registered TelCPName as CalleeID, CallManagement 2.4.10)
 * never leave the house: this line wraps the real one and loops such calls back into the Telephony
 * Server as an incoming Call for the named TelCP. Once the phones of the home are reached (`reachPhones`,
 * issue 14), a call to an extension goes to the phones' line (its registered devices ring). Every other call
 * goes to the wrapped line.
 */
import type { CancelReason, Line, LineListener, OutgoingCallRequest, RejectStatus } from '../domain/index.js';

/** The phones of the home as callees: their line (an extension is called as its number) and who is an extension. */
export interface PhoneExtensions {
  readonly line: Line;
  isExtension(callee: string): boolean;
}

export class InHomeLine implements Line {
  private listener?: LineListener;
  /** Both legs of each in-home call: line id → the other leg's line id. */
  private readonly peers = new Map<string, string>();
  private next = 1;
  private phones?: PhoneExtensions;
  /** The calls placed on the phones' line, until they end. */
  private readonly onPhones = new Set<string>();

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
    this.phones?.line.setListener(this.phoneListener(listener));
  }

  /** Calls to extensions go to the phones' line from now on. */
  reachPhones(phones: PhoneExtensions): void {
    this.phones = phones;
    if (this.listener) phones.line.setListener(this.phoneListener(this.listener));
  }

  /** The line a call of ours is on (the phones' or the wrapped one); forgets a phones' call that `ends`. */
  private lineOf(id: string, ends = false): Line {
    if (!this.phones || !this.onPhones.has(id)) return this.wan;
    if (ends) this.onPhones.delete(id);
    return this.phones.line;
  }

  /** The TS's listener for the phones' line, forgetting each call once it is over. */
  private phoneListener(l: LineListener): LineListener {
    const over = (id: string): void => void this.onPhones.delete(id);
    return {
      incoming: (...a) => l.incoming(...a),
      provisional: (id) => l.provisional(id),
      answered: (id, sdp) => l.answered(id, sdp),
      failed: (id, reason) => (over(id), l.failed(id, reason)),
      remoteCancelled: (id) => (over(id), l.remoteCancelled(id)),
      remoteHangUp: (id) => (over(id), l.remoteHangUp(id)),
      remoteModify: (id, offer) => l.remoteModify(id, offer),
      remoteModifyCancelled: (id) => l.remoteModifyCancelled(id),
      modifyAccepted: (id, answer) => l.modifyAccepted(id, answer),
      modifyRejected: (id) => l.modifyRejected(id),
      availability: (callee, available) => l.availability(callee, available),
    };
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
    if (this.phones?.isExtension(request.callee)) {
      const id = this.phones.line.place(request);
      this.onPhones.add(id);
      return id;
    }
    if (!this.isTelCP(request.callee)) return this.wan.place(request);
    const out = `home-${this.next++}`;
    const inc = `home-${this.next++}`;
    this.peers.set(out, inc);
    this.peers.set(inc, out);
    this.later(() => {
      this.listener?.incoming(inc, request.callerId ?? { id: request.caller ?? 'home' }, request.callee, request.sdpOffer);
      this.listener?.provisional(out);
    });
    return out;
  }

  answer(id: string, sdpAnswer: string | undefined): void {
    if (!this.toPeer(id, (l, peer) => l.answered(peer, sdpAnswer))) this.lineOf(id).answer(id, sdpAnswer);
  }

  reject(id: string, reason: 'Busy' | 'Rejected', status?: RejectStatus): void {
    if (this.toPeer(id, (l, peer) => l.failed(peer, reason))) this.end(id);
    else this.lineOf(id, true).reject(id, reason, status);
  }

  /** A TelCP calling inside the home cannot follow a redirect: its call fails (it may call the target itself). */
  redirect(id: string, target: string): void {
    if (this.toPeer(id, (l, peer) => l.failed(peer, 'Error'))) this.end(id);
    else this.lineOf(id, true).redirect(id, target);
  }

  cancel(id: string, reason?: CancelReason): void {
    if (this.toPeer(id, (l, peer) => l.remoteCancelled(peer))) this.end(id);
    else this.lineOf(id, true).cancel(id, reason);
  }

  hangUp(id: string): void {
    if (this.toPeer(id, (l, peer) => l.remoteHangUp(peer))) this.end(id);
    else this.lineOf(id, true).hangUp(id);
  }

  modify(id: string, sdpOffer: string): void {
    if (!this.toPeer(id, (l, peer) => l.remoteModify(peer, sdpOffer))) this.lineOf(id).modify(id, sdpOffer);
  }

  acceptModify(id: string, sdpAnswer: string): void {
    if (!this.toPeer(id, (l, peer) => l.modifyAccepted(peer, sdpAnswer))) this.lineOf(id).acceptModify(id, sdpAnswer);
  }

  rejectModify(id: string): void {
    if (!this.toPeer(id, (l, peer) => l.modifyRejected(peer))) this.lineOf(id).rejectModify(id);
  }

  watchAvailability(calleeId: string, watch: boolean): void {
    this.wan.watchAvailability(calleeId, watch);
  }
}
