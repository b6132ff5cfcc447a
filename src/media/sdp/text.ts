/**
 * SDP text (RFC 4566) read and written with sdp-transform — the only place that splits SDP into lines. Reading is
 * lenient about what printed documents and peers do: indentation, LF or CR line ends, blank lines (RFC 4566 5 wants
 * CRLF and none); lines that are not `<lower-case letter>=` are left out (the spec's "S=-", "aptime:20").
 */
import { parse, write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { errorMessage } from '../../base/index.js';

export type { MediaAttributes, MediaDescription, SessionDescription } from 'sdp-transform';

export type SdpResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The lines of an SDP, trimmed, blank ones dropped. */
export function sdpLines(sdp: string): string[] {
  return sdp
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Lines as SDP text: each ended by CRLF. */
export function sdpText(lines: readonly string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

/** SDP with its line ends restored: trimmed lines, CRLF, no blank lines ('' for no lines). */
export function normalizeSdp(sdp: string): string {
  return sdpText(sdpLines(sdp));
}

/** A parsed SDP, and each media description's m-line as written (sdp-transform leaves out what its grammar rejects). */
export interface ParsedSdp {
  readonly session: SessionDescription;
  readonly mLines: readonly string[];
}

/** The SDP as sdp-transform reads it; `{ ok: false }` for no text, or text whose first line is not v=. */
export function parseSdp(sdp: string): SdpResult<ParsedSdp> {
  if (typeof sdp !== 'string') return { ok: false, reason: 'not a string' };
  const lines = sdpLines(sdp);
  if (lines.length === 0) return { ok: false, reason: 'empty SDP' };
  if (!lines[0]!.startsWith('v=')) return { ok: false, reason: 'not SDP: the first line is not v=' };
  try {
    return { ok: true, value: { session: parse(sdpText(lines)), mLines: lines.filter((l) => l.startsWith('m=')) } };
  } catch (e) {
    return { ok: false, reason: `unreadable SDP: ${errorMessage(e)}` };
  }
}

/** SDP text (CRLF) of a session description. */
export function writeSdp(session: SessionDescription): string {
  return write(session);
}

/** The format tokens of an m-line (sdp-transform turns a single numeric payload into a number, whatever its typings say). */
export function formatsOf(m: MediaDescription): string[] {
  const raw: unknown = m.payloads;
  const payloads = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
  return payloads.split(/\s+/).filter((f) => f !== '');
}
