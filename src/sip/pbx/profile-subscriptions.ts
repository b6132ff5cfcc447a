/**
 * RFC 6080 subscriptions (issue 15): a phone subscribes to `ua-profile` at the registrar's address, Digest-
 * authenticated like every SUBSCRIBE of the phones' side, and hears where its profile is — at once (RFC 6665
 * 4.2.1.2) and again whenever its file changes. The subscriptions are the notifier's (notifier.ts, `addPackage`):
 * refresh, expiry and un-SUBSCRIBE (Expires: 0) follow RFC 6665 there. This part names the device a SUBSCRIBE asks
 * about and the body of each NOTIFY.
 *
 * Profile types (RFC 6080 6.2): `device` — the device the Request-URI (or To) names by its MAC (5.1.1
 * `sip:MAC%3a…@…`), or without a MAC the one device that carries the subscriber's extension; `user` — the Request-URI
 * is the subscriber's own address of record, and the profile is that of the device carrying it (hometel keeps one file
 * per device, which holds its users' accounts). hometel keeps no `local-network` profile: 489 (our reading of RFC 6665
 * 8.2.1 for a package parameter not served, docs/decisions.md). A subscriber may only watch a device that carries its
 * own extension (403 otherwise).
 */
import type { Logger } from '../../base/index.js';
import type { Device, NotificationRecord } from '../../provisioning/index.js';
import { parseUri, type SipRequest } from '../index.js';
import type { Notifier } from './notifier.js';
import { externalBodyType, macOfRequest, parseUaProfileEvent, profileBody, uaProfileEvent, urlType } from './ua-profile.js';

/** What the subscriptions need of the provisioning service. */
export interface ProfileDevices {
  device(mac: string): Device | undefined;
  devices(): Device[];
  recordNotification(mac: string, notification: NotificationRecord): void;
}

export interface ProfileSubscriptionsOptions {
  readonly notifier: Pick<Notifier, 'addPackage'>;
  readonly devices: ProfileDevices;
  /** The URL a device is told (the provisioning URL with its secret). */
  readonly profileUrl: (mac: string) => string;
  readonly realm: string;
  readonly now: () => number;
  readonly logger: Logger;
}

export class ProfileSubscriptions {
  private readonly listeners = new Set<(mac: string) => void>();
  private readonly remove: () => void;

  constructor(private readonly o: ProfileSubscriptionsOptions) {
    this.remove = o.notifier.addPackage({
      name: uaProfileEvent,
      types: [urlType, externalBodyType],
      resource: (req, subscriber) => this.resource(req, subscriber),
      body: (mac, accept) => profileBody(o.profileUrl(mac), accept),
      onChange: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      answered: (mac, target, answer) => o.devices.recordNotification(mac, { at: o.now(), kind: 'ua-profile', target, answer }),
    });
  }

  /** The device's file changed: each subscription to its profile gets a NOTIFY. */
  changed(mac: string): void {
    for (const l of this.listeners) l(mac);
  }

  /** Ends the subscriptions (final NOTIFY) and stops serving the package. */
  close(): void {
    this.remove();
  }

  private resource(req: SipRequest, subscriber: string): { key: string; entity: string } | { status: number } {
    const event = parseUaProfileEvent(req.headers.get('Event'));
    if (event?.profileType !== 'device' && event?.profileType !== 'user') {
      this.o.logger.info('ua-profile SUBSCRIBE refused: profile type not served', { subscriber, profileType: event?.profileType ?? 'none' });
      return { status: 489 };
    }
    let device: Device | undefined;
    if (event.profileType === 'device') {
      const mac = macOfRequest(req);
      device = mac !== undefined ? this.o.devices.device(mac) : this.carrying(subscriber);
    } else {
      const uri = parseUri(req.uri);
      if (uri?.kind !== 'sip' || uri.user !== subscriber) return { status: 403 };
      device = this.carrying(subscriber);
    }
    if (!device || device.state !== 'enrolled') return { status: 404 };
    if (!device.extensions.includes(subscriber)) return { status: 403 };
    return { key: device.mac, entity: `sip:MAC%3a${device.mac}@${this.o.realm}` };
  }

  /** The one enrolled device that carries `extension` (none when no device, or several, do). */
  private carrying(extension: string): Device | undefined {
    const found = this.o.devices.devices().filter((d) => d.state === 'enrolled' && d.extensions.includes(extension));
    return found.length === 1 ? found[0] : undefined;
  }
}
