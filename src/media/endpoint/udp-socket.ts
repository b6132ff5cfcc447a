/**
 * UDP sockets for RTP and RTCP, shared by every media endpoint (RtpEndpoint, the TC's RtpReceiver, the relay's
 * UdpPair): exclusive binding that cleans up after itself, quiet closing, and a pair of ports from a PortPool that
 * skips pairs another program holds.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../base/index.js';
import type { PortPool } from './port-pool.js';

export type DatagramListener = (data: Buffer, rinfo: RemoteInfo) => void;

/** An IPv4 peer as a dual-stack socket reports it (`::ffff:a.b.c.d`) in its plain form. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function closeQuietly(sock: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve(); // never bound, or already closed
    }
  });
}

/**
 * A socket bound exclusively to address:port that delivers to `onMessage`; rejects (the socket closed) when it
 * cannot bind. Once bound, a socket error is logged as `what`, never thrown (UDP sends report theirs in callbacks).
 */
export async function bindUdp(address: string, port: number, onMessage: DatagramListener, log: Logger, what: string): Promise<Socket> {
  const sock = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
  sock.on('message', onMessage);
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ port, address, exclusive: true }, () => {
        sock.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await closeQuietly(sock);
    throw e;
  }
  sock.on('error', (err) => log.warn(what, { port, error: err.message }));
  return sock;
}

export interface BoundPortPair {
  /** The RTP port (even); RTCP is on port + 1 unless it is multiplexed. */
  readonly port: number;
  readonly rtp: Socket;
  readonly rtcp?: Socket;
}

/**
 * Takes the next pair from the pool and binds RTP (and RTCP on port + 1 unless `rtcp` is false); a pair another
 * program holds goes back to the pool and the next is tried, up to 16 times. Throws when none is left.
 */
export async function bindPortPair(o: {
  readonly address: string;
  readonly ports: PortPool;
  readonly rtcp: boolean;
  readonly onRtp: DatagramListener;
  readonly onRtcp: DatagramListener;
  readonly log: Logger;
  readonly what: string;
}): Promise<BoundPortPair> {
  const attempts = Math.min(16, o.ports.capacity);
  for (let i = 0; i < attempts; i++) {
    const port = o.ports.acquire();
    if (port === undefined) break;
    let rtp: Socket | undefined;
    try {
      rtp = await bindUdp(o.address, port, o.onRtp, o.log, o.what);
      const rtcp = o.rtcp ? await bindUdp(o.address, port + 1, o.onRtcp, o.log, o.what) : undefined;
      return { port, rtp, ...(rtcp ? { rtcp } : {}) };
    } catch (e) {
      if (rtp) await closeQuietly(rtp);
      o.ports.release(port);
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw e;
      o.log.debug('RTP port pair taken, trying the next', { port, code });
    }
  }
  throw new Error(`no free RTP port pair on ${o.address} in ${o.ports.min}–${o.ports.max}`);
}
