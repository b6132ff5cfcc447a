/**
 * CalleeID (2.4.10): a SIP or SIPS URI (RFC 3261), a TEL URI (RFC 3966), or the TelCPName of a
 * TelCP in the home. Only the syntax is judged here; whether the callee exists is the line's answer.
 */
export type CalleeKind = 'sip' | 'tel' | 'telcp';

const sipUri = /^sips?:(?:[^\s@:;?]+(?::[^\s@;?]*)?@)?(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?(?:;[^\s?]*)?(?:\?\S*)?$/;
/** global-number (+ and digits with visual separators) or local-number with a phone-context. */
const telUri = /^tel:(?:\+[\d\-.()]*\d[\d\-.()]*|[\dA-Fa-f*#\-.()]*[\dA-Fa-f*#][\dA-Fa-f*#\-.()]*)(?:;[A-Za-z0-9-]+(?:=[^;\s]+)?)*$/;

/** What kind of callee the value names, or undefined when it is none of them. */
export function calleeKind(value: string, isTelCPName: (name: string) => boolean): CalleeKind | undefined {
  const v = value.trim();
  if (/^sips?:/i.test(v)) return sipUri.test(v) ? 'sip' : undefined;
  if (/^tel:/i.test(v)) return telUri.test(v) ? 'tel' : undefined;
  return v !== '' && isTelCPName(v) ? 'telcp' : undefined;
}

/** The peer id shown for a callee: the number of a tel: URI, the URI itself otherwise. */
export function peerIdOf(callee: string): string {
  const v = callee.trim();
  return /^tel:/i.test(v) ? v.slice(4).split(';')[0]! : v;
}
