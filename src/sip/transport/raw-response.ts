/**
 * An error response built from the raw bytes of a request the codec refused (RFC 3261 8.2.6 / 21.4.1):
 * used on TCP, where the transport answers a malformed message with 400 before closing the connection,
 * and a message overflowing the connection's buffer with 513. A response is only possible when the bytes
 * start with a request line (never an ACK) and carry Via, From, To, Call-ID and CSeq lines to copy.
 */
import { randomBytes } from 'node:crypto';

const requestLine = /^([A-Za-z0-9.!%*_+`'~-]+) \S+ SIP\/2\.0$/i;
const wanted: Record<string, string> = {
  via: 'Via',
  v: 'Via',
  from: 'From',
  f: 'From',
  to: 'To',
  t: 'To',
  'call-id': 'Call-ID',
  i: 'Call-ID',
  cseq: 'CSeq',
};

export function rawErrorResponse(data: Buffer, status: number, reason: string): Buffer | undefined {
  const end = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, end < 0 ? Math.min(data.length, 64 * 1024) : end).toString('utf8');
  const lines: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    // header folding (RFC 3261 7.3.1): a line starting with whitespace continues the previous one
    if (/^[ \t]/.test(line) && lines.length > 1) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  const start = requestLine.exec(lines[0] ?? '');
  if (!start || start[1]!.toUpperCase() === 'ACK') return undefined;
  const found: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = wanted[line.slice(0, colon).trim().toLowerCase()];
    if (name) found.push([name, line.slice(colon + 1).trim()]);
  }
  const has = (n: string): boolean => found.some(([h]) => h === n);
  if (!['Via', 'From', 'To', 'Call-ID', 'CSeq'].every(has)) return undefined;
  const out = [`SIP/2.0 ${status} ${reason}`];
  for (const [name, value] of found) {
    if (name === 'To' && !/;\s*tag\s*=/i.test(value)) out.push(`To: ${value};tag=${randomBytes(6).toString('hex')}`);
    else out.push(`${name}: ${value}`);
  }
  out.push('Content-Length: 0', '', '');
  return Buffer.from(out.join('\r\n'), 'utf8');
}
