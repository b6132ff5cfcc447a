/**
 * Mixing helpers: frames are summed into a 32-bit accumulator (no overflow for any realistic number of parties)
 * and clamped to 16 bits once at the end, so a loud sum saturates instead of wrapping round.
 */

/** Adds `frame` into `acc` sample by sample (over the shorter of the two). */
export function mixInto(acc: Int32Array, frame: Int16Array): void {
  const n = Math.min(acc.length, frame.length);
  for (let i = 0; i < n; i++) acc[i]! += frame[i]!;
}

/** Subtracts `frame` from `acc`: the "everyone but me" mix from a total (mix-minus). */
export function subtractFrom(acc: Int32Array, frame: Int16Array): void {
  const n = Math.min(acc.length, frame.length);
  for (let i = 0; i < n; i++) acc[i]! -= frame[i]!;
}

/** `acc` clamped to −32768…32767, into `out` (a new array by default). */
export function clampToInt16(acc: Int32Array, out: Int16Array = new Int16Array(acc.length)): Int16Array {
  const n = Math.min(acc.length, out.length);
  for (let i = 0; i < n; i++) {
    const v = acc[i]!;
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** The saturating sum of several frames. */
export function mixFrames(frames: readonly Int16Array[], length = frames[0]?.length ?? 0): Int16Array {
  const acc = new Int32Array(length);
  for (const f of frames) mixInto(acc, f);
  return clampToInt16(acc);
}
