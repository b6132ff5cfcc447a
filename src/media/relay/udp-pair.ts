/**
 * An RTP/RTCP socket pair of the relay on a port pair already taken from the PortPool: RTP on the even port, RTCP
 * on the odd one above, both on the TS's own address. The port is known at once (it goes into SDP before the
 * sockets are bound); binding happens in the background and `ready` tells how it went. A pair that cannot bind
 * (another program holds the port) stays silent and says so in the log; its port goes back to the pool on close.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import { errorDetail, errorMessage, type Logger } from '../../base/index.js';
import type { RtpAddress } from '../endpoint/rtp-endpoint.js';
import { bindUdp, closeQuietly, plainAddress } from '../endpoint/udp-socket.js';

export type DatagramHandler = (data: Buffer, from: RtpAddress) => void;

export class UdpPair {
  /** Resolves true once both sockets are bound, false if they could not be (never rejects). */
  readonly ready: Promise<boolean>;
  /** Both sockets, once bound. */
  private sockets?: { readonly rtp: Socket; readonly rtcp: Socket };
  private closing?: Promise<void>;
  sendErrors = 0;

  constructor(
    readonly address: string,
    readonly port: number,
    onRtp: DatagramHandler,
    onRtcp: DatagramHandler,
    private readonly log: Logger,
  ) {
    const deliver = (handler: DatagramHandler) => (data: Buffer, rinfo: RemoteInfo) => {
      if (this.closing) return;
      try {
        handler(data, { address: plainAddress(rinfo.address), port: rinfo.port });
      } catch (e) {
        this.log.error('relay datagram handler failed', { port: this.port, error: errorDetail(e) });
      }
    };
    this.ready = (async () => {
      let rtp: Socket | undefined;
      let rtcp: Socket;
      try {
        rtp = await bindUdp(address, port, deliver(onRtp), log, 'relay socket error');
        rtcp = await bindUdp(address, port + 1, deliver(onRtcp), log, 'relay socket error');
      } catch (e) {
        log.error('relay port pair cannot be bound; this stream stays silent', { address, port, error: errorMessage(e) });
        if (rtp) await closeQuietly(rtp);
        return false;
      }
      if (this.closing) {
        await Promise.all([closeQuietly(rtp), closeQuietly(rtcp)]);
        return false;
      }
      this.sockets = { rtp, rtcp };
      return true;
    })();
  }

  sendRtp(bytes: Uint8Array, to: RtpAddress): void {
    this.send('rtp', bytes, to);
  }

  sendRtcp(bytes: Uint8Array, to: RtpAddress): void {
    this.send('rtcp', bytes, to);
  }

  /** Sends RTCP and resolves when it is handed to the system (a BYE before the socket closes). */
  sendRtcpNow(bytes: Uint8Array, to: RtpAddress): Promise<void> {
    return new Promise((resolve) => this.send('rtcp', bytes, to, resolve));
  }

  private send(which: 'rtp' | 'rtcp', bytes: Uint8Array, to: RtpAddress, done?: () => void): void {
    const sock = this.sockets?.[which];
    if (!sock || this.closing) {
      done?.();
      return;
    }
    sock.send(bytes, to.port, to.address, (err) => {
      done?.();
      if (!err) return;
      this.sendErrors++;
      if (this.sendErrors <= 5) this.log.debug('relay send failed', { port: this.port, to: `${to.address}:${to.port}`, error: err.message });
    });
  }

  /** Closes both sockets (after binding settled); idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.ready;
      const sockets = this.sockets;
      this.sockets = undefined;
      if (sockets) await Promise.all([closeQuietly(sockets.rtp), closeQuietly(sockets.rtcp)]);
    })();
    return this.closing;
  }
}
