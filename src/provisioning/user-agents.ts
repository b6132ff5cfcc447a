/**
 * What a phone says about itself in its HTTP User-Agent: vendor, model, firmware, and for some vendors its MAC.
 * The forms are those the vendors' phones send (their admin guides and public captures; docs/provisioning.md):
 * - Yealink: `Yealink SIP-T46S 66.86.0.15 00:15:65:a1:b2:c3` (model, firmware, MAC);
 * - Snom: `Mozilla/4.0 (compatible; snomD735-SIP 10.1.73.16 …)` (model, firmware);
 * - Grandstream: `Grandstream Model HW GXP2170 SW 1.0.11.3 DevId 000b82aabbcc` (model, firmware, MAC);
 * - Polycom: `FileTransport PolycomVVX-VVX_410-UA/5.9.0.9373 Type/Application` (model, firmware).
 */
import { parseMac } from './mac.js';
import type { Vendor } from './model.js';

export interface UserAgentIdentity {
  readonly vendor: Vendor;
  readonly model?: string;
  readonly firmware?: string;
  /** 12 lower-case hex digits, when the User-Agent carries it. */
  readonly mac?: string;
}

const firmware = String.raw`(\d+(?:\.\d+){1,4})`;
const macText = String.raw`([0-9a-f]{2}(?::[0-9a-f]{2}){5}|[0-9a-f]{12})`;

/** One pattern per vendor; groups: model, firmware, MAC (optional). */
const forms: ReadonlyArray<{ readonly vendor: Vendor; readonly re: RegExp; readonly model: (m: string) => string }> = [
  { vendor: 'yealink', re: new RegExp(String.raw`\bYealink\s+(?:SIP[- ])?([A-Za-z0-9_-]+)\s+${firmware}(?:\s+${macText}\b)?`, 'i'), model: (m) => m.toUpperCase() },
  { vendor: 'snom', re: new RegExp(String.raw`\bsnom([A-Za-z0-9]+)-SIP\s+${firmware}`, 'i'), model: (m) => m.toUpperCase() },
  { vendor: 'grandstream', re: new RegExp(String.raw`\bGrandstream\s+Model\s+HW\s+([A-Za-z0-9_-]+)\s+SW\s+${firmware}(?:\s+DevId\s+${macText}\b)?`, 'i'), model: (m) => m.toUpperCase() },
  { vendor: 'polycom', re: new RegExp(String.raw`\bPolycom[A-Za-z]*-([A-Za-z0-9_]+)-UA/${firmware}`, 'i'), model: (m) => m.replace(/_/g, ' ') },
];

/** The vendor, model, firmware and MAC a User-Agent names; undefined when it is none of the known phones. */
export function parseUserAgent(userAgent: string | undefined): UserAgentIdentity | undefined {
  if (userAgent === undefined) return undefined;
  for (const f of forms) {
    const m = f.re.exec(userAgent);
    if (!m) continue;
    const mac = m[3] !== undefined ? parseMac(m[3]) : undefined;
    return { vendor: f.vendor, model: f.model(m[1]!), firmware: m[2]!, ...(mac !== undefined ? { mac } : {}) };
  }
  return undefined;
}
