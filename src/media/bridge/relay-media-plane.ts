/**
 * The Telephony Server's media plane over the RTP relay: a RelaySession per Call on the TS's own address, with port
 * pairs from one PortPool (the configured RTP range; several lines may share it).
 */
import type { Clock, Logger } from '../../base/index.js';
import type { MediaPlane } from '../../telephony/domain/index.js';
import { RelaySession, type NativeMedia, type PortPool } from '../index.js';

export interface RelayMediaPlaneOptions {
  /** The TS's address: every relay port is bound on it and every SDP names it (never a wildcard). */
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The TS's own media for a Call's native stream of `type` (TS-based media handling); undefined: silence, no recording. */
  readonly native?: (callID: string, type: string) => NativeMedia | undefined;
  /** Mean RTCP report interval per leg; default 5000 ms. */
  readonly rtcpIntervalMs?: number;
}

export class RelayMediaPlane implements MediaPlane {
  private readonly sessions = new Set<RelaySession>();

  constructor(private readonly opts: RelayMediaPlaneOptions) {}

  /** The relay's own session: the CallMedia port, and the relay's counters (stats) for tests and benchmarks. */
  openCall(callID: string): RelaySession {
    const session: RelaySession = new RelaySession({
      callID,
      address: this.opts.address,
      ports: this.opts.ports,
      clock: this.opts.clock,
      logger: this.opts.logger.child(callID),
      ...(this.opts.native ? { native: this.opts.native } : {}),
      ...(this.opts.rtcpIntervalMs !== undefined ? { rtcpIntervalMs: this.opts.rtcpIntervalMs } : {}),
      onClosed: () => this.sessions.delete(session),
    });
    this.sessions.add(session);
    return session;
  }

  /** Calls whose media is open. */
  get openCalls(): number {
    return this.sessions.size;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.sessions].map((s) => s.close()));
  }
}
