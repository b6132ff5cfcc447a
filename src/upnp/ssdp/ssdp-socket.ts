/**
 * The SSDP sockets of one interface address. Both are pinned to that interface (multicast
 * membership and outgoing interface), so SSDP never leaves it; datagrams from other subnets are dropped.
 */
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { onSubnet, type Logger, type NetworkInterface } from '../../base/index.js';
import { parseSsdp, ssdpMulticastAddress, ssdpPort, type SsdpMessage } from './ssdp-codec.js';

export interface SsdpRemote {
  readonly address: string;
  readonly port: number;
}

export interface SsdpSocketEvents {
  message: [msg: SsdpMessage, from: SsdpRemote];
}

export class SsdpSocket extends EventEmitter<SsdpSocketEvents> {
  private multicast?: Socket;
  private unicast?: Socket;
  private dropped = 0;

  constructor(
    readonly iface: NetworkInterface,
    private readonly logger: Logger,
    private readonly ttl = 2,
  ) {
    super();
  }

  /** Datagrams dropped as garbage or as coming from another subnet (for logs and tests). */
  get droppedCount(): number {
    return this.dropped;
  }

  async open(): Promise<void> {
    const mc = createSocket({ type: 'udp4', reuseAddr: true });
    const uc = createSocket({ type: 'udp4' });
    this.multicast = mc;
    this.unicast = uc;
    for (const s of [mc, uc]) {
      s.on('message', (data, rinfo) => this.receive(data, rinfo));
      s.on('error', (err) => this.logger.warn('ssdp socket error', { error: err.message }));
    }
    await new Promise<void>((resolve, reject) => {
      mc.once('error', reject);
      mc.bind(ssdpPort, () => {
        mc.off('error', reject);
        resolve();
      });
    });
    mc.addMembership(ssdpMulticastAddress, this.iface.address);
    await new Promise<void>((resolve, reject) => {
      uc.once('error', reject);
      uc.bind(0, this.iface.address, () => {
        uc.off('error', reject);
        resolve();
      });
    });
    uc.setMulticastInterface(this.iface.address);
    uc.setMulticastTTL(this.ttl);
    uc.setMulticastLoopback(true);
  }

  private receive(data: Buffer, rinfo: { address: string; port: number }): void {
    if (!onSubnet(rinfo.address, this.iface)) {
      this.dropped++;
      return;
    }
    const msg = parseSsdp(data);
    if (!msg) {
      this.dropped++;
      if (this.dropped % 1000 === 1) this.logger.debug('dropped malformed SSDP datagrams', { count: this.dropped, from: rinfo.address });
      return;
    }
    this.emit('message', msg, { address: rinfo.address, port: rinfo.port });
  }

  /** Send to the SSDP multicast group, or unicast to `to`, from the pinned unicast socket. */
  send(data: Buffer, to?: SsdpRemote): Promise<void> {
    const sock = this.unicast;
    if (!sock) return Promise.resolve();
    return new Promise((resolve) => {
      sock.send(data, to?.port ?? ssdpPort, to?.address ?? ssdpMulticastAddress, (err) => {
        if (err) this.logger.warn('ssdp send failed', { error: err.message });
        resolve();
      });
    });
  }

  close(): void {
    for (const s of [this.multicast, this.unicast]) {
      try {
        s?.close();
      } catch {
        // already closed
      }
    }
    this.multicast = undefined;
    this.unicast = undefined;
  }
}
