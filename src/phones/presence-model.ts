/**
 * Presence of the home's phones (issue 14, "Presence and lamps"): what the lamps and presence watchers see, and the
 * ports it is computed from — the phones' registrations (PhoneDirectory), the calls of each extension and line
 * (a dialog state source), the home's do-not-disturb and the voicemail's message counts.
 */

/**
 * An extension's or user's presence: `offline` (no device registered), `on-the-phone` (a call confirmed), `ringing`
 * (a call early), `dnd` (registered, the home's do-not-disturb on), `available` (registered, idle).
 */
export const presenceStates = ['available', 'on-the-phone', 'ringing', 'dnd', 'offline'] as const;
export type PresenceState = (typeof presenceStates)[number];

/** A dialog's state as RFC 4235 3.7.1 names them (trying: request sent/received; early: ringing). */
export type PhoneDialogState = 'trying' | 'early' | 'confirmed' | 'terminated';

/** One call of an extension or line, as its busy lamp shows it (RFC 4235 dialog element). */
export interface PhoneDialog {
  /** Unique among the target's dialogs (a Call-ID, or a CallID of the Telephony Server). */
  readonly id: string;
  /** RFC 4235 direction: the watched party called out (initiator) or is called (recipient). */
  readonly direction: 'initiator' | 'recipient';
  readonly state: PhoneDialogState;
  /** The other party: a URI or number, and a display name when known. */
  readonly remote?: { readonly identity: string; readonly displayName?: string };
}

/**
 * The calls of each extension and line as they happen. Targets: an extension's number, or `line:<line name>`
 * (`lineTarget`). A dialog reported `terminated` is gone from `dialogs` afterwards.
 */
export interface DialogStateSource {
  /** The target's dialogs now (none terminated). */
  dialogs(target: string): readonly PhoneDialog[];
  /** Hears every change of a dialog (the dialog as it is now, `terminated` included). */
  onChange(listener: (target: string, dialog: PhoneDialog) => void): () => void;
}

/** The dialog target of a line's Calls. */
export function lineTarget(lineName: string): string {
  return `line:${lineName}`;
}

/** The home's do-not-disturb (call handling's), as presence needs it. */
export interface DndSource {
  dnd(): boolean;
  onChange(listener: () => void): () => void;
}

/** The home's voicemail counts (one mailbox for the home: every extension's lamp follows it). */
export interface MessageSummary {
  readonly newMessages: number;
  readonly oldMessages: number;
}

export interface MessageWaitingSource {
  summary(): MessageSummary;
  onChange(listener: () => void): () => void;
}

/** An extension's presence as every interface shows it. */
export interface ExtensionPresence {
  readonly number: string;
  readonly displayName?: string;
  readonly user?: string;
  readonly state: PresenceState;
  /** Devices registered now. */
  readonly registrations: number;
  /** Its calls now (none terminated). */
  readonly dialogs: readonly PhoneDialog[];
}

/** A user's presence: the busiest of their extensions'. */
export interface UserPresence {
  readonly user: string;
  readonly state: PresenceState;
  readonly extensions: readonly string[];
}

export interface PresenceSnapshot {
  readonly extensions: readonly ExtensionPresence[];
  readonly users: readonly UserPresence[];
}

/** What changed: an extension's presence (and with it, maybe its user's). */
export type PresenceEvent =
  | { readonly type: 'extension'; readonly number: string; readonly state: PresenceState }
  | { readonly type: 'user'; readonly user: string; readonly state: PresenceState };

/** What the lamps, the HTTP API and the Presence service read: the presence service. */
export interface PresenceSource {
  extension(number: string): ExtensionPresence | undefined;
  user(name: string): UserPresence | undefined;
  snapshot(): PresenceSnapshot;
  onChange(listener: (e: PresenceEvent) => void): () => void;
}
