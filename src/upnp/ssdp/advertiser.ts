/**
 * Announces a root device's SSDP resources on one interface (UDA 1.0 section 1.1): ssdp:alive at
 * start and again well before max-age runs out, ssdp:byebye at stop, and answers to M-SEARCH
 * after a random delay within MX.
 */
import type { Clock, Logger, TimerHandle } from '../../base/index.js';
import { satisfiesType } from '../model/identifiers.js';
import { formatSsdp, ssdpHost, type SsdpMessage } from './ssdp-codec.js';
import type { SsdpRemote, SsdpSocket } from './ssdp-socket.js';

/** One announced (NT, USN) pair. */
export interface SsdpResource {
  readonly nt: string;
  readonly usn: string;
}

export interface AdvertiserOptions {
  readonly location: string;
  readonly server: string;
  readonly maxAge: number;
  readonly bootId: number;
  readonly configId: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: () => number;
}

/** Each announcement is sent this many times, since UDP may lose it (UDA 1.0 recommends more than once). */
const repeats = 2;
/** Longest M-SEARCH delay honoured, whatever MX says (UDA 1.1 caps MX at 5). */
const maxMx = 5;

export class SsdpAdvertiser {
  private timer?: TimerHandle;
  private readonly pending = new Set<TimerHandle>();
  private running = false;
  private readonly random: () => number;
  private readonly onMessage = (msg: SsdpMessage, from: SsdpRemote): void => {
    if (msg.kind === 'search') this.answerSearch(msg.headers, from);
  };

  constructor(
    private readonly socket: SsdpSocket,
    private readonly resources: readonly SsdpResource[],
    private readonly opts: AdvertiserOptions,
  ) {
    this.random = opts.random ?? Math.random;
  }

  private commonHeaders(): Array<[string, string]> {
    return [
      ['BOOTID.UPNP.ORG', String(this.opts.bootId)],
      ['CONFIGID.UPNP.ORG', String(this.opts.configId)],
    ];
  }

  aliveMessage(r: SsdpResource): Buffer {
    return formatSsdp('NOTIFY * HTTP/1.1', [
      ['HOST', ssdpHost],
      ['CACHE-CONTROL', `max-age=${this.opts.maxAge}`],
      ['LOCATION', this.opts.location],
      ['NT', r.nt],
      ['NTS', 'ssdp:alive'],
      ['SERVER', this.opts.server],
      ['USN', r.usn],
      ...this.commonHeaders(),
    ]);
  }

  byebyeMessage(r: SsdpResource): Buffer {
    return formatSsdp('NOTIFY * HTTP/1.1', [
      ['HOST', ssdpHost],
      ['NT', r.nt],
      ['NTS', 'ssdp:byebye'],
      ['USN', r.usn],
      ...this.commonHeaders(),
    ]);
  }

  searchResponse(st: string, usn: string): Buffer {
    return formatSsdp('HTTP/1.1 200 OK', [
      ['CACHE-CONTROL', `max-age=${this.opts.maxAge}`],
      ['DATE', new Date(this.opts.clock.now()).toUTCString()],
      ['EXT', ''],
      ['LOCATION', this.opts.location],
      ['SERVER', this.opts.server],
      ['ST', st],
      ['USN', usn],
      ...this.commonHeaders(),
    ]);
  }

  private async sendAll(make: (r: SsdpResource) => Buffer): Promise<void> {
    for (let i = 0; i < repeats; i++) {
      for (const r of this.resources) await this.socket.send(make(r));
    }
  }

  /**
   * Starts advertising. A byebye goes out first so that control points drop whatever they cached
   * from an earlier run that ended without one (a crash or kill -9).
   */
  async start(): Promise<void> {
    this.socket.on('message', this.onMessage);
    this.running = true;
    await this.sendAll((r) => this.byebyeMessage(r));
    await this.advertise();
  }

  private async advertise(): Promise<void> {
    if (!this.running) return;
    await this.sendAll((r) => this.aliveMessage(r));
    // Re-advertise at a random point in the first third of max-age, so the cache entry never lapses.
    const period = (this.opts.maxAge * 1000) / 3;
    this.timer = this.opts.clock.setTimer(period * (0.5 + this.random() / 2), () => void this.advertise());
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.socket.off('message', this.onMessage);
    this.timer?.cancel();
    for (const t of this.pending) t.cancel();
    this.pending.clear();
    await this.sendAll((r) => this.byebyeMessage(r));
  }

  /** The (ST, USN) pairs that answer a search target. */
  matches(st: string): Array<[string, string]> {
    if (st === 'ssdp:all') return this.resources.map((r) => [r.nt, r.usn]);
    const out: Array<[string, string]> = [];
    for (const r of this.resources) {
      if (r.nt === st) out.push([st, r.usn]);
      else if (st.startsWith('urn:') && r.nt.startsWith('urn:') && satisfiesType(r.nt, st)) {
        // A newer version answers a request for an older one, under the requested type (UDA 1.0 1.2.3).
        out.push([st, r.usn.replace(r.nt, st)]);
      }
    }
    return out;
  }

  private answerSearch(headers: ReadonlyMap<string, string>, from: SsdpRemote): void {
    const man = headers.get('man');
    const st = headers.get('st');
    const mx = Number(headers.get('mx'));
    if (man?.replace(/"/g, '') !== 'ssdp:discover' || !st || !Number.isInteger(mx) || mx < 0) return;
    const answers = this.matches(st);
    if (answers.length === 0) return;
    const delay = this.random() * Math.min(mx, maxMx) * 1000;
    const timer = this.opts.clock.setTimer(delay, () => {
      this.pending.delete(timer);
      void (async () => {
        for (const [rst, usn] of answers) await this.socket.send(this.searchResponse(rst, usn), from);
      })();
    });
    this.pending.add(timer);
  }
}

/**
 * The resources a root device announces (UDA 1.0 1.1.2): the root, then for each device (root
 * first, embedded after) its UUID and type, and each of its service types.
 */
export function resourcesOf(
  rootUdn: string,
  devices: ReadonlyArray<{ readonly udn: string; readonly deviceType: string; readonly serviceTypes: readonly string[] }>,
): SsdpResource[] {
  const out: SsdpResource[] = [{ nt: 'upnp:rootdevice', usn: `${rootUdn}::upnp:rootdevice` }];
  for (const d of devices) {
    out.push({ nt: d.udn, usn: d.udn });
    out.push({ nt: d.deviceType, usn: `${d.udn}::${d.deviceType}` });
    for (const st of new Set(d.serviceTypes)) out.push({ nt: st, usn: `${d.udn}::${st}` });
  }
  return out;
}
