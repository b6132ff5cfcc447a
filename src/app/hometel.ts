/**
 * Composition: the one place that creates hometel's parts and wires them together — the store, a
 * Telephony Server device per configured line embedded in one root device (UPnP Telephony
 * architecture, figure 5) with its SIP line, and the device host that serves them.
 */
import { systemClock } from '../base/clock.js';
import { resolveInterface } from '../base/net.js';
import type { Logger } from '../base/logger.js';
import { Store } from '../store/index.js';
import { SipLine } from '../sip/index.js';
import { defaultMediaProfile, UnconnectedLine, type Line } from '../telephony/index.js';
import { DeviceHost } from '../upnp/index.js';
import type { HometelConfig, LineConfig } from './config.js';
import { createTelephonyServer, type TelephonyServerParts } from './telephony-server.js';

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
  const clock = systemClock;
  const address = interfaces[0]!.address;
  const media = defaultMediaProfile(address);
  const sipLines: SipLine[] = [];
  // A line with a SIP account speaks SIP; without one its WAN side is unconnected (calls inside the home work).
  const lineOf = (l: LineConfig): Line => {
    if (!l.sip) return new UnconnectedLine((fn) => clock.setTimer(0, fn));
    const sip = new SipLine({
      ...l.sip,
      host: l.sip.host ?? address,
      localSdp: () => media.native ?? media.tcBased,
      clock,
      logger: logger.child(`sip.${l.name}`),
    });
    sipLines.push(sip);
    return sip;
  };
  const lines: TelephonyServerParts[] = config.lines.map((l) =>
    createTelephonyServer({
      lineName: l.name,
      friendlyName: l.friendlyName ?? `${l.name} line`,
      store,
      line: lineOf(l),
      media,
      clock,
      logger,
    }),
  );
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
      devices: lines.map((l) => l.device),
    },
    interfaces,
    httpPort: config.httpPort,
    bootId: store.nextBootId(),
    logger: logger.child('upnp'),
  });
  // Devices go first (byebye), then live calls are hung up (BYE), then the SIP lines stop (unREGISTER).
  const close = async (): Promise<void> => {
    await host.stop();
    for (const l of lines) l.close();
    for (const sip of sipLines) await sip.stop();
    store.close();
  };
  try {
    for (const sip of sipLines) await sip.start();
    await host.start();
  } catch (e) {
    await close();
    throw e;
  }
  return { locations: host.locations, udn, stop: close };
}
