/**
 * The provisioning service (issue 15): the one application service behind every interface of provisioning (CLI,
 * HTTP API, web page) and what the configuration server and the notifier ask. It keeps the device registry —
 * pending devices as they introduced themselves, enrollment to extensions (by an administrator, or automatically to
 * the next free number when configured), fetch and notification history — and the secrets a device is given: its
 * provisioning secret (Keyring) and its extensions' passwords (SealedPasswords).
 */
import { randomBytes } from 'node:crypto';
import type { Clock, Logger } from '../base/index.js';
import type { PhoneDirectory, PhonesAdmin } from '../phones/index.js';
import { ProvisioningError } from './errors.js';
import type { Keyring } from './keyring.js';
import { parseMac } from './mac.js';
import { vendors, type Device, type DeviceIdentity, type FetchRecord, type NotificationRecord, type ProvisioningEvent, type Sighting, type Vendor } from './model.js';
import type { DeviceRepository } from './ports.js';
import type { SealedPasswords } from './sealed-passwords.js';

/** Auto-enrollment: a new device gets a new extension, the lowest free number in this range. */
export interface AutoEnroll {
  readonly first: number;
  readonly last: number;
}

export interface ProvisioningServiceOptions {
  readonly devices: DeviceRepository;
  readonly passwords: SealedPasswords;
  readonly keyring: Keyring;
  readonly phones: PhonesAdmin & PhoneDirectory;
  readonly autoEnroll?: AutoEnroll;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** What an administrator gives for a device (CLI, HTTP API, web page). */
export interface DeviceChanges {
  readonly extensions?: readonly string[];
  readonly vendor?: Vendor;
  readonly model?: string;
  readonly template?: Vendor;
}

const newPassword = (): string => randomBytes(18).toString('base64url');

export class ProvisioningService {
  private readonly listeners = new Set<(e: ProvisioningEvent) => void>();

  constructor(private readonly o: ProvisioningServiceOptions) {}

  devices(): Device[] {
    return this.o.devices.list();
  }

  device(mac: string): Device | undefined {
    const m = parseMac(mac);
    return m === undefined ? undefined : this.o.devices.get(m);
  }

  /** A device introduced itself: a new one is listed pending (or auto-enrolled); a known one fills in what it said. */
  sighted(identity: DeviceIdentity, sighting: Sighting): Device {
    const known = this.o.devices.get(identity.mac);
    if (known) {
      const filled: Device = { ...known, ...definedOf(identity) };
      if (!sameIdentity(known, filled)) this.save(filled, 'device-changed');
      return filled;
    }
    const device: Device = {
      ...definedOf(identity),
      mac: identity.mac,
      state: 'pending',
      extensions: [],
      secretGeneration: 1,
      firstSeen: this.o.clock.now(),
      firstSeenFrom: sighting.address ? `${sighting.via} ${sighting.address}` : sighting.via,
    };
    this.save(device, 'device-added');
    this.o.logger.info('device seen', { mac: device.mac, vendor: device.vendor, model: device.model, from: device.firstSeenFrom });
    return this.o.autoEnroll ? this.autoEnroll(device, this.o.autoEnroll) : device;
  }

  /** An administrator adds a device not seen yet (or changes one); with extensions it is enrolled to them. */
  add(macText: string, changes: DeviceChanges = {}): Device {
    const mac = this.macOf(macText);
    // Refused changes must not leave a new device behind: checked before it is made.
    this.check(changes);
    const device = this.o.devices.get(mac) ?? this.sighted({ mac }, { via: 'admin' });
    return this.update(device, changes);
  }

  /** Enrolls a device (pending or not) to extensions: its per-device file then carries their accounts. */
  enroll(macText: string, extensions: readonly string[], template?: Vendor): Device {
    return this.update(this.existing(macText), { extensions, ...(template ? { template } : {}) });
  }

  remove(macText: string): void {
    const mac = this.macOf(macText);
    if (!this.o.devices.remove(mac)) throw new ProvisioningError('not-found', `no device ${mac}`);
    this.o.logger.info('device removed', { mac });
    this.emit({ type: 'device-removed', mac });
  }

  /** Asks the running hometel to tell the device to fetch its configuration again (check-sync). */
  resync(macText: string): Device {
    const device = this.existing(macText);
    if (device.state !== 'enrolled') throw new ProvisioningError('conflict', `device ${device.mac} is pending: enroll it first`);
    return this.save({ ...device, resyncRequestedAt: this.o.clock.now() }, 'device-changed');
  }

  /** A new provisioning secret for the device: its old one (secret path, Digest password) stops working. */
  rotateSecret(macText: string): Device {
    const device = this.existing(macText);
    this.o.logger.info('device secret rotated', { mac: device.mac });
    return this.save({ ...device, secretGeneration: device.secretGeneration + 1 }, 'device-changed');
  }

  /** The device's provisioning secret (its secret path and its Digest password); enrolled devices only. */
  deviceSecret(mac: string): string | undefined {
    const device = this.o.devices.get(mac);
    return device?.state === 'enrolled' ? this.o.keyring.deviceSecret(device.mac, device.secretGeneration) : undefined;
  }

  /** Whether `given` is the enrolled device's provisioning secret (constant time). */
  isDeviceSecret(mac: string, given: string): boolean {
    const device = this.o.devices.get(mac);
    return device?.state === 'enrolled' && this.o.keyring.isDeviceSecret(device.mac, device.secretGeneration, given);
  }

  /** The plain password of an extension a device carries, for its file. */
  passwordOf(number: string): string | undefined {
    return this.o.passwords.reveal(number);
  }

  recordFetch(mac: string, fetch: FetchRecord): void {
    const device = this.o.devices.get(mac);
    if (device) this.o.devices.put({ ...device, lastFetch: fetch });
  }

  recordNotification(mac: string, notification: NotificationRecord): void {
    const device = this.o.devices.get(mac);
    if (!device) return;
    const { resyncRequestedAt, ...rest } = device;
    const done = resyncRequestedAt !== undefined && notification.kind === 'check-sync' && resyncRequestedAt <= notification.at;
    this.o.devices.put({ ...(done ? rest : device), lastNotification: notification });
  }

  /** Changes by another process (the CLI) move this number. */
  version(): number {
    return this.o.devices.version();
  }

  onChange(listener: (e: ProvisioningEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private check(changes: DeviceChanges): void {
    if (changes.vendor !== undefined) checkVendor(changes.vendor);
    if (changes.template !== undefined) checkVendor(changes.template);
    for (const number of changes.extensions ?? []) if (!this.o.phones.extension(number)) throw new ProvisioningError('not-found', `no extension ${number}`);
  }

  private update(device: Device, changes: DeviceChanges): Device {
    this.check(changes);
    const extensions = changes.extensions ?? device.extensions;
    for (const number of extensions) this.holdPassword(number);
    const next: Device = {
      ...device,
      ...(changes.vendor !== undefined ? { vendor: changes.vendor } : {}),
      ...(changes.model !== undefined ? { model: changes.model } : {}),
      ...(changes.template !== undefined ? { template: changes.template } : {}),
      extensions: [...extensions],
      state: extensions.length > 0 ? 'enrolled' : 'pending',
    };
    if (next.state === 'enrolled' && device.state === 'pending') this.o.logger.info('device enrolled', { mac: next.mac, extensions: next.extensions.join(',') });
    return this.save(next, 'device-changed');
  }

  /** An extension a device carries must have a password hometel can put in its file: one is made when none is kept. */
  private holdPassword(number: string): void {
    if (!this.o.phones.extension(number)) throw new ProvisioningError('not-found', `no extension ${number}`);
    if (this.o.passwords.reveal(number) !== undefined) return;
    this.o.phones.passwd(number, newPassword());
    this.o.logger.warn('extension given a new password for its provisioned phone', { number });
  }

  private autoEnroll(device: Device, range: AutoEnroll): Device {
    const taken = new Set(this.o.phones.extensions().map((e) => e.number));
    let number: string | undefined;
    for (let n = range.first; n <= range.last && number === undefined; n++) if (!taken.has(String(n))) number = String(n);
    if (number === undefined) {
      this.o.logger.warn('device left pending: no free extension to auto-enroll it to', { mac: device.mac, first: range.first, last: range.last });
      return device;
    }
    const name = [device.vendor, device.model].filter(Boolean).join(' ') || device.mac;
    this.o.phones.add({ number, password: newPassword(), displayName: name });
    return this.update(device, { extensions: [number] });
  }

  private existing(macText: string): Device {
    const mac = this.macOf(macText);
    const device = this.o.devices.get(mac);
    if (!device) throw new ProvisioningError('not-found', `no device ${mac}`);
    return device;
  }

  private macOf(text: string): string {
    const mac = parseMac(text);
    if (mac === undefined) throw new ProvisioningError('invalid', `not a MAC address: ${JSON.stringify(text)}`);
    return mac;
  }

  private save(device: Device, type: 'device-added' | 'device-changed'): Device {
    this.o.devices.put(device);
    this.emit({ type, mac: device.mac });
    return device;
  }

  private emit(e: ProvisioningEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function checkVendor(v: string): void {
  if (!(vendors as readonly string[]).includes(v)) throw new ProvisioningError('invalid', `unknown vendor ${JSON.stringify(v)}: one of ${vendors.join(', ')}`);
}

const definedOf = (i: DeviceIdentity): Partial<DeviceIdentity> => ({
  ...(i.vendor !== undefined ? { vendor: i.vendor } : {}),
  ...(i.model !== undefined ? { model: i.model } : {}),
  ...(i.firmware !== undefined ? { firmware: i.firmware } : {}),
});

const sameIdentity = (a: DeviceIdentity, b: DeviceIdentity): boolean => a.vendor === b.vendor && a.model === b.model && a.firmware === b.firmware;
