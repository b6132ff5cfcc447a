/**
 * check-sync (issue 15): a registered phone told to fetch its configuration again — an out-of-dialog NOTIFY with
 * `Event: check-sync;reboot=false` (or `true`), the de-facto convention of desk phones (Yealink, Snom, Polycom,
 * Grandstream all re-provision on it; no RFC defines the package). Each registered binding of each extension the
 * device carries gets one; every answer goes into the device's history.
 */
import type { Logger } from '../../base/index.js';
import type { Device, NotificationRecord } from '../../provisioning/index.js';
import type { PhoneDirectory } from '../../phones/index.js';
import type { UserAgent } from '../index.js';
import { sendUnsolicitedNotify } from './message-waiting.js';

export interface CheckSyncOptions {
  readonly userAgent: UserAgent;
  readonly realm: string;
  readonly directory: Pick<PhoneDirectory, 'bindings'>;
  readonly devices: { recordNotification(mac: string, notification: NotificationRecord): void };
  /** `reboot=true`: the phone restarts to apply it (config `provisioning.checkSyncReboot`). */
  readonly reboot: boolean;
  readonly logger: Logger;
}

/** Sends check-sync to every registered binding of the device's extensions; the number of NOTIFYs sent. */
export function sendCheckSync(o: CheckSyncOptions, device: Device): number {
  let sent = 0;
  for (const number of device.extensions) {
    for (const b of o.directory.bindings(number)) {
      sent++;
      sendUnsolicitedNotify(o.userAgent, o.realm, b, `check-sync;reboot=${o.reboot}`, undefined, (a) => {
        o.logger.info('check-sync answered', { mac: device.mac, extension: number, target: a.target, answer: a.answer });
        o.devices.recordNotification(device.mac, { at: o.userAgent.clock.now(), kind: 'check-sync', target: a.target, answer: a.answer });
      });
    }
  }
  if (sent === 0) o.logger.info('check-sync not sent: no registered phone', { mac: device.mac, extensions: device.extensions.join(',') });
  return sent;
}
