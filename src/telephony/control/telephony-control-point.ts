/**
 * The Telephony Control Point (TelCP): the one way hometel's CLI and web UI reach UPnP Telephony. It wraps a
 * UPnP ControlPoint, keeps the Telephony Servers (CallManagement:1) and Telephony Clients (MediaManagement:1) it
 * finds, reports them coming and going, follows each TC's MediaSessionInfo events, and opens a TsSession per
 * Telephony Server for the call flows of the spec. Every action it sends is recorded in one ActionLog.
 */
import { EventEmitter } from 'node:events';
import { errorMessage, systemClock, type Clock, type Logger, type NetworkInterface } from '../../base/index.js';
import { allDevices, ControlPoint, satisfiesType, type EventSubscription, type RemoteDevice } from '../../upnp/index.js';
import type { MediaSessionInfo } from '../contracts/index.js';
import { ActionLog } from './action-log.js';
import { callManagementServiceType, mediaManagementServiceType, TelephonyClient, TelephonyServer } from './devices.js';
import { TelephonyError, usageError } from './errors.js';
import { TsSession, type TsSessionOptions } from './ts-session/index.js';

export interface TelephonyControlPointOptions {
  readonly logger: Logger;
  /** Interfaces to discover on (a ControlPoint is created and owned); not needed with `controlPoint`. */
  readonly interfaces?: readonly NetworkInterface[];
  /** An already started ControlPoint to use (not stopped by stop()). */
  readonly controlPoint?: ControlPoint;
  /** M-SEARCH target of an owned ControlPoint (default ssdp:all); a UDN finds one hometel quickly. */
  readonly searchTarget?: string;
  readonly mx?: number;
  /** Where actions are recorded (default: a new log). */
  readonly log?: ActionLog;
  /** Time for every wait and renewal of the library (default: the system clock). */
  readonly clock?: Clock;
}

export interface TelephonyControlPointEvents {
  'server-added': [TelephonyServer];
  'server-removed': [TelephonyServer, reason: string];
  'client-added': [TelephonyClient];
  'client-removed': [TelephonyClient, reason: string];
  /** A Telephony Client evented a Media Session (Started, modified, Stopped). */
  'media-session': [TelephonyClient, MediaSessionInfo];
}

/** Which known device answers a name: its UDN, or its friendlyName. */
export type DeviceRef<T> = T | string;

export class TelephonyControlPoint extends EventEmitter<TelephonyControlPointEvents> {
  readonly log: ActionLog;
  readonly logger: Logger;
  readonly clock: Clock;
  private cp?: ControlPoint;
  private readonly owned: boolean;
  private readonly tsByUdn = new Map<string, TelephonyServer>();
  private readonly tcByUdn = new Map<string, TelephonyClient>();
  private readonly tcSubscriptions = new Map<string, EventSubscription>();
  private readonly sessions = new Set<TsSession>();
  private stopped = false;

  constructor(private readonly opts: TelephonyControlPointOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? new ActionLog(undefined, this.clock);
    this.logger = opts.logger;
    this.owned = opts.controlPoint === undefined;
    if (opts.controlPoint) this.cp = opts.controlPoint;
  }

  /** Starts discovery (an owned ControlPoint is created and started here). */
  async start(): Promise<void> {
    if (!this.cp) {
      if (!this.opts.interfaces?.length) throw new TypeError('TelephonyControlPoint needs interfaces or a controlPoint');
      this.cp = new ControlPoint({
        interfaces: this.opts.interfaces,
        logger: this.logger.child('upnp'),
        ...(this.opts.searchTarget !== undefined ? { searchTarget: this.opts.searchTarget } : {}),
        ...(this.opts.mx !== undefined ? { mx: this.opts.mx } : {}),
      });
    }
    const cp = this.cp;
    cp.on('device-available', (d) => this.found(d));
    cp.on('device-unavailable', (udn, reason) => this.lost(udn, reason));
    if (this.owned) await cp.start();
    for (const d of cp.devices) this.found(d);
  }

  /** The UPnP control point underneath (for subscriptions and tools). */
  get controlPoint(): ControlPoint {
    if (!this.cp) throw new TypeError('TelephonyControlPoint not started');
    return this.cp;
  }

  /** Telephony Servers available now. */
  servers(): TelephonyServer[] {
    return [...this.tsByUdn.values()].filter((s) => s.available);
  }

  /** Telephony Clients available now. */
  clients(): TelephonyClient[] {
    return [...this.tcByUdn.values()].filter((c) => c.available);
  }

  /** A known Telephony Server by UDN or friendly name (available or not). */
  server(ref: string): TelephonyServer | undefined {
    return this.tsByUdn.get(ref) ?? [...this.tsByUdn.values()].find((s) => s.friendlyName === ref);
  }

  /** A known Telephony Client by UDN or friendly name (available or not). */
  client(ref: DeviceRef<TelephonyClient>): TelephonyClient | undefined {
    if (typeof ref !== 'string') return ref;
    return this.tcByUdn.get(ref) ?? [...this.tcByUdn.values()].find((c) => c.friendlyName === ref);
  }

  /** The first available Telephony Server that matches, now or when it appears. */
  waitForServer(pred: (s: TelephonyServer) => boolean = () => true, timeoutMs = 10_000): Promise<TelephonyServer> {
    return this.waitFor('server-added', () => this.servers().find(pred), pred, timeoutMs, 'Telephony Server');
  }

  /** The first available Telephony Client that matches, now or when it appears. */
  waitForClient(pred: (c: TelephonyClient) => boolean = () => true, timeoutMs = 10_000): Promise<TelephonyClient> {
    return this.waitFor('client-added', () => this.clients().find(pred), pred, timeoutMs, 'Telephony Client');
  }

  private waitFor<T extends TelephonyServer | TelephonyClient>(
    event: 'server-added' | 'client-added',
    now: () => T | undefined,
    pred: (d: T) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    const found = now();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const on = (d: TelephonyServer | TelephonyClient): void => {
        if (!pred(d as T)) return;
        timer.cancel();
        this.off(event, on);
        resolve(d as T);
      };
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.off(event, on);
        reject(new TelephonyError({ kind: 'timeout', sentence: `no matching ${what} appeared within ${timeoutMs} ms` }));
      });
      this.on(event, on);
    });
  }

  /**
   * A session with a Telephony Server: registers the TelCPName, subscribes to its events and keeps its Calls.
   * The session is closed by stop() (or by its own close()).
   */
  async openSession(server: TelephonyServer | string, opts: TsSessionOptions = {}): Promise<TsSession> {
    const ts = typeof server === 'string' ? this.server(server) : server;
    if (!ts) throw usageError(`no Telephony Server ${JSON.stringify(server)} is known`);
    const session: TsSession = new TsSession(
      {
        logger: this.logger,
        clock: this.clock,
        subscribe: (service) => this.controlPoint.subscribe(service),
        client: (ref) => this.client(ref),
        closed: () => this.sessions.delete(session),
      },
      ts,
      opts,
    );
    this.sessions.add(session);
    try {
      await session.start();
    } catch (e) {
      await session.close({ unregister: false });
      throw e;
    }
    return session;
  }

  /** Closes every session (unregistering their names), unsubscribes, and stops an owned ControlPoint. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of [...this.sessions]) await s.close().catch(() => undefined);
    await Promise.all([...this.tcSubscriptions.values()].map((s) => s.close()));
    this.tcSubscriptions.clear();
    if (this.owned) await this.cp?.stop();
  }

  private found(root: RemoteDevice): void {
    if (this.stopped) return;
    for (const d of allDevices(root)) {
      for (const service of d.services) {
        if (satisfiesType(service.serviceType, callManagementServiceType)) {
          const known = this.tsByUdn.get(d.udn);
          const ts = known ?? new TelephonyServer(service, root.udn, this.log);
          if (known) known.attach(service);
          else this.tsByUdn.set(d.udn, ts);
          this.logger.info('telephony server available', { udn: d.udn, name: d.info.friendlyName });
          this.emit('server-added', ts);
        } else if (satisfiesType(service.serviceType, mediaManagementServiceType)) {
          const known = this.tcByUdn.get(d.udn);
          const tc = known ?? new TelephonyClient(service, root.udn, this.log);
          if (known) known.attach(service);
          else {
            this.tcByUdn.set(d.udn, tc);
            tc.events.on('media-session', (info) => this.emit('media-session', tc, info));
            void this.follow(tc);
          }
          this.logger.info('telephony client available', { udn: d.udn, name: d.info.friendlyName });
          this.emit('client-added', tc);
        }
      }
    }
  }

  /** Subscribes to a TC's MediaSessionInfo; the subscription follows the TC across its restarts. */
  private async follow(tc: TelephonyClient): Promise<void> {
    try {
      const sub = await this.controlPoint.subscribe(tc.service);
      if (this.stopped) {
        await sub.close();
        return;
      }
      this.tcSubscriptions.set(tc.udn, sub);
      sub.on('event', (vars) => tc.onEvent(vars));
    } catch (e) {
      this.logger.warn('cannot subscribe to a telephony client', { udn: tc.udn, error: errorMessage(e) });
    }
  }

  private lost(rootUdn: string, reason: string): void {
    for (const ts of this.tsByUdn.values()) {
      if (ts.rootUdn !== rootUdn || !ts.available) continue;
      ts.detach();
      this.emit('server-removed', ts, reason);
    }
    for (const tc of this.tcByUdn.values()) {
      if (tc.rootUdn !== rootUdn || !tc.available) continue;
      tc.detach();
      this.emit('client-removed', tc, reason);
    }
  }
}
