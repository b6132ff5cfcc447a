/**
 * Hosts a root device (with embedded devices) on one or more interfaces: description and SCPD over
 * HTTP, SOAP control, GENA eventing, SSDP advertisement. One HTTP server, SSDP socket and advertiser
 * per interface address (each advertises its own LOCATION); the services and their subscribers are
 * shared, so an event reaches subscribers on every interface.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type Logger, type NetworkInterface } from '../../base/index.js';
import { buildDeviceDescription, type DescribedDevice } from '../description/device-xml.js';
import { buildScpd } from '../description/scpd-xml.js';
import { EventPublisher, type EventPublisherOptions } from '../gena/event-publisher.js';
import { HttpServer, serverHeader, type HttpRequest, type HttpResponse } from '../http/server.js';
import type { DeviceInfo } from '../model/device-model.js';
import { isUuidUdn } from '../model/identifiers.js';
import type { ServiceImplementation } from '../model/service-implementation.js';
import { resourcesOf, SsdpAdvertiser } from '../ssdp/advertiser.js';
import { SsdpSocket } from '../ssdp/ssdp-socket.js';
import { LocalService } from './local-service.js';
import { handleControl } from './soap-control.js';

export interface DeviceSpec {
  readonly info: DeviceInfo;
  readonly services: readonly ServiceImplementation[];
  readonly devices?: readonly DeviceSpec[];
}

export interface DeviceHostOptions {
  readonly root: DeviceSpec;
  readonly interfaces: readonly NetworkInterface[];
  /** HTTP port (the same on every interface); 0 or absent picks a free one. */
  readonly httpPort?: number;
  /** BOOTID.UPNP.ORG: must grow each time the device starts (the store keeps it). */
  readonly bootId: number;
  readonly configId?: number;
  readonly maxAge?: number;
  readonly productToken?: string;
  readonly clock?: Clock;
  readonly logger: Logger;
  readonly gena?: Partial<Pick<EventPublisherOptions, 'defaultTimeoutSec' | 'minTimeoutSec' | 'maxTimeoutSec' | 'maxSubscriptions' | 'maxPerAddress' | 'maxQueue'>>;
  readonly maxBodyBytes?: number;
  /** SSDP multicast TTL; UDA 1.1 recommends 2. */
  readonly ssdpTtl?: number;
}

interface HostedService {
  readonly service: LocalService;
  readonly publisher: EventPublisher;
  readonly paths: { readonly scpd: string; readonly control: string; readonly event: string };
  readonly udn: string;
}

interface Endpoint {
  readonly http: HttpServer;
  readonly ssdp: SsdpSocket;
  advertiser?: SsdpAdvertiser;
}

function flatten(spec: DeviceSpec): DeviceSpec[] {
  return [spec, ...(spec.devices ?? []).flatMap(flatten)];
}

function serviceIdSuffix(serviceId: string): string {
  return encodeURIComponent(serviceId.split(':').pop() ?? serviceId);
}

export const descriptionPath = '/description.xml';

export class DeviceHost {
  private readonly clock: Clock;
  private readonly services: HostedService[] = [];
  private readonly byPath = new Map<string, { kind: 'scpd' | 'control' | 'event'; hosted: HostedService }>();
  private readonly endpoints: Endpoint[] = [];
  private readonly server: string;
  private readonly configId: number;
  private started = false;

  constructor(private readonly opts: DeviceHostOptions) {
    this.clock = opts.clock ?? systemClock;
    this.configId = opts.configId ?? 1;
    this.server = serverHeader(opts.productToken);
    const udns = new Set<string>();
    for (const dev of flatten(opts.root)) {
      if (!isUuidUdn(dev.info.udn)) throw new Error(`UDN must be uuid:…, got ${dev.info.udn}`);
      if (udns.has(dev.info.udn)) throw new Error(`duplicate UDN ${dev.info.udn}`);
      udns.add(dev.info.udn);
      for (const impl of dev.services) this.host(dev.info.udn, impl);
    }
  }

  private host(udn: string, impl: ServiceImplementation): void {
    const logger = this.opts.logger.child(serviceIdSuffix(impl.contract.serviceId));
    const service = new LocalService(impl, logger);
    const base = `/upnp/${udn.slice(5)}/${serviceIdSuffix(impl.contract.serviceId)}`;
    const paths = { scpd: `${base}/scpd.xml`, control: `${base}/control`, event: `${base}/event` };
    if (this.byPath.has(paths.scpd)) throw new Error(`duplicate serviceId ${impl.contract.serviceId} in ${udn}`);
    const publisher = new EventPublisher({
      ...this.opts.gena,
      clock: this.clock,
      logger: logger.child('gena'),
      currentState: () => service.eventedState(),
      newSid: () => `uuid:${randomUUID()}`,
    });
    service.onEvent((vars) => publisher.publish(vars));
    const hosted: HostedService = { service, publisher, paths, udn };
    this.services.push(hosted);
    this.byPath.set(paths.scpd, { kind: 'scpd', hosted });
    this.byPath.set(paths.control, { kind: 'control', hosted });
    this.byPath.set(paths.event, { kind: 'event', hosted });
  }

  /** The hosted service with this serviceId in the device with this UDN. */
  service(udn: string, serviceId: string): LocalService {
    const h = this.services.find((s) => s.udn === udn && s.service.contract.serviceId === serviceId);
    if (!h) throw new Error(`no service ${serviceId} in ${udn}`);
    return h.service;
  }

  /** How many control points are subscribed to a service's events (for status displays). */
  subscriberCount(udn: string, serviceId: string): number {
    return this.services.find((s) => s.udn === udn && s.service.contract.serviceId === serviceId)?.publisher.subscriptionCount ?? 0;
  }

  /** Control points subscribed to each hosted service, by serviceId, summed over the devices (metrics). */
  subscribersByService(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const s of this.services) {
      const id = s.service.contract.serviceId;
      counts.set(id, (counts.get(id) ?? 0) + s.publisher.subscriptionCount);
    }
    return counts;
  }

  /** Description URL on each interface, once started. */
  get locations(): string[] {
    return this.endpoints.map((e) => e.http.baseUrl + descriptionPath);
  }

  private described(spec: DeviceSpec): DescribedDevice {
    return {
      info: spec.info,
      services: spec.services.map((impl) => {
        const h = this.services.find((s) => s.udn === spec.info.udn && s.service.contract === impl.contract)!;
        return {
          serviceType: impl.contract.serviceType,
          serviceId: impl.contract.serviceId,
          scpdUrl: h.paths.scpd,
          controlUrl: h.paths.control,
          eventSubUrl: h.paths.event,
        };
      }),
      devices: (spec.devices ?? []).map((d) => this.described(d)),
    };
  }

  private async route(req: HttpRequest): Promise<HttpResponse> {
    const path = req.path.split('?')[0]!;
    const xml: [string, string] = ['CONTENT-TYPE', 'text/xml; charset="utf-8"'];
    if (path === descriptionPath) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers: [['ALLOW', 'GET, HEAD']] };
      return { status: 200, headers: [xml], body: buildDeviceDescription(this.described(this.opts.root), this.configId) };
    }
    const target = this.byPath.get(path);
    if (!target) return { status: 404 };
    const { hosted } = target;
    switch (target.kind) {
      case 'scpd':
        if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers: [['ALLOW', 'GET, HEAD']] };
        return { status: 200, headers: [xml], body: buildScpd(hosted.service.contract) };
      case 'control':
        return handleControl(hosted.service, req, this.opts.logger.child('soap'));
      case 'event':
        return hosted.publisher.handle(req);
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const all = flatten(this.opts.root);
    const resources = resourcesOf(
      this.opts.root.info.udn,
      all.map((d) => ({ udn: d.info.udn, deviceType: d.info.deviceType, serviceTypes: d.services.map((s) => s.contract.serviceType) })),
    );
    for (const iface of this.opts.interfaces) {
      const logger = this.opts.logger.child(`${iface.name}`);
      const http = new HttpServer(
        { address: iface.address, port: this.opts.httpPort ?? 0, serverHeader: this.server, logger: logger.child('http'), ...(this.opts.maxBodyBytes ? { maxBodyBytes: this.opts.maxBodyBytes } : {}) },
        (req) => this.route(req),
      );
      const ssdp = new SsdpSocket(iface, logger.child('ssdp'), this.opts.ssdpTtl);
      const endpoint: Endpoint = { http, ssdp };
      this.endpoints.push(endpoint);
      await http.listen();
      await ssdp.open();
      endpoint.advertiser = new SsdpAdvertiser(ssdp, resources, {
        location: http.baseUrl + descriptionPath,
        server: this.server,
        maxAge: this.opts.maxAge ?? 1800,
        bootId: this.opts.bootId,
        configId: this.configId,
        clock: this.clock,
        logger: logger.child('ssdp'),
      });
      await endpoint.advertiser.start();
      this.opts.logger.info('device online', { udn: this.opts.root.info.udn, location: http.baseUrl + descriptionPath, bootId: this.opts.bootId });
    }
  }

  /** Byebye on every interface, end every subscription, close every socket. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const e of this.endpoints) await e.advertiser?.stop();
    for (const s of this.services) s.publisher.close();
    for (const e of this.endpoints) {
      e.ssdp.close();
      await e.http.close();
    }
    this.endpoints.length = 0;
    this.opts.logger.info('device offline', { udn: this.opts.root.info.udn });
  }

  /** Drop datagrams counted as garbage or foreign, summed over interfaces (for logs and tests). */
  get ssdpDropped(): number {
    return this.endpoints.reduce((n, e) => n + e.ssdp.droppedCount, 0);
  }
}
