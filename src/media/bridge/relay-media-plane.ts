/**
 * The Telephony Server's media plane over the RTP relay: a RelaySession per Call on the TS's own address, with port
 * pairs from one PortPool (the configured RTP range; several lines may share it).
 */
import type { MediaPlane } from '../../telephony/domain/index.js';
import { addPacketTotals, noPackets, RelaySession, type RelayPacketTotals, type RelaySessionOptions } from '../index.js';

/** What every Call's RelaySession shares (documented there); the plane adds the CallID, a child logger and onClosed. */
export type RelayMediaPlaneOptions = Pick<RelaySessionOptions, 'address' | 'ports' | 'clock' | 'logger' | 'native' | 'rtcpIntervalMs'>;

export class RelayMediaPlane implements MediaPlane {
  private readonly sessions = new Set<RelaySession>();
  /** What the closed Calls' media relayed and dropped. */
  private closedTotals: RelayPacketTotals = noPackets;

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
      onClosed: () => {
        this.sessions.delete(session);
        this.closedTotals = addPacketTotals(this.closedTotals, session.packetTotals());
      },
    });
    this.sessions.add(session);
    return session;
  }

  /** Calls whose media is open. */
  get openCalls(): number {
    return this.sessions.size;
  }

  /** Every packet the plane's relay relayed and dropped, in Calls open and closed (for metrics). */
  packetTotals(): RelayPacketTotals {
    return [...this.sessions].map((s) => s.packetTotals()).reduce(addPacketTotals, this.closedTotals);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.sessions].map((s) => s.close()));
  }
}
