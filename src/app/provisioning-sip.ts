/**
 * Provisioning on the phones' SIP side (issue 15, notification), wired: plug and play on the home interfaces
 * (`provisioning.plugAndPlay`), RFC 6080 `ua-profile` subscriptions through the phones' notifier, and check-sync to
 * registered phones — both sent when the profile watch sees a device's file change, check-sync also on an
 * administrator's resync. `startProvisioning` starts it once the phones' side runs.
 */
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
  /** The URL a device is told, with its secret once it is enrolled (the files service's `provisioningUrl`). */
  readonly profileUrl: (mac: string) => string;
  /** The fingerprint of a device's own file (the files service's `DeviceFiles.fingerprint`). */
  readonly fingerprint: (mac: string) => Promise<string | undefined>;
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
  const { profileUrl } = o;
  const ua = o.side.userAgent;
  const subscriptions = o.notifier
    ? new ProfileSubscriptions({ notifier: o.notifier, devices: o.service, profileUrl, realm: o.side.realm, now: () => o.clock.now(), logger: logger.child('ua-profile') })
    : undefined;
  const checkSync = { userAgent: ua, realm: o.side.realm, directory: o.phones, devices: o.service, reboot: o.config.checkSyncReboot, logger: logger.child('check-sync') };
  const watch = new ProfileWatch({
    devices: o.service,
    phones: o.phones,
    fingerprint: o.fingerprint,
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
