/**
 * Discovery on one interface (UDA 1.0 section 1.2): sends M-SEARCH and reports every
 * advertisement and search response as `alive`, and every ssdp:byebye as `byebye`.
 * Caching by max-age belongs to the control point's device registry, which knows what a device is.
 */
import { EventEmitter } from 'node:events';
import { formatSsdp, maxAgeOf, ssdpHost, type SsdpMessage } from './ssdp-codec.js';
import type { SsdpRemote, SsdpSocket } from './ssdp-socket.js';

export interface SsdpAlive {
  readonly target: string;
  readonly usn: string;
  readonly location: string;
  readonly maxAge: number;
  readonly bootId?: number;
  readonly server?: string;
  readonly from: SsdpRemote;
}

export interface SsdpByebye {
  readonly target: string;
  readonly usn: string;
  readonly bootId?: number;
}

export interface SsdpBrowserEvents {
  alive: [SsdpAlive];
  byebye: [SsdpByebye];
}

function bootIdOf(headers: ReadonlyMap<string, string>): number | undefined {
  const v = headers.get('bootid.upnp.org');
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export class SsdpBrowser extends EventEmitter<SsdpBrowserEvents> {
  private readonly onMessage = (msg: SsdpMessage, from: SsdpRemote): void => this.receive(msg, from);

  constructor(private readonly socket: SsdpSocket) {
    super();
    socket.on('message', this.onMessage);
  }

  /** Multicasts an M-SEARCH (twice, for UDP's sake). */
  async search(target: string, mx = 2): Promise<void> {
    const msg = formatSsdp('M-SEARCH * HTTP/1.1', [
      ['HOST', ssdpHost],
      ['MAN', '"ssdp:discover"'],
      ['MX', String(mx)],
      ['ST', target],
    ]);
    await this.socket.send(msg);
    await this.socket.send(msg);
  }

  private receive(msg: SsdpMessage, from: SsdpRemote): void {
    if (msg.kind === 'search') return;
    const h = msg.headers;
    const usn = h.get('usn');
    if (!usn) return;
    const bootId = bootIdOf(h);
    if (msg.kind === 'notify' && h.get('nts') === 'ssdp:byebye') {
      this.emit('byebye', { target: h.get('nt') ?? '', usn, ...(bootId !== undefined ? { bootId } : {}) });
      return;
    }
    if (msg.kind === 'notify' && h.get('nts') !== 'ssdp:alive') return;
    if (msg.kind === 'response' && msg.status !== 200) return;
    const location = h.get('location');
    const maxAge = maxAgeOf(h.get('cache-control'));
    if (!location || maxAge === undefined || !/^https?:\/\//i.test(location)) return;
    const server = h.get('server');
    this.emit('alive', {
      target: (msg.kind === 'notify' ? h.get('nt') : h.get('st')) ?? '',
      usn,
      location,
      maxAge,
      from,
      ...(bootId !== undefined ? { bootId } : {}),
      ...(server !== undefined ? { server } : {}),
    });
  }

  close(): void {
    this.socket.off('message', this.onMessage);
  }
}
