/**
 * SSDP datagrams (HTTP over UDP, UDA 1.0 section 1): NOTIFY, M-SEARCH and search responses.
 * This module knows strings and headers only, nothing about devices (the GSSDP lesson).
 * Anything that is not a well-formed SSDP message parses to undefined and is dropped by callers.
 */
export const ssdpMulticastAddress = '239.255.255.250';
export const ssdpPort = 1900;
export const ssdpHost = `${ssdpMulticastAddress}:${ssdpPort}`;

export type SsdpHeaders = ReadonlyMap<string, string>;

export type SsdpMessage =
  | { readonly kind: 'notify'; readonly headers: SsdpHeaders }
  | { readonly kind: 'search'; readonly headers: SsdpHeaders }
  | { readonly kind: 'response'; readonly status: number; readonly headers: SsdpHeaders };

const maxDatagram = 8192;
const maxHeaders = 64;

export function parseSsdp(data: Buffer): SsdpMessage | undefined {
  if (data.length === 0 || data.length > maxDatagram) return undefined;
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text.replace(/\r\n$/, '');
  const lines = head.split('\r\n');
  const start = lines.shift() ?? '';
  if (lines.length > maxHeaders) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9.!#$%&'*+^_`|~-]+$/.test(name)) return undefined;
    headers.set(name, line.slice(colon + 1).trim());
  }
  if (start === 'NOTIFY * HTTP/1.1') return { kind: 'notify', headers };
  if (start === 'M-SEARCH * HTTP/1.1') return { kind: 'search', headers };
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(start);
  if (m) return { kind: 'response', status: Number(m[1]), headers };
  return undefined;
}

export function formatSsdp(startLine: string, headers: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.from(`${startLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'latin1');
}

/** `max-age=N` from a CACHE-CONTROL header, or undefined. */
export function maxAgeOf(cacheControl: string | undefined): number | undefined {
  const m = /max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The UUID part of a USN (`uuid:X::urn:…` → `uuid:X`). */
export function udnOfUsn(usn: string): string | undefined {
  const m = /^(uuid:[^:]+)/.exec(usn.trim());
  return m ? m[1] : undefined;
}
