/**
 * Wires one Telephony Server (one line): the TelCPName registry and the repositories on the store,
 * the CallManagement service over the line, and its device description.
 */
import type { Clock, Logger } from '../base/index.js';
import { SqliteCallBackRepository, SqliteCallLogRepository, SqliteTelCPNameRepository, type Store } from '../store/index.js';
import {
  CallManagementService,
  InHomeLine,
  TelCPRegistry,
  telephonyServerDevice,
  type AnswererPolicy,
  type Line,
  type MediaProfile,
  type PhoneExtensions,
} from '../telephony/index.js';
import type { CallerDirectory, ForwardMode, MediaPlane, VoiceMailPort } from '../telephony/domain/index.js';
import type { DeviceSpec, ServiceImplementation } from '../upnp/index.js';


export interface TelephonyServerParts {
  readonly device: DeviceSpec;
  readonly service: CallManagementService;
  readonly registry: TelCPRegistry;
  /** Calls of this TS to an extension ring the phones of the home from now on (issue 14). */
  reachPhones(phones: PhoneExtensions): void;
  close(): void;
}

export interface TelephonyServerOptions {
  /** Names the line in the store (its UDN) and in logs. */
  readonly lineName: string;
  readonly friendlyName: string;
  readonly store: Store;
  readonly line: Line;
  readonly media: MediaProfile;
  /** The RTP media plane of the line's Calls (hometel start always has one; tests may leave it out). */
  readonly mediaPlane?: MediaPlane;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly answerers?: AnswererPolicy;
  readonly callLogCap?: number;
  /** Calls alive at once (StartCall answers 708 beyond). */
  readonly maxCalls?: number;
  /** How many TelCPNames may be registered at once. */
  readonly maxTelCPNames?: number;
  /** How long a TelCPName registration lasts (the Expires RegisterTelCPName returns). */
  readonly telcpExpiresSec?: number;
  readonly modifyFailedGraceMs?: number;
  readonly disconnectedRetentionMs?: number;
  /** The home's address book: names the Remote Party of each Call. */
  readonly directory?: CallerDirectory;
  /** The AddressBook service this TS device carries too (the caller owns and closes it). */
  readonly addressBook?: ServiceImplementation;
  /** Where this line's Calls forwarded to voicemail go (without it such a Call is rejected). */
  readonly voiceMail?: VoiceMailPort;
  /** How this line forwards Calls (config `lines[].forwarding`). */
  readonly forwarding?: { readonly mode: ForwardMode; readonly noAnswerSeconds: number; readonly fallbackToVoicemail: boolean };
  /** Vendor services of this line's TS device, made from its parts (each closed by whoever made it). */
  readonly lineServices?: ReadonlyArray<(ts: { readonly lineName: string; readonly service: CallManagementService; readonly registry: TelCPRegistry }) => ServiceImplementation>;
}

export function createTelephonyServer(o: TelephonyServerOptions): TelephonyServerParts {
  const logger = o.logger.child(`ts.${o.lineName}`);
  // The registry asks the service whether a name monopolises a Call; the service needs the registry.
  const late: { service?: CallManagementService } = {};
  const registry = new TelCPRegistry({
    repository: new SqliteTelCPNameRepository(o.store),
    clock: o.clock,
    isMonopolizing: (name) => late.service?.isMonopolizing(name) ?? false,
    ...(o.telcpExpiresSec !== undefined ? { defaultExpiresSec: o.telcpExpiresSec } : {}),
    ...(o.maxTelCPNames !== undefined ? { maxNames: o.maxTelCPNames } : {}),
    logger: logger.child('telcp'),
  });
  const line = new InHomeLine(o.line, (callee) => registry.isRegistered(callee), (fn) => o.clock.setTimer(0, fn));
  const service = new CallManagementService({
    line,
    registry,
    callLogs: new SqliteCallLogRepository(o.store, o.callLogCap),
    callBacks: new SqliteCallBackRepository(o.store),
    media: o.media,
    ...(o.mediaPlane ? { mediaPlane: o.mediaPlane } : {}),
    clock: o.clock,
    logger,
    ...(o.answerers ? { answerers: o.answerers } : {}),
    ...(o.maxCalls !== undefined ? { maxCalls: o.maxCalls } : {}),
    ...(o.modifyFailedGraceMs !== undefined ? { modifyFailedGraceMs: o.modifyFailedGraceMs } : {}),
    ...(o.disconnectedRetentionMs !== undefined ? { disconnectedRetentionMs: o.disconnectedRetentionMs } : {}),
    ...(o.directory ? { directory: o.directory } : {}),
    lineName: o.lineName,
    ...(o.voiceMail ? { voiceMail: o.voiceMail } : {}),
    ...(o.forwarding
      ? { forwardMode: o.forwarding.mode, forwardNoAnswerMs: o.forwarding.noAnswerSeconds * 1000, forwardFallbackToVoiceMail: o.forwarding.fallbackToVoicemail }
      : {}),
  });
  late.service = service;
  const more = (o.lineServices ?? []).map((make) => make({ lineName: o.lineName, service, registry }));
  const device = telephonyServerDevice({
    udn: o.store.udnFor(`line:${o.lineName}`),
    friendlyName: o.friendlyName,
    callManagement: service,
    ...(o.addressBook ? { addressBook: o.addressBook } : {}),
    more,
  });
  return {
    device,
    service,
    registry,
    reachPhones: (phones) => line.reachPhones(phones),
    close() {
      service.close();
      registry.close();
    },
  };
}
