/**
 * The Telephony Client device: `urn:schemas-upnp-org:device:TelephonyClient:1` with MediaManagement:1
 * (serviceId urn:upnp-org:serviceId:MediaManagement), the device a TelCP starts Media Sessions on.
 */
import type { DeviceSpec, ServiceImplementation } from '../../upnp/index.js';

export const telephonyClientType = 'urn:schemas-upnp-org:device:TelephonyClient:1';

export function telephonyClientDevice(opts: { udn: string; friendlyName: string; mediaManagement: ServiceImplementation }): DeviceSpec {
  return {
    info: {
      deviceType: telephonyClientType,
      friendlyName: opts.friendlyName,
      manufacturer: 'hometel',
      manufacturerURL: 'https://github.com/hometel/hometel',
      modelName: 'hometel Telephony Client',
      modelNumber: '0.1',
      udn: opts.udn,
    },
    services: [opts.mediaManagement],
  };
}
