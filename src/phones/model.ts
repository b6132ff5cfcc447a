/**
 * The phones of the home (issue 14): extensions — a number with a display name, the user it belongs to and its
 * Digest credentials — and the bindings their devices register (RFC 3261 10: a Contact bound to the extension's
 * address of record until it expires). Several devices may register one extension.
 */

/** An extension as stored: only the Digest HA1 values, never the password (RFC 3261 22.4, RFC 8760 SHA-256). */
export interface Extension {
  /** The extension number, digits only ("21"): the user part of its address of record. */
  readonly number: string;
  readonly displayName?: string;
  /** The person it belongs to (presence per user), a free name ("anna"). */
  readonly user?: string;
  /** The realm both HA1 values were computed for (the registrar's). */
  readonly realm: string;
  /** MD5(number:realm:password), lower-case hex. */
  readonly ha1Md5: string;
  /** SHA-256(number:realm:password), lower-case hex. */
  readonly ha1Sha256: string;
  /** ms since the epoch. */
  readonly created: number;
}

/** An extension as every interface shows it: no credentials. */
export interface ExtensionView {
  readonly number: string;
  readonly displayName?: string;
  readonly user?: string;
  /** Devices registered now. */
  readonly registrations: number;
}

/** Where a request came from (and where requests to a device behind NAT go back to). */
export interface SipSourceAddress {
  readonly transport: 'udp' | 'tcp';
  readonly address: string;
  readonly port: number;
}

/** One device's registration of an extension (RFC 3261 10.3). */
export interface Binding {
  readonly extension: string;
  /** The Contact URI as registered. */
  readonly contact: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
  /** Call-ID and CSeq of the REGISTER that made or refreshed it (10.3 step 7: out-of-order refreshes are refused). */
  readonly callId: string;
  readonly cseq: number;
  readonly source: SipSourceAddress;
  readonly userAgent?: string;
  /** The Contact's +sip.instance, when the device gave one (RFC 5626). */
  readonly instance?: string;
  readonly registeredAt: number;
}

/** What changed among the phones (presence, liveness and the lamps follow these). */
export type PhonesEvent =
  | { readonly type: 'extension-added' | 'extension-removed' | 'extension-changed'; readonly number: string }
  /** The extension's set of bindings changed (registered, refreshed with another contact, expired, unregistered). */
  | { readonly type: 'registrations'; readonly number: string; readonly count: number };

/**
 * What the call, lamp and presence parts need of the phones service: who the extensions are and where their
 * devices are registered now.
 */
export interface PhoneDirectory {
  extension(number: string): ExtensionView | undefined;
  extensions(): ExtensionView[];
  /** The live (unexpired) bindings of an extension. */
  bindings(number: string): Binding[];
  /** The stored extension with its HA1 values, for the SIP side's Digest checks. */
  credentials(number: string): Extension | undefined;
  onChange(listener: (e: PhonesEvent) => void): () => void;
}

/** A new extension as an administrator gives it (CLI, HTTP API, web page). */
export interface NewExtension {
  readonly number: string;
  readonly password: string;
  readonly displayName?: string;
  readonly user?: string;
}

/** A device registered now, as every interface shows it. */
export interface RegistrationView {
  readonly extension: string;
  readonly contact: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
  readonly source: string;
  readonly userAgent?: string;
}

/**
 * What every interface (CLI, HTTP API, web page) does with the phones: the one application service behind them.
 * Errors are `PhonesError`s (src/phones/errors.ts): invalid input, a number taken, no such extension.
 */
export interface PhonesAdmin {
  add(e: NewExtension): ExtensionView;
  list(): ExtensionView[];
  remove(number: string): void;
  passwd(number: string, password: string): void;
  /** Devices registered now, of one extension or all. */
  registrations(number?: string): RegistrationView[];
}
