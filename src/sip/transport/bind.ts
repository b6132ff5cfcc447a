/**
 * Binds the SIP transports of one user agent: UDP and/or TCP on one address and one port (RFC 3261 18: a UA
 * listens on the same port for both), behind one `SipTransports`. Port 0 picks a free port both can use.
 */
import type { Logger } from '../../base/index.js';
import { SipTransports } from './sip-transports.js';
import { TcpTransport } from './tcp-transport.js';
import { UdpTransport } from './udp-transport.js';

export interface BoundSipTransports {
  readonly transports: SipTransports;
  /** The port both transports listen on. */
  readonly port: number;
}

export async function bindSipTransports(
  host: string,
  port: number,
  kinds: ReadonlyArray<'udp' | 'tcp'>,
  logger: Logger,
): Promise<BoundSipTransports> {
  if (kinds.length === 0) throw new Error('SIP needs a transport (udp, tcp)');
  for (let attempt = 0; ; attempt++) {
    const udp = kinds.includes('udp') ? new UdpTransport({ address: host, port, logger: logger.child('udp') }) : undefined;
    let tcp: TcpTransport | undefined;
    try {
      if (udp) await udp.listen();
      const tcpPort = udp ? udp.port : port;
      tcp = kinds.includes('tcp') ? new TcpTransport({ address: host, port: tcpPort, logger: logger.child('tcp') }) : undefined;
      if (tcp) await tcp.listen();
      const transports = new SipTransports({ ...(udp ? { udp } : {}), ...(tcp ? { tcp } : {}), logger: logger.child('transport') });
      return { transports, port: udp?.port ?? tcp?.port ?? 0 };
    } catch (e) {
      await udp?.close();
      await tcp?.close();
      // With port 0 the free UDP port may be taken for TCP: try another.
      if (port !== 0 || attempt >= 10 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}
