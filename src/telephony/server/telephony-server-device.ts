/**
 * The Telephony Server device of one line: `urn:schemas-upnp-org:device:TelephonyServer:1` with CallManagement:1,
 * the AddressBook service when the home has one (seed 000, 6.2.7: it is included in the TS device) and hometel's vendor
 * services of the line.
 */
import type { DeviceSpec, ServiceImplementation } from '../../upnp/index.js';

export const telephonyServerType = 'urn:schemas-upnp-org:device:TelephonyServer:1';

export function telephonyServerDevice(opts: {
  udn: string;
  friendlyName: string;
  callManagement: ServiceImplementation;
  addressBook?: ServiceImplementation;
  /** hometel's vendor services of this line (call handling, voicemail). */
  more?: readonly ServiceImplementation[];
}): DeviceSpec {
  return {
    info: {
      deviceType: telephonyServerType,
      friendlyName: opts.friendlyName,
      manufacturer: 'hometel',
      manufacturerURL: 'https://github.com/hometel/hometel',
      modelName: 'hometel Telephony Server',
      modelNumber: '0.1',
      udn: opts.udn,
    },
    services: [opts.callManagement, ...(opts.addressBook ? [opts.addressBook] : []), ...(opts.more ?? [])],
  };
}
