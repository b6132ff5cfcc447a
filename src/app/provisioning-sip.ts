/**
 * Provisioning on the phones' SIP side (issue 15, notification), wired: plug and play on the home interfaces
 * (`provisioning.plugAndPlay`), RFC 6080 `ua-profile` subscriptions through the phones' notifier, and check-sync to
 * registered phones — both sent when the profile watch sees a device's file change, check-sync also on an
 * administrator's resync. `startProvisioning` starts it once the phones' side runs.
 */
import { createHash } from 'node:crypto';
import type { Clock, Logger, NetworkInterface } from '../base/index.js';
import type { PhoneDirectory } from '../phones/index.js';
import type { ProvisioningService } from '../provisioning/index.js';
import { PlugAndPlay, ProfileSubscriptions, ProfileWatch, sendCheckSync, type Notifier, type PhoneSide } from '../sip/pbx/index.js';
import type { ProvisioningConfig } from './config/schema.js';

export interface ProvisioningSipOptions {
  readonly config: ProvisioningConfig;
  readonly service: ProvisioningService;
  /** The running phones' side (registrar address, user agent). */
  readonly side: PhoneSide;
  /** The registrar's phones service: bindings (check-sync), credentials (the default fingerprint), extension events. */
  readonly phones: PhoneDirectory;
  /** The phones' notifier (`RunningPhones.lamps.notifier`); without one, no RFC 6080 subscriptions. */
  readonly notifier?: Pick<Notifier, 'addPackage'>;
  /** The home interfaces (config `interfaces`, resolved): plug and play listens on these only. */
  readonly interfaces: readonly NetworkInterface[];
  /** The web server's port: the provisioning URL's default is `http://<registrar host>:<webPort>/provisioning/`. */
  readonly webPort: number;
  /** The fingerprint of a device's own file (the files service's `DeviceFiles.fingerprint`); default: `fingerprintOf`. */
  readonly fingerprint?: (mac: string) => Promise<string | undefined>;
  /** How often the store is polled for changes by other processes; default 2000 ms. */
  readonly pollMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RunningProvisioningSip {
  readonly plugAndPlay?: PlugAndPlay;
  readonly subscriptions?: ProfileSubscriptions;
  readonly watch: ProfileWatch;
  /** The URL a device is told (with its secret once it is enrolled). */
  profileUrl(mac: string): string;
  stop(): Promise<void>;
}

export async function startProvisioningSip(o: ProvisioningSipOptions): Promise<RunningProvisioningSip> {
  const logger = o.logger.child('provisioning');
  const base = provisioningBaseUrl(o.config, o.side.host, o.webPort);
  const profileUrl = (mac: string): string => {
    const secret = o.service.deviceSecret(mac);
    return secret === undefined ? base : `${base}${secret}/`;
  };
  const ua = o.side.userAgent;
  const subscriptions = o.notifier
    ? new ProfileSubscriptions({ notifier: o.notifier, devices: o.service, profileUrl, realm: o.side.realm, now: () => o.clock.now(), logger: logger.child('ua-profile') })
    : undefined;
  const checkSync = { userAgent: ua, realm: o.side.realm, directory: o.phones, devices: o.service, reboot: o.config.checkSyncReboot, logger: logger.child('check-sync') };
  const watch = new ProfileWatch({
    devices: o.service,
    phones: o.phones,
    fingerprint: o.fingerprint ?? fingerprintOf(o.service, o.phones),
    changed: (device) => {
      sendCheckSync(checkSync, device);
      subscriptions?.changed(device.mac);
    },
    resync: (device) => sendCheckSync(checkSync, device) > 0,
    clock: o.clock,
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    logger: logger.child('watch'),
  });
  const plugAndPlay = o.config.plugAndPlay
    ? new PlugAndPlay({ interfaces: o.interfaces, port: o.config.plugAndPlayPort, userAgent: ua, devices: o.service, profileUrl, logger: logger.child('plug-and-play') })
    : undefined;
  await plugAndPlay?.start();
  try {
    await watch.start();
  } catch (e) {
    await plugAndPlay?.stop();
    throw e;
  }
  return {
    ...(plugAndPlay ? { plugAndPlay } : {}),
    ...(subscriptions ? { subscriptions } : {}),
    watch,
    profileUrl,
    stop: async () => {
      watch.stop();
      subscriptions?.close();
      await plugAndPlay?.stop();
    },
  };
}

/** Config `provisioning.url` (with a closing `/`), else `http://<host>:<webPort>/provisioning/`. */
export function provisioningBaseUrl(config: Pick<ProvisioningConfig, 'url'>, host: string, webPort: number): string {
  if (config.url !== undefined) return config.url.endsWith('/') ? config.url : `${config.url}/`;
  return `http://${host}:${webPort}/provisioning/`;
}

/**
 * A stand-in for the files service's fingerprint until it is wired: a hash of what a device's file is made of —
 * the device row (extensions, template, vendor, model, secret generation) and, for each extension it carries, its
 * name, HA1 values and password. Undefined for a pending or unknown device (it has no file of its own).
 */
export function fingerprintOf(service: Pick<ProvisioningService, 'device' | 'passwordOf'>, phones: Pick<PhoneDirectory, 'credentials'>): (mac: string) => Promise<string | undefined> {
  return (mac) => {
    const d = service.device(mac);
    if (d?.state !== 'enrolled') return Promise.resolve(undefined);
    const hash = createHash('sha256').update(JSON.stringify([d.mac, d.vendor, d.model, d.template, d.secretGeneration, d.extensions]));
    for (const number of d.extensions) {
      const e = phones.credentials(number);
      hash.update(JSON.stringify([number, e?.displayName, e?.ha1Md5, e?.ha1Sha256, service.passwordOf(number)]));
    }
    return Promise.resolve(hash.digest('hex'));
  };
}
