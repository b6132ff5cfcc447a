/**
 * MAC addresses in every form phones and people write them: `00:15:65:A1:B2:C3`, `00-15-65-a1-b2-c3`,
 * `0015.65a1.b2c3`, `001565A1B2C3`. hometel keeps the 12 lower-case hex digits.
 */

const separated = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;
const dotted = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i;
const bare = /^[0-9a-f]{12}$/i;

/** The MAC as 12 lower-case hex digits, or undefined when `text` is no MAC address. */
export function parseMac(text: string): string | undefined {
  const t = text.trim();
  if (!separated.test(t) && !dotted.test(t) && !bare.test(t)) return undefined;
  return t.replace(/[:.-]/g, '').toLowerCase();
}

/** `00:15:65:a1:b2:c3`, as people read it. */
export function formatMac(mac: string, separator = ':'): string {
  return mac.match(/../g)!.join(separator);
}

/** The all-zero MAC common files are named after (`y000000000000.cfg`, Polycom's `000000000000.cfg`). */
export const commonMac = '000000000000';
