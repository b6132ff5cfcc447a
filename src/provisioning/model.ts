/**
 * Provisioning of the home's phones (issue 15, seed 002, RFC 6080): the devices hometel knows by their MAC address,
 * what each said about itself, the extensions it carries, and what happened to it (fetches, notifications).
 * A device is `pending` until an administrator (or auto-enrollment) gives it an extension: then it is `enrolled`
 * and its per-device file carries that extension's account.
 */

/** The vendors hometel has built-in templates for; `generic` is hometel's own XML (seed 002's provisioning file). */
export const vendors = ['yealink', 'snom', 'grandstream', 'polycom', 'generic'] as const;
export type Vendor = (typeof vendors)[number];

/** What a device says about itself (a plug-and-play SUBSCRIBE, a User-Agent, a file name it asks for). */
export interface DeviceIdentity {
  /** 12 lower-case hex digits, no separators (mac.ts normalises every form). */
  readonly mac: string;
  readonly vendor?: Vendor;
  readonly model?: string;
  readonly firmware?: string;
}

export type FetchProtocol = 'http' | 'tftp';

/** One download (or refused download) of a provisioning file. */
export interface FetchRecord {
  /** ms since the epoch. */
  readonly at: number;
  /** The requester's IP address. */
  readonly address: string;
  readonly file: string;
  readonly protocol: FetchProtocol;
  readonly userAgent?: string;
  /** What was answered: `served`, `not-modified` (HTTP 304), `unauthorized`, `forbidden`, `not-found`. */
  readonly outcome: 'served' | 'not-modified' | 'unauthorized' | 'forbidden' | 'not-found';
}

/** How hometel told a device about its configuration. */
export type NotificationKind = 'plug-and-play' | 'ua-profile' | 'check-sync';

export interface NotificationRecord {
  readonly at: number;
  readonly kind: NotificationKind;
  /** Where it went: `udp:192.168.1.20:5060`. */
  readonly target: string;
  /** The answer: a SIP status line (`200 OK`), or `timeout`, or `error: …`. */
  readonly answer: string;
}

export type DeviceState = 'pending' | 'enrolled';

/** A device as stored and as every interface shows it (no secret in it). */
export interface Device extends DeviceIdentity {
  readonly state: DeviceState;
  /** The extensions it carries, first = its first account; empty while pending. */
  readonly extensions: readonly string[];
  /** The template its per-device file is rendered from; default: its vendor's (generic when unknown). */
  readonly template?: Vendor;
  /** Bumped to revoke its provisioning secret (the secret is derived from it). */
  readonly secretGeneration: number;
  /** ms since the epoch; and where it was first seen from (`plug-and-play 192.168.1.20`, `http 192.168.1.20`). */
  readonly firstSeen: number;
  readonly firstSeenFrom: string;
  readonly lastFetch?: FetchRecord;
  readonly lastNotification?: NotificationRecord;
  /** When an administrator asked for a resync (check-sync) that the running hometel has yet to send. */
  readonly resyncRequestedAt?: number;
}

/** How a device came to hometel's attention. */
export interface Sighting {
  readonly via: 'plug-and-play' | FetchProtocol | 'admin';
  readonly address?: string;
}

/** What changed among the devices, for the notifier (check-sync, RFC 6080 NOTIFYs) and the interfaces. */
export type ProvisioningEvent =
  | { readonly type: 'device-added' | 'device-changed' | 'device-removed'; readonly mac: string }
  /** Something every rendered file may depend on changed (an extension, a password, the phonebook). */
  | { readonly type: 'configuration-changed' };

/**
 * A request for a provisioning file, from HTTP or TFTP. `path` is the name as requested below the provisioning
 * root (`y000000000000.cfg`, `<secret>/001565a1b2c3.cfg`); the files service decides what it is and whether the
 * requester may have it.
 */
export interface FileRequest {
  readonly path: string;
  readonly protocol: FetchProtocol;
  /** The requester's IP address (checked against the home networks). */
  readonly address: string;
  readonly userAgent?: string;
  /** HTTP Digest credentials (RFC 7616) as sent, with the method, when the request had an Authorization header. */
  readonly authorization?: { readonly header: string; readonly method: string };
}

export type FileAnswer =
  | { readonly kind: 'file'; readonly body: Buffer; readonly contentType: string; readonly etag: string; readonly device?: string }
  /** A per-device file without valid credentials: HTTP answers 401 with this challenge; TFTP refuses. */
  | { readonly kind: 'unauthorized'; readonly challenge: string }
  /** From outside the home networks, or a path outside the provisioning tree. */
  | { readonly kind: 'forbidden'; readonly reason: string }
  | { readonly kind: 'not-found' };

/** The configuration server: what HTTP and TFTP both serve (implemented by the files service). */
export interface FileSource {
  fetch(request: FileRequest): Promise<FileAnswer>;
}

/** The home's address book as a desk phone's remote phonebook (the contacts service's `phonebook`): Yealink XML. */
export type PhonebookSource = (format: 'yealink') => string;

/** One of a device's files as the web page previews it: rendered now, every secret replaced by `********`. */
export interface FilePreview {
  readonly name: string;
  readonly contentType: string;
  readonly body: string;
}

/** What the interfaces and the notifier need of the configuration server besides serving (the files service). */
export interface DeviceFiles {
  /** The files the device fetches (the common ones and its own), secrets masked. */
  preview(mac: string): Promise<FilePreview[]>;
  /** A fingerprint of the device's own file as it would be served now (changes when the file does); none when pending/unknown. */
  fingerprint(mac: string): Promise<string | undefined>;
}
