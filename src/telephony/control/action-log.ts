/**
 * Every action the library sends, in order, with its key arguments and outcome: what a test compares with the
 * spec's sequences (Appendix C) and what a `watch`/debug view shows. Secret keys are never recorded; XML fragment
 * arguments are recorded as a short summary (media types, Media Session IDs) rather than the document.
 */
import { systemClock, type Clock } from '../../base/index.js';
import type { ActionArgs } from '../../upnp/index.js';
import { parseMediaCapabilityInfo, parseMmsMediaCapabilityInfo, parseTCList } from '../contracts/index.js';
import { mediaTypesOf } from '../../media/sdp/index.js';
import type { DeviceKind } from './errors.js';

export interface ActionRecord {
  /** 1, 2, 3 … in the order the requests were sent. */
  readonly seq: number;
  /** When the request was sent (ms since the epoch). */
  readonly at: number;
  readonly device: DeviceKind;
  /** The UDN of the Telephony Server or Client. */
  readonly udn: string;
  readonly action: string;
  /** Key in-arguments: plain values as sent, fragments summarised, secret keys left out. */
  readonly args: Readonly<Record<string, string>>;
  /** 'pending' until the answer: 'ok', the UPnP errorCode of a fault, or 'failed' (no SOAP answer). */
  outcome: 'pending' | 'ok' | number | 'failed';
}

const secretArgs = new Set(['SecretKey', 'CurrentSecretKey', 'NewSecretKey']);

/** media types of an SDP, joined: "audio+video". */
function typesOf(sdp: string): string {
  return [...mediaTypesOf(sdp)].join('+');
}

/** A one-line summary of a fragment argument; the text itself when it is not one we know. */
function summarize(name: string, value: string): string {
  if (value.trim() === '') return '';
  if (name === 'TCList') {
    const r = parseTCList(value);
    return r.ok ? r.value.map((t) => t.mediaSessionID ?? '?').join(',') : '(unreadable)';
  }
  if (name === 'MediaCapabilityInfo' || name === 'TCMediaCapabilityInfo') {
    const r = parseMediaCapabilityInfo(value);
    if (!r.ok) return '(unreadable)';
    const parts: string[] = [];
    if (r.value.mediaCapability) parts.push(`tc:${typesOf(r.value.mediaCapability.content)}`);
    if (r.value.nativeMediaCapability) parts.push(`native:${typesOf(r.value.nativeMediaCapability.content)}`);
    if (r.value.enableMediaMixing !== undefined) parts.push(`mixing:${r.value.enableMediaMixing ? 1 : 0}`);
    if (r.value.shareMedia !== undefined) parts.push(`share:${r.value.shareMedia}`);
    return parts.join(' ');
  }
  if (name === 'TSMediaCapabilityInfo' || name === 'NewMediaCapabilityInfo') {
    const r = parseMmsMediaCapabilityInfo(value);
    return r.ok && r.value.mediaCapability ? typesOf(r.value.mediaCapability.content) : '(unreadable)';
  }
  return value;
}

export class ActionLog {
  private readonly records: ActionRecord[] = [];
  private nextSeq = 1;

  /** At most this many records are kept (the oldest go first), so a long-running TelCP does not grow. */
  constructor(
    private readonly capacity = 10_000,
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {}

  /** Records a request about to be sent; the returned record gets its outcome when the answer comes. */
  record(device: DeviceKind, udn: string, action: string, args: ActionArgs): ActionRecord {
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(args)) {
      if (secretArgs.has(name)) continue;
      kept[name] = summarize(name, String(value));
    }
    const r: ActionRecord = { seq: this.nextSeq++, at: this.clock.now(), device, udn, action, args: kept, outcome: 'pending' };
    this.records.push(r);
    if (this.records.length > this.capacity) this.records.shift();
    return r;
  }

  /** Every record kept, oldest first. */
  get entries(): readonly ActionRecord[] {
    return this.records;
  }

  /** A position to compare from: `since(mark())` is what was sent after this call. */
  mark(): number {
    return this.nextSeq;
  }

  since(mark: number): ActionRecord[] {
    return this.records.filter((r) => r.seq >= mark);
  }

  /** "TS StartCall", "TC StartMediaSession" … for the records since `mark`: the shape of a spec sequence. */
  steps(mark = 0): string[] {
    return this.since(mark).map((r) => `${r.device} ${r.action}`);
  }
}

/** "TS StartCall CalleeID=… CallMode=… → ok": one record as a line of text. */
export function formatAction(r: ActionRecord): string {
  const args = Object.entries(r.args)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${r.device} ${r.action}${args ? ` ${args}` : ''} → ${r.outcome}`;
}
