/**
 * Wires one Telephony Client: its media endpoint over RTP (a port range, a source it plays, recordings it
 * keeps), the MediaManagement service over it, and its device description (UDN kept in the store).
 */
import { mkdirSync } from 'node:fs';
import type { Clock, Logger } from '../base/index.js';
import { PortPool, type PortRange } from '../media/index.js';
import { defaultTcVideoCodecs, RtpMediaSessions, type TcSourceConfig } from '../media/bridge/index.js';
import type { Store } from '../store/index.js';
import { MediaManagementService, telephonyClientDevice } from '../telephony/index.js';
import type { DeviceSpec } from '../upnp/index.js';

export interface TelephonyClientParts {
  readonly device: DeviceSpec;
  readonly service: MediaManagementService;
  readonly media: RtpMediaSessions;
  /** Closes every Media Session (their ports and recordings) and stops the service's timers. */
  close(): Promise<void>;
}

export interface TelephonyClientOptions {
  /** Names the client in the store (its UDN, key `tc:<name>`) and in logs. */
  readonly name: string;
  readonly friendlyName: string;
  readonly store: Store;
  /** The address its RTP binds and its SDP names. */
  readonly address: string;
  readonly rtpPorts: PortRange;
  /** What it plays into its sessions; default silence. */
  readonly source?: TcSourceConfig;
  /** Where it records each session (created if missing); without it nothing is recorded. */
  readonly recordDir?: string;
  /** Declares receive-only H.264 video, recorded raw (rtpdump) into recordDir. */
  readonly video?: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly maxSessions?: number;
}

export function createTelephonyClient(o: TelephonyClientOptions): TelephonyClientParts {
  const logger = o.logger.child(`tc.${o.name}`);
  if (o.recordDir !== undefined) mkdirSync(o.recordDir, { recursive: true });
  const media = new RtpMediaSessions({
    address: o.address,
    ports: new PortPool(o.rtpPorts),
    clock: o.clock,
    logger: logger.child('media'),
    ...(o.source !== undefined ? { source: o.source } : {}),
    ...(o.recordDir !== undefined ? { recordDir: o.recordDir } : {}),
    ...(o.video ? { video: defaultTcVideoCodecs } : {}),
    ...(o.maxSessions !== undefined ? { maxSessions: o.maxSessions } : {}),
  });
  const service = new MediaManagementService({
    port: media,
    clock: o.clock,
    logger,
    ...(o.maxSessions !== undefined ? { maxSessions: o.maxSessions } : {}),
  });
  const device = telephonyClientDevice({ udn: o.store.udnFor(`tc:${o.name}`), friendlyName: o.friendlyName, mediaManagement: service });
  return {
    device,
    service,
    media,
    async close() {
      await service.close();
      await media.closeAll();
    },
  };
}
