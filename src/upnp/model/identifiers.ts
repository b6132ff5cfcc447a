/** UPnP type URNs (`urn:domain:device:Type:v`, `urn:domain:service:Type:v`) and their versions. */
export interface UrnType {
  readonly domain: string;
  readonly kind: 'device' | 'service';
  readonly type: string;
  readonly version: number;
}

export function parseUrnType(urn: string): UrnType | undefined {
  const m = /^urn:([^:]+):(device|service):([^:]+):(\d+)$/.exec(urn.trim());
  if (!m) return undefined;
  return { domain: m[1]!, kind: m[2] as 'device' | 'service', type: m[3]!, version: Number(m[4]) };
}

/**
 * True when a device or service of type `offered` answers a request for `requested`:
 * same domain, kind and type, and a version at least the requested one (UDA 1.0 1.2.3).
 */
export function satisfiesType(offered: string, requested: string): boolean {
  const o = parseUrnType(offered);
  const r = parseUrnType(requested);
  if (!o || !r) return offered === requested;
  return o.domain === r.domain && o.kind === r.kind && o.type === r.type && o.version >= r.version;
}

export function isUuidUdn(udn: string): boolean {
  return /^uuid:[0-9a-zA-Z-]+$/.test(udn);
}
