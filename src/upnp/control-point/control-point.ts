/**
 * A UPnP control point: discovers devices (M-SEARCH and advertisements) on the chosen interfaces,
 * keeps a registry of root devices that honours max-age, byebye and restarts (BOOTID or LOCATION
 * change), fetches and parses descriptions and SCPDs, and hosts the callback server for events.
 *
 * A LOCATION is fetched only when it points at the host the advertisement came from, so a forged
 * datagram cannot make us fetch arbitrary URLs.
 */
import { EventEmitter } from 'node:events';
import { errorMessage, onSubnet, systemClock, type Clock, type Logger, type NetworkInterface, type TimerHandle } from '../../base/index.js';
import { parseDeviceDescription, type DescribedDevice } from '../description/device-xml.js';
import { parseScpd } from '../description/scpd-xml.js';
import { httpRequest } from '../http/client.js';
import { HttpServer, serverHeader, type HttpRequest, type HttpResponse } from '../http/server.js';
import { SsdpBrowser, type SsdpAlive } from '../ssdp/browser.js';
import { udnOfUsn } from '../ssdp/ssdp-codec.js';
import { SsdpSocket } from '../ssdp/ssdp-socket.js';
import { EventSubscription } from './event-subscription.js';
import { allDevices, type RemoteDevice } from './remote-device.js';
import { RemoteService } from './remote-service.js';
import { UpnpTimeoutError, UpnpTransportError } from '../model/upnp-error.js';

export interface ControlPointOptions {
  readonly interfaces: readonly NetworkInterface[];
  readonly logger: Logger;
  readonly clock?: Clock;
  /** What to search for at start; `ssdp:all` by default. */
  readonly searchTarget?: string;
  readonly mx?: number;
  /** TIMEOUT asked for each event subscription. */
  readonly subscriptionTimeoutSec?: number;
  /** Root devices kept at most; advertisements beyond are ignored. */
  readonly maxDevices?: number;
}

export interface ControlPointEvents {
  'device-available': [RemoteDevice];
  'device-unavailable': [udn: string, reason: string];
}

interface Entry {
  device: RemoteDevice;
  iface: string;
  expiry?: TimerHandle;
}

interface Interface {
  readonly iface: NetworkInterface;
  readonly ssdp: SsdpSocket;
  readonly browser: SsdpBrowser;
  readonly http: HttpServer;
}

export class ControlPoint extends EventEmitter<ControlPointEvents> {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly interfaces: Interface[] = [];
  /** Every UDN of a root device's tree maps to the root's entry. */
  private readonly byUdn = new Map<string, Entry>();
  private readonly fetching = new Set<string>();
  private readonly subscriptions = new Map<string, EventSubscription>();
  private nextCallback = 1;
  private running = false;

  constructor(private readonly opts: ControlPointOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
  }

  async start(): Promise<void> {
    this.running = true;
    for (const iface of this.opts.interfaces) {
      const ssdp = new SsdpSocket(iface, this.logger.child('ssdp'));
      const browser = new SsdpBrowser(ssdp);
      const http = new HttpServer(
        { address: iface.address, serverHeader: serverHeader(), logger: this.logger.child('http') },
        (req) => this.routeCallback(req),
      );
      await http.listen();
      await ssdp.open();
      browser.on('alive', (a) => this.onAlive(iface, a));
      browser.on('byebye', (b) => {
        const udn = udnOfUsn(b.usn);
        const entry = udn && this.byUdn.get(udn);
        if (entry) this.remove(entry, 'byebye');
      });
      this.interfaces.push({ iface, ssdp, browser, http });
    }
    await this.search();
  }

  /** Sends an M-SEARCH on every interface. */
  async search(target = this.opts.searchTarget ?? 'ssdp:all'): Promise<void> {
    for (const i of this.interfaces) await i.browser.search(target, this.opts.mx ?? 2);
  }

  /** Root devices currently known. */
  get devices(): RemoteDevice[] {
    return [...new Set([...this.byUdn.values()].map((e) => e.device))];
  }

  /** Resolves with the first known or future root device that matches, or rejects after the timeout. */
  waitForDevice(pred: (d: RemoteDevice) => boolean, timeoutMs = 10_000): Promise<RemoteDevice> {
    const found = this.devices.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onAvailable = (d: RemoteDevice): void => {
        if (!pred(d)) return;
        timer.cancel();
        this.off('device-available', onAvailable);
        resolve(d);
      };
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.off('device-available', onAvailable);
        reject(new UpnpTimeoutError(`no matching device within ${timeoutMs} ms`));
      });
      this.on('device-available', onAvailable);
    });
  }

  private onAlive(iface: NetworkInterface, a: SsdpAlive): void {
    const udn = udnOfUsn(a.usn);
    if (!udn || !this.running) return;
    let host: string;
    try {
      host = new URL(a.location).hostname;
    } catch {
      return;
    }
    if (host !== a.from.address) {
      this.logger.debug('ignored advertisement whose LOCATION is not its sender', { location: a.location, from: a.from.address });
      return;
    }
    const entry = this.byUdn.get(udn);
    if (entry) {
      const restarted =
        entry.iface === iface.name &&
        (entry.device.location !== a.location || (a.bootId !== undefined && entry.device.bootId !== undefined && a.bootId !== entry.device.bootId));
      if (!restarted) {
        this.arm(entry, a.maxAge);
        return;
      }
      this.remove(entry, 'restarted');
    }
    void this.fetch(iface, a);
  }

  private arm(entry: Entry, maxAge: number): void {
    entry.expiry?.cancel();
    entry.expiry = this.clock.setTimer(maxAge * 1000, () => this.remove(entry, 'expired'));
  }

  private async fetch(iface: NetworkInterface, a: SsdpAlive): Promise<void> {
    if (this.fetching.has(a.location)) return;
    if (this.devices.length >= (this.opts.maxDevices ?? 256)) return;
    this.fetching.add(a.location);
    try {
      const res = await httpRequest({ method: 'GET', url: a.location, timeoutMs: 5_000, localAddress: iface.address });
      if (res.status !== 200) throw new UpnpTransportError(`HTTP ${res.status}`, res.status);
      const parsed = parseDeviceDescription(res.body, a.location);
      if (!parsed.ok) throw new UpnpTransportError(parsed.reason);
      const device = await this.build(parsed.value, a, iface);
      if (!this.running || allDevices(device).some((d) => this.byUdn.has(d.udn))) return;
      const entry: Entry = { device, iface: iface.name };
      for (const d of allDevices(device)) this.byUdn.set(d.udn, entry);
      this.arm(entry, a.maxAge);
      this.logger.info('device available', { udn: device.udn, type: device.info.deviceType, name: device.info.friendlyName, location: a.location });
      this.emit('device-available', device);
      for (const sub of this.subscriptions.values()) {
        if (sub.state !== 'lost') continue;
        const service = this.serviceOf(device, sub.udn, sub.serviceId);
        if (service) void sub.subscribe(service);
      }
    } catch (e) {
      this.logger.warn('cannot use device', { location: a.location, error: errorMessage(e) });
    } finally {
      this.fetching.delete(a.location);
    }
  }

  private serviceOf(root: RemoteDevice, udn: string, serviceId: string): RemoteService | undefined {
    return allDevices(root).find((d) => d.udn === udn)?.services.find((s) => s.serviceId === serviceId);
  }

  private async build(desc: DescribedDevice, a: SsdpAlive, iface: NetworkInterface): Promise<RemoteDevice> {
    const services = await Promise.all(
      desc.services.map(async (s) => {
        const res = await httpRequest({ method: 'GET', url: s.scpdUrl, timeoutMs: 5_000, localAddress: iface.address });
        if (res.status !== 200) throw new UpnpTransportError(`SCPD ${s.scpdUrl}: HTTP ${res.status}`, res.status);
        const contract = parseScpd(res.body, s.serviceType, s.serviceId);
        if (!contract.ok) throw new UpnpTransportError(`SCPD ${s.scpdUrl}: ${contract.reason}`);
        return new RemoteService(desc.info, s, contract.value, iface.address);
      }),
    );
    const devices = await Promise.all(desc.devices.map((d) => this.build(d, a, iface)));
    return {
      info: desc.info,
      udn: desc.info.udn,
      location: a.location,
      ...(a.bootId !== undefined ? { bootId: a.bootId } : {}),
      services,
      devices,
      description: desc,
    };
  }

  private remove(entry: Entry, reason: string): void {
    entry.expiry?.cancel();
    let removed = false;
    for (const d of allDevices(entry.device)) {
      if (this.byUdn.get(d.udn) === entry) {
        this.byUdn.delete(d.udn);
        removed = true;
      }
    }
    if (!removed) return;
    const udns = new Set(allDevices(entry.device).map((d) => d.udn));
    for (const sub of this.subscriptions.values()) if (udns.has(sub.udn)) sub.deviceGone(reason);
    this.logger.info('device unavailable', { udn: entry.device.udn, reason });
    this.emit('device-unavailable', entry.device.udn, reason);
  }

  /**
   * Subscribes to a service's events. The subscription outlives the device's restarts: it
   * subscribes again whenever the device is rediscovered, until closed.
   */
  async subscribe(service: RemoteService): Promise<EventSubscription> {
    const host = new URL(service.urls.eventSubUrl).hostname;
    const i = this.interfaces.find((x) => onSubnet(host, x.iface)) ?? this.interfaces[0];
    if (!i) throw new Error('control point not started');
    const path = `/gena/${this.nextCallback++}`;
    const sub = new EventSubscription(service, i.http.baseUrl + path, {
      clock: this.clock,
      logger: this.logger.child('gena'),
      timeoutSec: this.opts.subscriptionTimeoutSec ?? 1800,
      onClose: () => this.subscriptions.delete(path),
    });
    this.subscriptions.set(path, sub);
    await sub.subscribe();
    return sub;
  }

  private routeCallback(req: HttpRequest): HttpResponse {
    if (req.method !== 'NOTIFY') return { status: 405 };
    const sub = this.subscriptions.get(req.path);
    if (!sub) return { status: 412 };
    return sub.handleNotify(req);
  }

  /** Unsubscribes everything and closes every socket. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all([...this.subscriptions.values()].map((s) => s.close()));
    for (const e of new Set(this.byUdn.values())) e.expiry?.cancel();
    this.byUdn.clear();
    for (const i of this.interfaces) {
      i.browser.close();
      i.ssdp.close();
      await i.http.close();
    }
    this.interfaces.length = 0;
  }
}

