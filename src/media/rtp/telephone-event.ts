/**
 * RFC 4733 2.3 telephone-event payload: event (8 bits), E (end), R (reserved), volume (6 bits, −dBm0),
 * duration (16 bits, timestamp units). Parsing never throws; the DTMF events 0–15 of RFC 4733 3.2 map to
 * the characters 0–9 * # A–D.
 */

export interface TelephoneEvent {
  /** 0–255; 0–15 are the DTMF digits. */
  readonly event: number;
  readonly end: boolean;
  /** Power level 0–63, as −dBm0 (0 is loudest). */
  readonly volume: number;
  /** Duration so far, in RTP timestamp units (0–65535). */
  readonly duration: number;
}

export type TelephoneEventParseResult =
  | { readonly ok: true; readonly event: TelephoneEvent }
  | { readonly ok: false; readonly reason: string };

export const telephoneEventBytes = 4;

/** The common dynamic payload type for telephone-event/8000 (any dynamic number may be negotiated). */
export const defaultTelephoneEventPayloadType = 101;

/** Parses a telephone-event payload (the first event, when a sender packs several). Never throws. */
export function parseTelephoneEvent(payload: Uint8Array): TelephoneEventParseResult {
  if (!(payload instanceof Uint8Array)) return { ok: false, reason: 'not bytes' };
  if (payload.length < telephoneEventBytes) return { ok: false, reason: `${payload.length} bytes is shorter than a telephone-event` };
  const b1 = payload[1]!;
  return {
    ok: true,
    event: {
      event: payload[0]!,
      end: (b1 & 0x80) !== 0,
      volume: b1 & 0x3f,
      duration: (payload[2]! << 8) | payload[3]!,
    },
  };
}

/** Serializes a telephone-event payload; throws a RangeError on out-of-range fields. */
export function serializeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  const check = (name: string, v: number, max: number): void => {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`telephone-event ${name} ${v} is outside 0–${max}`);
  };
  check('event', e.event, 255);
  check('volume', e.volume, 63);
  check('duration', e.duration, 0xffff);
  return Uint8Array.of(e.event, (e.end ? 0x80 : 0) | e.volume, e.duration >> 8, e.duration & 0xff);
}

const digits = '0123456789*#ABCD';

/** RFC 4733 3.2: the event code of a DTMF character (case-insensitive), or undefined. */
export function dtmfEventOf(digit: string): number | undefined {
  if (digit.length !== 1) return undefined;
  const i = digits.indexOf(digit.toUpperCase());
  return i < 0 ? undefined : i;
}

/** The DTMF character of an event code 0–15, or undefined for other events. */
export function dtmfDigitOf(event: number): string | undefined {
  return Number.isInteger(event) && event >= 0 && event < 16 ? digits[event] : undefined;
}
