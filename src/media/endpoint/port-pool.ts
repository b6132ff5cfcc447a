/**
 * Hands out RTP port pairs from a configured range: an even RTP port and the odd port above it for RTCP
 * (RFC 3550 11; with rtcp-mux only the even one is bound, but the pair stays reserved so ranges stay simple).
 * Allocation goes round the range rather than reusing the lowest free port, so a port just released — whose
 * peer may still be sending — is the last to be handed out again.
 */

export interface PortRange {
  /** Lowest port of the range (inclusive). */
  readonly min: number;
  /** Highest port of the range (inclusive). */
  readonly max: number;
}

export class PortPool {
  readonly min: number;
  readonly max: number;
  private readonly used = new Set<number>();
  private next: number;

  constructor(range: PortRange) {
    const min = range.min % 2 === 0 ? range.min : range.min + 1;
    if (!Number.isInteger(range.min) || !Number.isInteger(range.max) || range.min < 1 || range.max > 65535 || min + 1 > range.max) {
      throw new RangeError(`RTP port range ${range.min}–${range.max} holds no even/odd port pair`);
    }
    this.min = min;
    this.max = range.max;
    this.next = min;
  }

  /** Port pairs in the range. */
  get capacity(): number {
    return Math.floor((this.max - this.min + 1) / 2);
  }

  /** Pairs handed out and not yet released. */
  get inUse(): number {
    return this.used.size;
  }

  /** The RTP ports handed out, ascending. */
  inUsePorts(): number[] {
    return [...this.used].sort((a, b) => a - b);
  }

  /** An even RTP port whose pair is now reserved, or undefined when every pair is taken. */
  acquire(): number | undefined {
    for (let i = 0; i < this.capacity; i++) {
      const port = this.next;
      this.next = port + 2 + 1 > this.max ? this.min : port + 2;
      if (!this.used.has(port)) {
        this.used.add(port);
        return port;
      }
    }
    return undefined;
  }

  /** Returns a pair to the pool; releasing a port that is not in use does nothing. */
  release(port: number): void {
    this.used.delete(port);
  }
}
