/**
 * Modular arithmetic for RTP's wrapping counters: 16-bit sequence numbers and 32-bit timestamps
 * (RFC 3550 5.1, A.1). Differences are signed and take the shorter way round the circle, so 65535 → 0 is +1.
 */

/** `a + n` as a 16-bit sequence number. */
export function seqAdd(a: number, n: number): number {
  return (((a + n) % 0x10000) + 0x10000) % 0x10000;
}

/** The signed distance from `b` to `a` (`a − b`) in −32768…32767. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/** True when `a` comes before `b` (half the sequence space ahead counts as after). */
export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

/** `a + n` as a 32-bit timestamp. */
export function tsAdd(a: number, n: number): number {
  return (((a + n) % 0x1_0000_0000) + 0x1_0000_0000) % 0x1_0000_0000;
}

/** The signed distance from `b` to `a` (`a − b`) in −2^31…2^31−1. */
export function tsDiff(a: number, b: number): number {
  const d = (a - b) >>> 0;
  return d >= 0x8000_0000 ? d - 0x1_0000_0000 : d;
}

/** True when timestamp `a` is before `b`. */
export function tsLess(a: number, b: number): boolean {
  return tsDiff(a, b) < 0;
}
