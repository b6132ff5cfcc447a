/**
 * The registrar's rules (RFC 3261 10.3 steps 6 to 8) on a REGISTER the SIP side has parsed and authenticated:
 * what the extension's bindings become, or why the request is refused. Pure: the caller reads the current
 * bindings and stores the result (PhonesService.register).
 */
import type { Binding, SipSourceAddress } from './model.js';

/** What the registrar accepts (config `phones.registrar`) and how Contact URIs compare. */
export interface RegistrarPolicy {
  /** Seconds; a shorter non-zero request is refused with 423 and Min-Expires (10.3 step 6). */
  readonly minExpires: number;
  /** Seconds; a longer request is shortened to it (10.3 step 6 lets the registrar choose less). */
  readonly maxExpires: number;
  /** Seconds granted when neither the Contact nor the request names an expiry ("locally-configured default"). */
  readonly defaultExpires: number;
  /** Devices one extension may have registered at once; one more is refused with 403. */
  readonly maxDevices: number;
  /** URI equality of RFC 3261 19.1.4 (the SIP side's, this module knows no SIP grammar). */
  readonly sameContact: (a: string, b: string) => boolean;
}

/** Defaults beside the configured min/max: one hour as RFC 3261 10.2.1.1 suggests, ten devices per extension. */
export const registrarDefaults = { defaultExpires: 3600, maxDevices: 10 } as const;

export interface ContactRequest {
  /** The Contact URI as the device wrote it. */
  readonly uri: string;
  /** Its `expires` parameter, seconds. */
  readonly expires?: number;
  /** Its `+sip.instance` (RFC 5626), kept for the calls to it. */
  readonly instance?: string;
}

/** A REGISTER of an authenticated extension for its own address of record. */
export interface RegisterRequest {
  readonly extension: string;
  readonly callId: string;
  readonly cseq: number;
  /** `'*'` (the wildcard, RFC 3261 10.2.2), or the Contacts; none is a query of the current bindings. */
  readonly contacts: '*' | readonly ContactRequest[];
  /** The Expires header, seconds. */
  readonly expires?: number;
  readonly source: SipSourceAddress;
  readonly userAgent?: string;
}

export type RegisterOutcome =
  | {
      readonly ok: true;
      /** The extension's bindings after the request (every one unexpired): what the 200 lists (step 8). */
      readonly bindings: readonly Binding[];
      /** True when the request changed anything (the bindings must be stored). */
      readonly write: boolean;
    }
  | {
      readonly ok: false;
      readonly status: 400 | 403 | 423 | 500;
      /** A reason phrase naming the problem. */
      readonly reason: string;
      /** For 423: the Min-Expires value (RFC 3261 20.23). */
      readonly minExpires?: number;
    };

function refuse(status: 400 | 403 | 423 | 500, reason: string, minExpires?: number): RegisterOutcome {
  return { ok: false, status, reason, ...(minExpires !== undefined ? { minExpires } : {}) };
}

/**
 * 10.3 step 7: a binding with the request's Call-ID may only change when the request's CSeq is higher (an
 * out-of-order or replayed REGISTER of the same device is refused); the RFC fails the whole request then, and
 * "fails" is 500 there (all updates or none).
 */
function outOfOrder(b: Binding, req: RegisterRequest): boolean {
  return b.callId === req.callId && req.cseq <= b.cseq;
}

/** Applies a REGISTER to the extension's live bindings at `now` (ms). */
export function applyRegister(current: readonly Binding[], req: RegisterRequest, policy: RegistrarPolicy, now: number): RegisterOutcome {
  // Step 6, the wildcard: only alone and with Expires: 0, it removes every binding.
  if (req.contacts === '*') {
    if (req.expires !== 0) return refuse(400, 'Contact * needs Expires: 0');
    if (current.some((b) => outOfOrder(b, req))) return refuse(500, 'Out-of-order REGISTER (CSeq not higher)');
    return { ok: true, bindings: [], write: current.length > 0 };
  }
  // Step 6 without Contact: a query; step 8 lists what there is.
  if (req.contacts.length === 0) return { ok: true, bindings: current, write: false };
  const next = [...current];
  for (const c of req.contacts) {
    // Step 6: the Contact's expires parameter, else the Expires header, else the default; shortened to the maximum.
    const requested = c.expires ?? req.expires ?? policy.defaultExpires;
    if (requested > 0 && requested < policy.minExpires && requested < 3600) return refuse(423, 'Interval Too Brief', policy.minExpires);
    const seconds = Math.min(requested, policy.maxExpires);
    // Step 7: find the binding by URI comparison; add it, update it, or remove it (expiry 0).
    const i = next.findIndex((b) => policy.sameContact(b.contact, c.uri));
    const existing = i >= 0 ? next[i] : undefined;
    if (existing && outOfOrder(existing, req)) return refuse(500, 'Out-of-order REGISTER (CSeq not higher)');
    if (seconds === 0) {
      if (i >= 0) next.splice(i, 1);
      continue;
    }
    const binding: Binding = {
      extension: req.extension,
      contact: c.uri,
      expiresAt: now + seconds * 1000,
      callId: req.callId,
      cseq: req.cseq,
      source: req.source,
      ...(req.userAgent !== undefined ? { userAgent: req.userAgent } : {}),
      ...(c.instance !== undefined ? { instance: c.instance } : {}),
      registeredAt: existing?.registeredAt ?? now,
    };
    if (existing) next[i] = binding;
    else next.push(binding);
  }
  if (next.length > policy.maxDevices && next.length > current.length) return refuse(403, `Too many devices (at most ${policy.maxDevices} per extension)`);
  return { ok: true, bindings: next, write: true };
}

/** True when the two sets of bindings name different contacts (a device came or went). */
export function contactsChanged(before: readonly Binding[], after: readonly Binding[]): boolean {
  if (before.length !== after.length) return true;
  const contacts = new Set(before.map((b) => b.contact));
  return after.some((b) => !contacts.has(b.contact));
}
