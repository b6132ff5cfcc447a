/**
 * The phones of the home as a `Line` (issue 14, "Calls"): placing a call to an extension forks an INVITE to every
 * device registered for it (RFC 3261 16.6/16.7, as a forking proxy would, but as the UA that places the call):
 *
 * | Line                    | SIP                                                                                 |
 * |-------------------------|-------------------------------------------------------------------------------------|
 * | place                   | an INVITE per live binding: Request-URI its Contact, sent to its registered source |
 * |                         | address (a phone behind NAT), From: the caller given (`callerId`), else hometel     |
 * | provisional             | the first 18x of any fork                                                           |
 * | answered                | the first 2xx; the other forks get CANCEL with RFC 3326 `Reason: SIP;cause=200`     |
 * | failed                  | every fork failed: Busy when all were busy, else the best (a 6xx first); Not Found  |
 * |                         | for no such extension, Error (480) when nothing is registered                      |
 * | cancel(id, reason)      | CANCEL to every fork (with the Reason for `completed-elsewhere`)                    |
 * | hangUp, modify …        | on the answered fork's dialog                                                       |
 * | transferRequested       | a REFER on the answered fork's dialog (RFC 3515), its Refer-To through the dial    |
 * |                         | plan: an extension or an outside number; the outcome is the REFER's last NOTIFY     |
 *
 * A 2xx of a fork after another answered is ACKed and ended with BYE (the session does that for a CANCELled fork;
 * here for one that answers in the same instant). Calls from phones are not this line's: `incoming` never fires.
 * Transfers are taken once `routeTransfers` has given the dial plan and only by a listener that takes them; a REFER
 * in the dialog of a phone that answered is the phone's own (dialog membership is its authentication). A phone's
 * own call (phone-caller.ts) routes its REFER the same way (`transferTargetOf`).
 */
import { errorDetail, silentLogger, type Clock, type Logger } from '../../base/index.js';
import type { Binding, DialPlan, PhoneDirectory } from '../../phones/index.js';
import { dialogEventsOf, lineFailureOf, reportGuarded } from '../bridge/index.js';
import { completedElsewhere, formatUri, parseUri, sipUri, type IncomingRefer, type InviteSession, type UserAgent } from '../index.js';
import type { CancelReason, Line, LineFailure, LineListener, OutgoingCallRequest, RemotePeer, TransferProgress, TransferTarget } from '../../telephony/domain/index.js';
import { dialedOf } from './phone-invites.js';

/** What the phones' line needs of the phones' SIP side (PhoneSide): its user agent, once started, and its realm. */
export interface PhoneSideUa {
  readonly userAgent: UserAgent;
  readonly realm: string;
  readonly clock: Clock;
}

export interface PhoneLineOptions {
  readonly side: PhoneSideUa;
  readonly directory: PhoneDirectory;
  readonly logger?: Logger;
}

interface Fork {
  readonly session: InviteSession;
  readonly binding: Binding;
  /** The final status of a fork that failed. */
  failed?: number;
}

interface PhoneCall {
  readonly forks: Fork[];
  provisional: boolean;
  answered?: Fork;
}

/** RFC 3261 16.7's best of the forks' failures: a 6xx first, Busy when every fork was busy, else the first one's reason. */
export function bestFailure(statuses: readonly number[]): LineFailure {
  const global = statuses.find((s) => s >= 600);
  if (global !== undefined) return lineFailureOf(global);
  const reasons = statuses.map(lineFailureOf);
  if (reasons.length > 0 && reasons.every((r) => r === 'Busy')) return 'Busy';
  return reasons.find((r) => r !== 'Busy' && r !== 'Error') ?? 'Error';
}

/** The extension number a callee names: `sip:21@realm` (its user part), `tel:21` or `21`; undefined otherwise. */
export function extensionOf(callee: string): string | undefined {
  const v = callee.trim();
  const uri = parseUri(v);
  // A local tel: number (no phone-context) is not a valid tel: URI to the parser: taken as written.
  const number = uri?.kind === 'sip' ? uri.user : v.replace(/^tel:/i, '');
  return number !== undefined && /^\d+$/.test(number) ? number : undefined;
}

/** The status a transfer's failure is told with in the REFER's last NOTIFY (RFC 3515 2.4.5). */
export function transferFailureStatus(reason: LineFailure): number {
  switch (reason) {
    case 'Busy':
      return 486;
    case 'Not Found':
      return 404;
    case 'Rejected':
      return 603;
    case 'Not Acceptable Capability':
      return 488;
    case 'Error':
      return 480;
  }
}

/**
 * Where a phone's REFER asks its call to go (RFC 3515), by the dial plan as a number the transferring extension
 * (`from`: its own outside rules) dialled: an extension or an outside number. Anything else is refused with the REFER's final NOTIFY (undefined): 403 for a feature code or a
 * name of the home (no place a call can be sent), 404 for a number the plan refuses.
 */
export function transferTargetOf(refer: IncomingRefer, plan: DialPlan, from: string | undefined, log: Logger, context: Record<string, string>): TransferTarget | undefined {
  const dialed = dialedOf(refer.referTo);
  const route = dialed === undefined ? 'empty' : plan.route(dialed, from);
  if (typeof route !== 'string' && (route.kind === 'extension' || route.kind === 'outside')) {
    log.info('transfer requested', { ...context, to: route.kind, number: route.number });
    return { kind: route.kind, number: route.number };
  }
  const why = typeof route === 'string' ? route : route.kind;
  log.info('transfer refused', { ...context, referTo: refer.referTo, why });
  const forbidden = why === 'feature' ? 'a feature code' : why === 'home' ? 'a name of the home' : undefined;
  if (forbidden) refer.finish(403, `Forbidden (${forbidden} is no transfer target)`);
  else refer.finish(404);
  return undefined;
}

/** The REFER's final NOTIFY tells what became of the transfer (RFC 3515 2.4.5). */
export function transferProgressOf(refer: IncomingRefer): TransferProgress {
  return { succeeded: () => refer.finish(200), failed: (reason) => refer.finish(transferFailureStatus(reason)) };
}

export class PhoneLine implements Line {
  private listener?: LineListener;
  private plan?: DialPlan;
  private readonly calls = new Map<string, PhoneCall>();
  private readonly log: Logger;
  private next = 1;

  constructor(private readonly o: PhoneLineOptions) {
    this.log = o.logger ?? silentLogger;
  }

  identity(): string | undefined {
    return formatUri(sipUri({ user: 'hometel', host: this.o.side.realm }));
  }

  setListener(listener: LineListener): void {
    this.listener = listener;
  }

  /** Takes transfers from the phones that answered (REFER): the Refer-To goes through `plan` as a dialled number would. */
  routeTransfers(plan: DialPlan): void {
    this.plan = plan;
  }

  place(request: OutgoingCallRequest): string {
    const id = `phone-${this.next++}`;
    const number = extensionOf(request.callee);
    if (number === undefined || !this.o.directory.extension(number)) {
      this.log.info('phone call not placed', { lineCallId: id, callee: request.callee, why: 'no such extension' });
      return this.failLater(id, 'Not Found');
    }
    const bindings = this.o.directory.bindings(number);
    if (bindings.length === 0) {
      this.log.info('phone call not placed', { lineCallId: id, extension: number, why: 'nothing registered' });
      return this.failLater(id, 'Error');
    }
    let ua: UserAgent;
    try {
      ua = this.o.side.userAgent;
    } catch (e) {
      this.log.warn('phone call not placed', { lineCallId: id, extension: number, error: errorDetail(e) });
      return this.failLater(id, 'Error');
    }
    const call: PhoneCall = { forks: [], provisional: false };
    this.calls.set(id, call);
    const from = request.callerId && this.fromOf(request.callerId);
    for (const binding of bindings) {
      const fork: { session?: InviteSession } = {};
      const session = ua.invite(binding.contact, {
        ...(request.sdpOffer !== undefined ? { sdp: request.sdpOffer } : {}),
        ...(from ? { from } : {}),
        flow: flowOf(binding),
        delegate: {
          onProgress: () => this.progress(id),
          onAccepted: (answer) => fork.session && this.accepted(id, fork.session, answer),
          onRejected: (r) => fork.session && this.forkFailed(id, fork.session, r.status),
        },
      });
      fork.session = session;
      call.forks.push({ session, binding });
    }
    this.log.info('phone call placed', { lineCallId: id, extension: number, forks: bindings.length });
    return id;
  }

  cancel(lineCallId: string, reason?: CancelReason): void {
    const call = this.calls.get(lineCallId);
    this.calls.delete(lineCallId);
    if (!call) return;
    const headers = reason === 'completed-elsewhere' ? [completedElsewhere] : [];
    for (const f of call.forks) f.session.cancel(headers);
  }

  hangUp(lineCallId: string): void {
    const call = this.calls.get(lineCallId);
    if (call && !call.answered) return this.cancel(lineCallId);
    this.calls.delete(lineCallId);
    call?.answered?.session.bye();
  }

  modify(lineCallId: string, sdpOffer: string): void {
    const session = this.calls.get(lineCallId)?.answered?.session;
    if (session) session.modify(sdpOffer);
    else this.later(() => this.listener?.modifyRejected(lineCallId));
  }

  acceptModify(lineCallId: string, sdpAnswer: string): void {
    this.calls.get(lineCallId)?.answered?.session.acceptModify(sdpAnswer);
  }

  rejectModify(lineCallId: string): void {
    this.calls.get(lineCallId)?.answered?.session.rejectModify(488);
  }

  // Calls from phones do not come through this line: answering, rejecting or redirecting one cannot happen.
  answer(): void {}
  reject(): void {}
  redirect(): void {}
  watchAvailability(): void {}

  // ------------------------------------------------------------------------------------------ forks

  private progress(id: string): void {
    const call = this.calls.get(id);
    if (!call || call.provisional || call.answered) return;
    call.provisional = true;
    this.report(id, (l) => l.provisional(id));
  }

  private accepted(id: string, session: InviteSession, answer: string | undefined): void {
    const call = this.calls.get(id);
    const fork = call?.forks.find((f) => f.session === session);
    if (!call || !fork || call.answered) {
      // Another fork answered first (or the call is over): this one is ended at once.
      this.log.info('a second phone answered: ending its call', { lineCallId: id });
      session.bye();
      return;
    }
    call.answered = fork;
    for (const f of call.forks) if (f !== fork) f.session.cancel([completedElsewhere]);
    session.delegate = {
      ...session.delegate,
      ...(this.plan && this.listener?.transferRequested ? { onRefer: (refer: IncomingRefer) => this.referred(id, refer) } : {}),
      ...dialogEventsOf(id, {
        session: () => session,
        report: (fn) => this.report(id, fn),
        end: (fn) => {
          this.report(id, fn);
          this.calls.delete(id);
        },
        log: this.log,
      }),
    };
    this.log.info('phone answered', { lineCallId: id, contact: fork.binding.contact });
    this.report(id, (l) => l.answered(id, answer));
  }

  private forkFailed(id: string, session: InviteSession, status: number): void {
    const call = this.calls.get(id);
    const fork = call?.forks.find((f) => f.session === session);
    if (!call || !fork || call.answered) return;
    fork.failed = status;
    const statuses = call.forks.map((f) => f.failed);
    if (statuses.some((s) => s === undefined)) return;
    const reason = bestFailure(statuses as number[]);
    this.log.info('every phone failed', { lineCallId: id, statuses: statuses.join(','), reason });
    this.report(id, (l) => l.failed(id, reason));
    this.calls.delete(id);
  }

  /** The answered phone transfers the call (RFC 3515): an extension or an outside number by the plan; anything else is refused. */
  private referred(id: string, refer: IncomingRefer): void {
    const from = this.calls.get(id)?.answered?.binding.extension;
    const to = this.plan && transferTargetOf(refer, this.plan, from, this.log, { lineCallId: id });
    if (to) this.report(id, (l) => l.transferRequested?.(id, to, transferProgressOf(refer)));
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** The From a phone's display shows: the caller's number (or name) at the realm; RFC 3323's anonymous URI for a withheld one. */
  private fromOf(caller: RemotePeer): { uri: string; displayName?: string } {
    if (caller.id === 'anonymous') return { uri: 'sip:anonymous@anonymous.invalid', displayName: 'Anonymous' };
    return { uri: formatUri(sipUri({ user: caller.id, host: this.o.side.realm })), ...(caller.name ? { displayName: caller.name } : {}) };
  }

  private report(id: string, fn: (l: LineListener) => void): void {
    if (this.listener && this.calls.has(id)) reportGuarded(this.listener, id, fn, this.log);
  }

  /** Reports a failure after `place` has returned (every report follows the command that caused it). */
  private failLater(id: string, reason: LineFailure): string {
    this.later(() => this.listener?.failed(id, reason));
    return id;
  }

  private later(fn: () => void): void {
    this.o.side.clock.setTimer(0, () => {
      try {
        fn();
      } catch (e) {
        this.log.error('line listener failed', { error: errorDetail(e) });
      }
    });
  }
}

/** Where a binding's device is reached: the address and port its REGISTER came from, over the same transport. */
function flowOf(binding: Binding): string {
  const { address, port, transport } = binding.source;
  return formatUri(sipUri({ host: address, port, params: [['transport', transport]] }));
}
