/**
 * A running Telephony Server for tests: the real CallManagement service on a real DeviceHost on lo,
 * its store in a temporary directory, a scripted line as the WAN side, and a hometel control point
 * as the TelCP's UPnP stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelephonyServer, type TelephonyServerOptions, type TelephonyServerParts } from '../../src/app/telephony-server.js';
import { systemClock, type Clock } from '../../src/base/clock.js';
import { Store } from '../../src/store/index.js';
import { parseCallInfo } from '../../src/telephony/contracts/call-management/cams-xml.js';
import type { CallInfo } from '../../src/telephony/contracts/call-management/cams-types.js';
import { defaultMediaProfile, type AnswererPolicy } from '../../src/telephony/index.js';
import type { CallerDirectory } from '../../src/telephony/domain/index.js';
import { ScriptedLine } from '../../src/telephony/testing/scripted-line.js';
import { SipLine, type SipLineOptions } from '../../src/sip/bridge/index.js';
import { ControlPoint, DeviceHost, findService, UpnpError, type EventSubscription, type RemoteService, type ServiceImplementation, type UpnpValue } from '../../src/upnp/index.js';
import { lo, testLogger, waitFor } from './net.js';

export const callManagementType = 'urn:schemas-upnp-org:service:CallManagement:1';

export interface TestTelephonyServer {
  /** The scripted WAN side; when the TS runs over SIP (`sip` option) it is unused. */
  readonly line: ScriptedLine;
  /** The SIP line, when the TS runs over SIP. */
  readonly sip?: SipLine;
  readonly parts: TelephonyServerParts;
  readonly host: DeviceHost;
  readonly cp: ControlPoint;
  /** CallManagement as a TelCP sees it. */
  readonly cm: RemoteService;
  readonly udn: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface TestTelephonyServerOptions {
  /** Run the TS over a real SIP line with these options (host defaults to 127.0.0.1, port to a free one). */
  readonly sip?: Omit<SipLineOptions, 'host' | 'localSdp' | 'clock' | 'logger'> & { host?: string };
  readonly answerers?: AnswererPolicy;
  readonly modifyFailedGraceMs?: number;
  readonly disconnectedRetentionMs?: number;
  readonly directory?: CallerDirectory;
  /** An AddressBook service for the TS device to carry (the test closes it). */
  readonly addressBook?: ServiceImplementation;
}

/**
 * The tests' Telephony Server, "hometel test line" on 127.0.0.1: over a scripted line, or over a SIP line (started)
 * when `sip` is given; logs as `component`, `component`-sip. Hosting it is the caller's part.
 */
export async function assembleTelephonyServer(o: {
  readonly store: Store;
  readonly clock: Clock;
  readonly component: string;
  readonly sip?: TestTelephonyServerOptions['sip'];
  readonly ts?: Partial<TelephonyServerOptions>;
}): Promise<{ line: ScriptedLine; sip?: SipLine; parts: TelephonyServerParts }> {
  const line = new ScriptedLine();
  const media = defaultMediaProfile('127.0.0.1');
  const sip = o.sip
    ? new SipLine({ port: 0, ...o.sip, host: o.sip.host ?? '127.0.0.1', localSdp: () => media.native ?? media.tcBased, clock: o.clock, logger: testLogger(`${o.component}-sip`) })
    : undefined;
  const parts = createTelephonyServer({
    lineName: 'test',
    friendlyName: 'hometel test line',
    store: o.store,
    line: sip ?? line,
    media,
    clock: o.clock,
    logger: testLogger(o.component),
    ...o.ts,
  });
  await sip?.start();
  return { line, ...(sip ? { sip } : {}), parts };
}

export async function startTestTelephonyServer(opts: TestTelephonyServerOptions = {}): Promise<TestTelephonyServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hometel-ts-'));
  const store = Store.open(dataDir);
  const { sip: sipOptions, ...tsOptions } = opts;
  const { line, sip, parts } = await assembleTelephonyServer({ store, clock: systemClock, component: 'ts', ...(sipOptions ? { sip: sipOptions } : {}), ts: tsOptions });
  const host = new DeviceHost({ root: parts.device, interfaces: [lo], bootId: store.nextBootId(), logger: testLogger('ts-device') });
  await host.start();
  const udn = parts.device.info.udn;
  const cp = new ControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: udn, mx: 1 });
  await cp.start();
  const device = await cp.waitForDevice((d) => d.udn === udn);
  const cm = findService(device, (s) => s.serviceType === callManagementType)!;
  return {
    line,
    ...(sip ? { sip } : {}),
    parts,
    host,
    cp,
    cm,
    udn,
    dataDir,
    async stop() {
      await cp.stop();
      await host.stop();
      parts.close();
      await sip?.stop();
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The CallInfo events one subscriber receives, parsed. */
export class CallInfoEvents {
  readonly all: CallInfo[] = [];
  readonly raw: string[] = [];
  readonly names: string[] = [];

  constructor(readonly subscription: EventSubscription) {
    subscription.on('event', (vars: Map<string, UpnpValue>) => {
      const ci = vars.get('CallInfo');
      if (typeof ci === 'string' && ci !== '') {
        const parsed = parseCallInfo(ci);
        if (!parsed.ok) throw new Error(`TS evented a CallInfo we cannot parse: ${parsed.reason}`);
        this.all.push(parsed.value);
        this.raw.push(ci);
      }
      const names = vars.get('TelCPNameList');
      if (typeof names === 'string') this.names.push(names);
    });
  }

  static async subscribe(ts: TestTelephonyServer): Promise<CallInfoEvents> {
    return new CallInfoEvents(await ts.cp.subscribe(ts.cm));
  }

  of(callID: string): CallInfo[] {
    return this.all.filter((c) => c.callID === callID);
  }

  /** The callStatus sequence of a Call, as evented. */
  statuses(callID: string): string[] {
    return this.of(callID).map((c) => c.callStatus);
  }

  async waitFor(callID: string, status: string, timeoutMs = 5_000): Promise<CallInfo> {
    await waitFor(() => this.of(callID).some((c) => c.callStatus === status), `${callID} ${status}`, timeoutMs);
    return this.of(callID).find((c) => c.callStatus === status)!;
  }
}

/** Invokes and expects a UPnP error code. */
export async function expectError(p: Promise<unknown>, code: number): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UpnpError && e.errorCode === code) return;
    throw new Error(`expected UPnP error ${code}, got ${e instanceof UpnpError ? `${e.errorCode} ${e.errorDescription}` : String(e)}`);
  }
  throw new Error(`expected UPnP error ${code}, but the action succeeded`);
}

/** A cams MediaCapabilityInfo fragment carrying one SDP as TC-based media. */
export function mediaInfo(sdp: string, extra = ''): string {
  const escaped = sdp.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\r/g, '&#13;');
  return (
    '<?xml version="1.0" encoding="utf-8"?><cams:mediaCapabilityInfo xmlns:cams="urn:schemas-upnp-org:phone:cams">' +
    `${extra}<mediaCapability format="SDP">${escaped}</mediaCapability></cams:mediaCapabilityInfo>`
  );
}

export const tcAudioSdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n';
export const remoteOfferSdp =
  'v=0\r\no=- 1 1 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n';
