/**
 * Option negotiation for a read request (RFC 2347) with the options hometel knows: blksize (RFC 2348), timeout and
 * tsize (RFC 2349). What the server accepts goes back in the OACK; what it does not know, or cannot accept (a value
 * out of range, not a number), it leaves out, which RFC 2347 allows ("the server … omits options it does not
 * support"), so the client falls back to the defaults of RFC 1350.
 */

/** RFC 1350: 512 data bytes a block unless blksize says otherwise. */
export const DEFAULT_BLOCK_SIZE = 512;
/** RFC 2348 section 2: "valid values range between 8 and 65464 octets, inclusive". */
export const MIN_BLOCK_SIZE = 8;
export const MAX_BLOCK_SIZE = 65464;
/** RFC 2349 section 1: timeout "between 1 and 255 seconds, inclusive". */
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 255;

export interface Negotiated {
  /** Data bytes per block. */
  readonly blockSize: number;
  /** The client's retransmission timeout (RFC 2349), when it asked for one. */
  readonly timeoutS?: number;
  /** The options to acknowledge, in the order the client sent them; empty: no OACK, DATA 1 follows at once. */
  readonly acknowledged: ReadonlyMap<string, string>;
}

function integer(value: string): number | undefined {
  return /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

/**
 * `maxBlockSize` is what fits one datagram on the server's path (RFC 2348 lets the server answer a smaller
 * blksize than asked: the client must then use it). `fileSize` is the size that will be sent (after netascii).
 */
export function negotiate(requested: ReadonlyMap<string, string>, fileSize: number, maxBlockSize: number): Negotiated {
  const acknowledged = new Map<string, string>();
  let blockSize = DEFAULT_BLOCK_SIZE;
  let timeoutS: number | undefined;
  for (const [name, value] of requested) {
    const n = integer(value);
    if (n === undefined) continue;
    if (name === 'blksize' && n >= MIN_BLOCK_SIZE && n <= MAX_BLOCK_SIZE) {
      blockSize = Math.min(n, maxBlockSize);
      acknowledged.set(name, String(blockSize));
    } else if (name === 'timeout' && n >= MIN_TIMEOUT_S && n <= MAX_TIMEOUT_S) {
      // RFC 2349 section 1: the OACK's value "must match the value specified by the client".
      timeoutS = n;
      acknowledged.set(name, value);
    } else if (name === 'tsize') {
      // RFC 2349 section 2: a read request carries tsize 0 and the OACK answers the file's size.
      acknowledged.set(name, String(fileSize));
    }
  }
  return { blockSize, ...(timeoutS === undefined ? {} : { timeoutS }), acknowledged };
}
