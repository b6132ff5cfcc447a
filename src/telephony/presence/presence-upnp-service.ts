/**
 * The Presence service of a line's Telephony Server (contract.ts) over the presence of the home's phones: the
 * presence of one contact (an extension or a user) on request, and every contact's presence evented when any
 * changes — moderated as the VoiceMail service's events are (the first change of a quiet period schedules one event
 * `moderationMs` later).
 */
import type { Clock, TimerHandle } from '../../base/index.js';
import type { PresenceSource } from '../../phones/index.js';
import { UdaErrorCode, udaError, type ServiceHandlers, type ServiceImplementation, type ServiceState } from '../../upnp/index.js';
import { presenceContract, PresenceAction as A, PresenceErrorCode, presenceError, type PresenceContract } from './contract.js';
import { buildPresence, contactsOf } from './presence-xml.js';

export interface PresenceUpnpServiceOptions {
  readonly presence: PresenceSource;
  readonly clock: Clock;
  readonly moderationMs?: number;
}

export class PresenceUpnpService implements ServiceImplementation<PresenceContract> {
  readonly contract = presenceContract;
  private readonly states = new Set<ServiceState>();
  private pending?: TimerHandle;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: PresenceUpnpServiceOptions) {
    this.unsubscribe = opts.presence.onChange(() => this.changed());
  }

  attach(state: ServiceState): ServiceHandlers<PresenceContract> {
    this.states.add(state);
    state.set({ PresenceOfContactsUpdate: this.all() });
    return {
      [A.GetContactPresence]: ({ TargetContact }) => {
        const id = TargetContact.trim();
        if (id === '') throw udaError(UdaErrorCode.InvalidArgs, 'TargetContact is empty');
        const e = this.opts.presence.extension(id);
        const u = e ? undefined : this.opts.presence.user(id);
        if (!e && !u) throw presenceError(PresenceErrorCode.NoSuchContact, id);
        return { ContactPresence: buildPresence(contactsOf(e ? [e] : [], u ? [u] : [])) };
      },
      [A.GetPresenceOfContactsUpdate]: () => ({ ContactPresenceUpdate: this.all() }),
    };
  }

  close(): void {
    this.unsubscribe();
    this.pending?.cancel();
    this.pending = undefined;
  }

  private all(): string {
    const { extensions, users } = this.opts.presence.snapshot();
    return buildPresence(contactsOf(extensions, users));
  }

  private changed(): void {
    this.pending ??= this.opts.clock.setTimer(this.opts.moderationMs ?? 200, () => {
      this.pending = undefined;
      const all = this.all();
      for (const state of this.states) state.set({ PresenceOfContactsUpdate: all });
    });
  }
}
