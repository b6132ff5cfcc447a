/** A discovered root device with its embedded devices and their services, as one immutable snapshot. */
import type { DescribedDevice } from '../description/device-xml.js';
import type { DeviceInfo } from '../model/device-model.js';
import type { RemoteService } from './remote-service.js';

export interface RemoteDevice {
  readonly info: DeviceInfo;
  readonly udn: string;
  readonly location: string;
  readonly bootId?: number;
  readonly services: readonly RemoteService[];
  readonly devices: readonly RemoteDevice[];
  readonly description: DescribedDevice;
}

/** This device and every embedded one, depth first. */
export function allDevices(d: RemoteDevice): RemoteDevice[] {
  return [d, ...d.devices.flatMap(allDevices)];
}

export function findService(root: RemoteDevice, pred: (s: RemoteService) => boolean): RemoteService | undefined {
  for (const d of allDevices(root)) {
    const s = d.services.find(pred);
    if (s) return s;
  }
  return undefined;
}
