/**
 * The phones of the home ring with the screens (issue 14, forking), wired: every line's Telephony Server rings every
 * extension with a registered device through one PhoneLine on the phones' SIP side. The Line port has one listener;
 * each TS gets a view of the one PhoneLine whose events go to the TS that placed the call — one view for the phones
 * rung with the screens, another for its own Calls to an extension (a phone or a TelCP calling `22`).
 */
import type { Logger } from '../base/index.js';
import type { PhoneDialog, PhoneDialogState, PhoneDirectory } from '../phones/index.js';
import { extensionOf, PhoneLine, type PhoneSideUa } from '../sip/pbx/index.js';
import type { CancelReason, Line, LineListener, OutgoingCallRequest } from '../telephony/domain/index.js';
import type { CallManagementService, PhoneExtensions } from '../telephony/index.js';

export interface PhoneRingingOptions {
  readonly side: PhoneSideUa;
  readonly directory: PhoneDirectory;
  readonly servers: ReadonlyArray<{
    readonly service: CallManagementService;
    /** Which TelCPNames are registered at this TS (a phone calling a name of the home is carried by its TS). */
    readonly registry?: { isRegistered(name: string): boolean };
    reachPhones?(phones: PhoneExtensions): void;
  }>;
  /** Where each ringing, answered and ended phone call is told (the busy lamps, RFC 4235). */
  readonly dialogs?: { report(extension: string, dialog: PhoneDialog): void };
  readonly logger: Logger;
}

/** The phone calls placed, by the PhoneLine's id: whose (its TS's listener) and to which extension. */
interface Placed {
  readonly listener: LineListener;
  readonly extension?: string;
  readonly remote?: PhoneDialog['remote'];
}

/** Has every Telephony Server ring the phones; returns the one PhoneLine. */
export function ringPhonesWithScreens(o: PhoneRingingOptions): PhoneLine {
  const line = new PhoneLine({ side: o.side, directory: o.directory, logger: o.logger.child('phone-line') });
  const owners = new Map<string, Placed>();
  const told = (id: string, state: PhoneDialogState): void => {
    const p = owners.get(id);
    if (p?.extension !== undefined) o.dialogs?.report(p.extension, { id, direction: 'recipient', state, ...(p.remote ? { remote: p.remote } : {}) });
  };
  line.setListener(dispatcher(owners, told));
  const extensionsFor = (): string[] =>
    o.directory
      .extensions()
      .filter((e) => e.registrations > 0)
      .map((e) => e.number);
  const isExtension = (callee: string): boolean => {
    const number = extensionOf(callee);
    return number !== undefined && o.directory.extension(number) !== undefined;
  };
  for (const server of o.servers) {
    server.service.setPhoneRinging({ line: new LineView(line, owners, told), extensionsFor });
    server.reachPhones?.({ line: new LineView(line, owners, told), isExtension });
  }
  return line;
}

/**
 * One listener on the PhoneLine that hands each event to the TS whose call it is (forgotten after its last event),
 * telling the busy lamps what became of the call on the way.
 */
function dispatcher(owners: Map<string, Placed>, told: (id: string, state: PhoneDialogState) => void): LineListener {
  const to = (id: string, last: boolean, fn: (l: LineListener) => void): void => {
    const p = owners.get(id);
    if (last) {
      told(id, 'terminated');
      owners.delete(id);
    }
    if (p) fn(p.listener);
  };
  return {
    incoming: () => {},
    provisional: (id) => to(id, false, (l) => l.provisional(id)),
    answered: (id, sdp) => {
      told(id, 'confirmed');
      to(id, false, (l) => l.answered(id, sdp));
    },
    failed: (id, reason) => to(id, true, (l) => l.failed(id, reason)),
    remoteCancelled: (id) => to(id, true, (l) => l.remoteCancelled(id)),
    remoteHangUp: (id) => to(id, true, (l) => l.remoteHangUp(id)),
    remoteModify: (id, offer) => to(id, false, (l) => l.remoteModify(id, offer)),
    remoteModifyCancelled: (id) => to(id, false, (l) => l.remoteModifyCancelled(id)),
    modifyAccepted: (id, answer) => to(id, false, (l) => l.modifyAccepted(id, answer)),
    modifyRejected: (id) => to(id, false, (l) => l.modifyRejected(id)),
    availability: () => {},
    // A phone's transfer goes to the TS whose call it is; a TS that takes none (or no owner) has it fail.
    transferRequested: (id, target, progress) => {
      const l = owners.get(id)?.listener;
      if (l?.transferRequested) l.transferRequested(id, target, progress);
      else progress.failed('Rejected');
    },
  };
}

/** A TS's view of the shared PhoneLine: its calls are remembered as its own. */
class LineView implements Line {
  private listener?: LineListener;

  constructor(
    private readonly line: PhoneLine,
    private readonly owners: Map<string, Placed>,
    private readonly told: (id: string, state: PhoneDialogState) => void,
  ) {}

  identity(): string | undefined {
    return this.line.identity();
  }

  setListener(listener: LineListener): void {
    this.listener = listener;
  }

  place(request: OutgoingCallRequest): string {
    const id = this.line.place(request);
    if (!this.listener) return id;
    const extension = extensionOf(request.callee);
    const caller = request.callerId;
    const remote = caller && { identity: caller.id, ...(caller.name !== undefined ? { displayName: caller.name } : {}) };
    this.owners.set(id, { listener: this.listener, ...(extension !== undefined ? { extension } : {}), ...(remote ? { remote } : {}) });
    this.told(id, 'early');
    return id;
  }

  cancel(id: string, reason?: CancelReason): void {
    this.told(id, 'terminated');
    this.owners.delete(id);
    this.line.cancel(id, reason);
  }

  hangUp(id: string): void {
    this.told(id, 'terminated');
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
