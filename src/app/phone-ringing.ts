/**
 * The phones of the home ring with the screens (issue 14, forking), wired: every line's Telephony Server rings every
 * extension with a registered device through one PhoneLine on the phones' SIP side. The Line port has one listener;
 * each TS gets a view of the one PhoneLine whose events go to the TS that placed the call.
 */
import type { Logger } from '../base/index.js';
import type { PhoneDirectory } from '../phones/index.js';
import { PhoneLine, type PhoneSideUa } from '../sip/pbx/index.js';
import type { CancelReason, Line, LineListener, OutgoingCallRequest } from '../telephony/domain/index.js';
import type { CallManagementService } from '../telephony/index.js';

export interface PhoneRingingOptions {
  readonly side: PhoneSideUa;
  readonly directory: PhoneDirectory;
  readonly servers: ReadonlyArray<{ readonly service: CallManagementService }>;
  readonly logger: Logger;
}

/** Has every Telephony Server ring the phones; returns the one PhoneLine. */
export function ringPhonesWithScreens(o: PhoneRingingOptions): PhoneLine {
  const line = new PhoneLine({ side: o.side, directory: o.directory, logger: o.logger.child('phone-line') });
  const owners = new Map<string, LineListener>();
  line.setListener(dispatcher(owners));
  const extensionsFor = (): string[] =>
    o.directory
      .extensions()
      .filter((e) => e.registrations > 0)
      .map((e) => e.number);
  for (const { service } of o.servers) service.setPhoneRinging({ line: new LineView(line, owners), extensionsFor });
  return line;
}

/** One listener on the PhoneLine that hands each event to the TS whose call it is (forgotten after its last event). */
function dispatcher(owners: Map<string, LineListener>): LineListener {
  const to = (id: string, last: boolean, fn: (l: LineListener) => void): void => {
    const l = owners.get(id);
    if (last) owners.delete(id);
    if (l) fn(l);
  };
  return {
    incoming: () => {},
    provisional: (id) => to(id, false, (l) => l.provisional(id)),
    answered: (id, sdp) => to(id, false, (l) => l.answered(id, sdp)),
    failed: (id, reason) => to(id, true, (l) => l.failed(id, reason)),
    remoteCancelled: (id) => to(id, true, (l) => l.remoteCancelled(id)),
    remoteHangUp: (id) => to(id, true, (l) => l.remoteHangUp(id)),
    remoteModify: (id, offer) => to(id, false, (l) => l.remoteModify(id, offer)),
    remoteModifyCancelled: (id) => to(id, false, (l) => l.remoteModifyCancelled(id)),
    modifyAccepted: (id, answer) => to(id, false, (l) => l.modifyAccepted(id, answer)),
    modifyRejected: (id) => to(id, false, (l) => l.modifyRejected(id)),
    availability: () => {},
  };
}

/** A TS's view of the shared PhoneLine: its calls are remembered as its own. */
class LineView implements Line {
  private listener?: LineListener;

  constructor(
    private readonly line: PhoneLine,
    private readonly owners: Map<string, LineListener>,
  ) {}

  identity(): string | undefined {
    return this.line.identity();
  }

  setListener(listener: LineListener): void {
    this.listener = listener;
  }

  place(request: OutgoingCallRequest): string {
    const id = this.line.place(request);
    if (this.listener) this.owners.set(id, this.listener);
    return id;
  }

  cancel(id: string, reason?: CancelReason): void {
    this.owners.delete(id);
    this.line.cancel(id, reason);
  }

  hangUp(id: string): void {
    this.owners.delete(id);
    this.line.hangUp(id);
  }

  modify(id: string, sdpOffer: string): void {
    this.line.modify(id, sdpOffer);
  }

  acceptModify(id: string, sdpAnswer: string): void {
    this.line.acceptModify(id, sdpAnswer);
  }

  rejectModify(id: string): void {
    this.line.rejectModify(id);
  }

  answer(): void {}
  reject(): void {}
  redirect(): void {}
  watchAvailability(): void {}
}
