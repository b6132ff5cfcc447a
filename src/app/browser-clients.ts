/**
 * The browsers' Telephony Clients (issue 11, "the browser as a Telephony Client"): for each page that asks, a
 * TelephonyClient:1 root device of its own — its own UDN, description and SSDP announcements, so every TelCP on
 * the network sees it arrive (alive) and leave (byebye) — whose MediaManagement service runs on WebRTC media to
 * that page (media/webrtc).
 *
 * A root device per browser rather than an embedded device of hometel's root: a device that comes and goes with a
 * page must announce and withdraw itself alone, and UPnP has no way to add a device to a root that is already
 * announced short of re-announcing the whole tree.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Logger, NetworkInterface } from '../base/index.js';
import type { PortPool } from '../media/index.js';
import type { HometelMetrics } from '../metrics/index.js';
import { WebRtcMediaSessions } from '../media/webrtc/index.js';
import { MediaManagementService, telephonyClientDevice } from '../telephony/index.js';
import { DeviceHost } from '../upnp/index.js';
import type { BrowserClientHost, BrowserSignal, HostedBrowserClient } from '../web/index.js';

export interface BrowserClientsOptions {
  /** Where the devices are announced (hometel's interfaces). */
  readonly interfaces: readonly NetworkInterface[];
  /** The address the TS leg's RTP binds (hometel's media address). */
  readonly rtpAddress: string;
  readonly rtpPorts: PortPool;
  /** The addresses the browser reaches the hub's WebRTC at (the web application's address). */
  readonly iceAddresses: readonly string[];
  /** Makes each device's BOOTID (the store keeps them growing). */
  readonly bootId: () => number;
  /** Counts each browser's GENA subscribers and WebRTC packets. */
  readonly metrics: HometelMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
}

export function browserClientHost(o: BrowserClientsOptions): BrowserClientHost {
  return {
    async add(friendlyName: string, signal: BrowserSignal): Promise<HostedBrowserClient> {
      // A page is not a lasting device: a fresh UDN each time (two pages may well share a name).
      const udn = `uuid:${randomUUID()}`;
      const logger = o.logger.child(`browser-tc.${udn.slice(5, 13)}`);
      const media = new WebRtcMediaSessions({
        address: o.rtpAddress,
        ports: o.rtpPorts,
        signalling: signal,
        iceAddresses: o.iceAddresses,
        clock: o.clock,
        logger: logger.child('media'),
      });
      const uncountMedia = o.metrics.addWebRtcSource(media);
      const service = new MediaManagementService({ port: media, clock: o.clock, logger });
      const host = new DeviceHost({
        root: telephonyClientDevice({ udn, friendlyName, mediaManagement: service }),
        interfaces: o.interfaces,
        bootId: o.bootId(),
        logger: logger.child('upnp'),
      });
      const uncount = o.metrics.addGenaSource(host);
      const close = async (): Promise<void> => {
        uncount();
        await host.stop();
        await service.close();
        await media.closeAll();
        uncountMedia();
      };
      try {
        await host.start();
      } catch (e) {
        await close();
        throw e;
      }
      return { udn, remove: close };
    },
  };
}
