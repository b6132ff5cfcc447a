/**
 * The presence of the home's extensions and users (issue 14): computed from the registrations, the calls each
 * extension is in and the home's do-not-disturb, and told to watchers when it changes. No SIP here: the lamps
 * (sip/pbx notifier), the HTTP API and the Presence service of the Telephony Servers read it.
 */
import type { Logger } from '../base/index.js';
import type { ExtensionView, PhoneDirectory } from './model.js';
import type {
  DialogStateSource,
  DndSource,
  ExtensionPresence,
  PhoneDialog,
  PresenceEvent,
  PresenceSnapshot,
  PresenceSource,
  PresenceState,
  UserPresence,
} from './presence-model.js';

/** A user's state is the first of these any of their extensions is in (offline only when all are). */
const userRank: readonly PresenceState[] = ['on-the-phone', 'ringing', 'dnd', 'available', 'offline'];

/** An extension's state from its registrations, calls and DND: offline wins, then a call, then DND. */
export function presenceOf(registrations: number, dialogs: readonly PhoneDialog[], dnd: boolean): PresenceState {
  if (registrations === 0) return 'offline';
  if (dialogs.some((d) => d.state === 'confirmed')) return 'on-the-phone';
  if (dialogs.some((d) => d.state === 'early' || d.state === 'trying')) return 'ringing';
  return dnd ? 'dnd' : 'available';
}

/**
 * The dialog state source the call parts feed: each reports its dialogs as they change (`report`), the lamps and
 * presence read them. A terminated dialog is told once and then forgotten.
 */
export class DialogBook implements DialogStateSource {
  private readonly byTarget = new Map<string, Map<string, PhoneDialog>>();
  private readonly listeners = new Set<(target: string, dialog: PhoneDialog) => void>();

  report(target: string, dialog: PhoneDialog): void {
    const known = this.byTarget.get(target) ?? new Map<string, PhoneDialog>();
    const before = known.get(dialog.id);
    if (dialog.state === 'terminated') {
      if (!before) return;
      known.delete(dialog.id);
      if (known.size === 0) this.byTarget.delete(target);
    } else {
      if (before && before.state === dialog.state) return;
      known.set(dialog.id, dialog);
      this.byTarget.set(target, known);
    }
    for (const l of [...this.listeners]) l(target, dialog);
  }

  dialogs(target: string): readonly PhoneDialog[] {
    return [...(this.byTarget.get(target)?.values() ?? [])];
  }

  onChange(listener: (target: string, dialog: PhoneDialog) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface PresenceServiceOptions {
  readonly directory: PhoneDirectory;
  readonly dialogs: DialogStateSource;
  readonly dnd: DndSource;
  readonly logger: Logger;
}

export class PresenceService implements PresenceSource {
  private readonly listeners = new Set<(e: PresenceEvent) => void>();
  private readonly extensionStates = new Map<string, PresenceState>();
  private readonly userStates = new Map<string, PresenceState>();
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly o: PresenceServiceOptions) {
    this.unsubscribe = [o.directory.onChange(() => this.recompute()), o.dialogs.onChange(() => this.recompute()), o.dnd.onChange(() => this.recompute())];
    this.recompute(false);
  }

  extension(number: string): ExtensionPresence | undefined {
    const e = this.o.directory.extension(number);
    return e && this.presenceOf(e);
  }

  private presenceOf(e: ExtensionView): ExtensionPresence {
    const number = e.number;
    const dialogs = this.o.dialogs.dialogs(number);
    return {
      number: e.number,
      ...(e.displayName !== undefined ? { displayName: e.displayName } : {}),
      ...(e.user !== undefined ? { user: e.user } : {}),
      state: presenceOf(e.registrations, dialogs, this.o.dnd.dnd()),
      registrations: e.registrations,
      dialogs,
    };
  }

  user(name: string): UserPresence | undefined {
    return this.snapshot().users.find((u) => u.user === name);
  }

  snapshot(): PresenceSnapshot {
    // One read of the directory (a snapshot runs on every dialog reported, in the INVITE's path).
    const extensions = this.o.directory.extensions().map((e) => this.presenceOf(e));
    const byUser = new Map<string, ExtensionPresence[]>();
    for (const e of extensions) if (e.user !== undefined) byUser.set(e.user, [...(byUser.get(e.user) ?? []), e]);
    const users: UserPresence[] = [...byUser].map(([user, own]) => ({
      user,
      state: userRank.find((s) => own.some((e) => e.state === s)) ?? 'offline',
      extensions: own.map((e) => e.number),
    }));
    return { extensions, users };
  }

  onChange(listener: (e: PresenceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.listeners.clear();
  }

  /** Compares every state with the last one told; tells the changes (extensions first, then users). */
  private recompute(tell = true): void {
    const now = this.snapshot();
    const events: PresenceEvent[] = [];
    const seen = new Set<string>();
    for (const e of now.extensions) {
      seen.add(e.number);
      if (this.extensionStates.get(e.number) !== e.state) events.push({ type: 'extension', number: e.number, state: e.state });
      this.extensionStates.set(e.number, e.state);
    }
    for (const n of [...this.extensionStates.keys()]) if (!seen.has(n)) this.extensionStates.delete(n);
    const users = new Set<string>();
    for (const u of now.users) {
      users.add(u.user);
      if (this.userStates.get(u.user) !== u.state) events.push({ type: 'user', user: u.user, state: u.state });
      this.userStates.set(u.user, u.state);
    }
    for (const u of [...this.userStates.keys()]) if (!users.has(u)) this.userStates.delete(u);
    if (!tell) return;
    for (const e of events) {
      this.o.logger.debug('presence', { ...e });
      for (const l of [...this.listeners]) l(e);
    }
  }
}
