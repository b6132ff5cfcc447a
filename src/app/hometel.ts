/**
 * Composition: the one place that creates hometel's parts and wires them together. Today that is
 * the store and the root device; the Telephony Server, its lines and the Telephony Client plug in here.
 */
import { resolveInterface } from '../shared/net.js';
import type { Logger } from '../shared/logger.js';
import { Store } from '../store/index.js';
import { DeviceHost } from '../upnp/index.js';
import type { HometelConfig } from './config.js';

export const rootDeviceType = 'urn:schemas-upnp-org:device:Basic:1';

export interface RunningHometel {
  readonly locations: readonly string[];
  readonly udn: string;
  stop(): Promise<void>;
}

export async function startHometel(config: HometelConfig, logger: Logger): Promise<RunningHometel> {
  const interfaces = config.interfaces.map(resolveInterface);
  const store = Store.open(config.dataDir);
  const udn = store.udnFor('root');
  const host = new DeviceHost({
    root: {
      info: {
        deviceType: rootDeviceType,
        friendlyName: config.name,
        manufacturer: 'hometel',
        manufacturerURL: 'https://github.com/hometel/hometel',
        modelName: 'hometel',
        modelNumber: '0.1',
        modelDescription: 'Home telephony hub',
        udn,
      },
      services: [],
    },
    interfaces,
    httpPort: config.httpPort,
    bootId: store.nextBootId(),
    logger: logger.child('upnp'),
  });
  try {
    await host.start();
  } catch (e) {
    await host.stop();
    store.close();
    throw e;
  }
  return {
    locations: host.locations,
    udn,
    async stop() {
      await host.stop();
      store.close();
    },
  };
}
