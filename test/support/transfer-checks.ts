/**
 * The checks every blind-transfer test makes (issue 14 "Transfer"): what the party left on the line heard, per 250 ms,
 * and the transferring phone's RFC 3515 exchange read from baresip's SIP trace (`-s`).
 */
import assert from 'node:assert/strict';

const near = (f: number, hz: number): boolean => Math.abs(f - hz) <= 10;

/**
 * `heard` (frequencies per 250 ms) is the transferor's tone first (at least 4 windows), then only the target's to the
 * end of the call (at least 8 windows; the last two, the hang-up, left out).
 */
export function assertHandedOver(heard: readonly number[], from: { hz: number; who: string }, to: { hz: number; who: string }, listener: string): void {
  const first = heard.findIndex((f) => near(f, to.hz));
  assert.ok(heard.slice(0, Math.max(first, 0)).filter((f) => near(f, from.hz)).length >= 4, `${listener} heard ${from.who} first: ${heard.join(', ')}`);
  assert.ok(first > 0, `then ${to.who}: ${heard.join(', ')}`);
  const after = heard.slice(first, -2);
  assert.ok(after.length >= 8 && after.every((f) => near(f, to.hz)), `and ${to.who} alone from then on: ${heard.join(', ')}`);
}

/** RFC 3515 2.4.2, 2.4.4–2.4.7: the REFER got 202, then NOTIFY sipfrag 100 Trying and 200 OK, the last ending the subscription. */
export function assertReferSucceeded(sipTrace: string): void {
  assert.match(sipTrace, /SIP\/2\.0 202 Accepted/);
  const notify = (state: string, frag: string): RegExp =>
    new RegExp(`Event: refer\\s+Subscription-State: ${state}[^]*?Content-Type: message/sipfrag;version=2\\.0\\s+Content-Length: \\d+\\s+${frag}`);
  assert.match(sipTrace, notify('active;expires=\\d+', 'SIP/2\\.0 100 Trying'));
  assert.match(sipTrace, notify('terminated;reason=noresource', 'SIP/2\\.0 200 OK'));
}
