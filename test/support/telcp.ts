/**
 * Support for the Telephony Control Point library's tests:
 * - `startHome`: `hometel start` in its own process (a SIP line in direct mode on 127.0.0.1, TCs with tones, TS
 *   native media) and a TelephonyControlPoint that found its Telephony Server and Clients over real UPnP on lo;
 *   `useHome`: the hooks that run one for a whole test file;
 * - `remoteParty`/`caller`: SIPp as the Remote Party (test/peers/sipp/uas-telcp.xml, uac-telcp.xml, and the
 *   stock scenarios), every run tracked so a test's afterEach can stop it by PID;
 * - `startLocalHome`: a Telephony Server over a scripted line and Telephony Clients over fake media, hosted in
 *   this process (restartable, with a short TelCPName Expires) for the library's unit tests;
 * - `assertSteps`: the actions a flow sent, compared with the order a spec section prints; `assertRefused`: an
 *   action the TS must refuse with a given UPnP error.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/base/clock.js';
import { createTelephonyServer, type TelephonyServerParts } from '../../src/app/telephony-server.js';
import { Store } from '../../src/store/index.js';
import { ActionLog, formatAction, TelephonyControlPoint, TelephonyError, type CallView, type TelephonyClient, type TelephonyServer, type TsSession } from '../../src/telephony/control/index.js';
import { defaultMediaProfile, MediaManagementService, telephonyClientDevice } from '../../src/telephony/index.js';
import { FakeMediaSessions } from '../../src/telephony/testing/fake-media-sessions.js';
import { ScriptedLine } from '../../src/telephony/testing/scripted-line.js';
import { DeviceHost } from '../../src/upnp/index.js';
import { startConfiguredHometel, type ConfiguredHometel } from './hometel-process.js';
import { lo, testLogger } from './net.js';
import { freeLoopbackPort, runSipp, SIPP_SCENARIO_DIR, sippAvailable, startSippUas, type SippHandle, type SippOptions } from './sipp.js';

const host = lo.address;

// ------------------------------------------------------------------------------------------------ hometel start

export interface HomeClient {
  readonly name: string;
  /** A tone in Hz, or silence. */
  readonly tone?: number;
  readonly video?: boolean;
}

export interface HometelHome {
  readonly hometel: ConfiguredHometel;
  readonly dir: string;
  /** The line's SIP port on 127.0.0.1 (SIPp calls it). */
  readonly sipPort: number;
  readonly tcp: TelephonyControlPoint;
  readonly ts: TelephonyServer;
  /** The TCs by the name given in the config. */
  readonly tcs: Readonly<Record<string, TelephonyClient>>;
  /** Another control point (a second TelCP in the home), stopped with the home. */
  controlPoint(): Promise<TelephonyControlPoint>;
  /** Stops every control point and `hometel start` (SIGTERM by PID, SIGKILL after 10 s), removes the directory. */
  stop(): Promise<void>;
}

export interface HomeOptions {
  readonly clients: readonly HomeClient[];
  readonly rtpBase: number;
  readonly nativeTone?: number;
  readonly sip?: Readonly<Record<string, unknown>>;
}

/**
 * `hometel start` with one SIP line (direct mode, UDP, a free port), these TCs (tone sources, recordings in the
 * test's directory, RTP ports from rtpBase+200 on, 100 per TC) and TS-native media playing `nativeTone` (its relay
 * on rtpBase … rtpBase+199). The test's TelCP (a TelephonyControlPoint) has found the TS and every TC when it resolves.
 */
export async function startHome(o: HomeOptions): Promise<HometelHome> {
  sippAvailable();
  const sipPort = await freeLoopbackPort();
  const hometel = await startConfiguredHometel('hometel-telcp-', (dir) => ({
    name: 'hometel telcp',
    interfaces: ['lo'],
    dataDir: join(dir, 'data'),
    logLevel: 'info',
    // `sip`: more settings of the line's SIP account (e.g. probeIntervalSeconds).
    lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', host, port: sipPort, transports: ['udp'], ...o.sip } }],
    clients: o.clients.map((c, i) => ({
      name: c.name,
      source: c.tone === undefined ? 'silence' : { tone: c.tone },
      recordDir: join(dir, c.name),
      video: c.video ?? false,
      rtpPorts: { min: o.rtpBase + 200 + 100 * i, max: o.rtpBase + 299 + 100 * i },
    })),
    media: { rtpPortMin: o.rtpBase, rtpPortMax: o.rtpBase + 199, native: { source: { tone: o.nativeTone ?? 800 }, recordDir: join(dir, 'ts') } },
    // hometel's echo test endpoint would take its fixed SIP port: not in these tests.
    echo: false,
  }));
  const { dir, udn } = hometel;
  const extra: TelephonyControlPoint[] = [];
  const stop = async (): Promise<void> => {
    for (const cp of extra.splice(0)) await cp.stop().catch(() => undefined);
    await hometel.stop();
  };
  try {
    const open = async (): Promise<TelephonyControlPoint> => {
      const cp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: udn, mx: 1, log: new ActionLog() });
      extra.push(cp);
      await cp.start();
      await cp.waitForServer((s) => s.rootUdn === udn);
      for (const c of o.clients) await cp.waitForClient((t) => t.rootUdn === udn && t.friendlyName === `${c.name} client`);
      return cp;
    };
    const tcp = await open();
    const ts = tcp.servers().find((s) => s.rootUdn === udn)!;
    const tcs = Object.fromEntries(o.clients.map((c) => [c.name, tcp.clients().find((t) => t.friendlyName === `${c.name} client`)!]));
    return { hometel, dir, sipPort, tcp, ts, tcs, controlPoint: open, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * A test file's home: `startHome(o)` before its tests, then `ready` with the home and the test's TelCP session
 * ("TV@Living") so the file can keep what it uses; every SIPp stopped after each test (even a failed one); the
 * home stopped after the last.
 */
export function useHome(o: HomeOptions, ready: (home: HometelHome, telcp: TsSession) => void | Promise<void>): void {
  let home: HometelHome | undefined;
  before(async () => {
    home = await startHome(o);
    await ready(home, await home.tcp.openSession(home.ts, { name: 'TV@Living' }));
  });
  afterEach(stopPeers);
  after(async () => {
    await home?.stop();
  });
}

// ------------------------------------------------------------------------------------------------ SIPp

/** Every SIPp a test started; `stopPeers()` (in afterEach) stops them by PID even when the test failed. */
const peers: SippHandle[] = [];

export async function stopPeers(): Promise<void> {
  for (const p of peers.splice(0)) await p.stop();
}

export interface RemotePartyHandle {
  readonly sipp: SippHandle;
  /** The CalleeID a TelCP dials to reach it. */
  readonly callee: string;
}

/** SIPp answering calls (uas-telcp.xml by default: mirrors video, answers re-INVITEs; or a stock UAS scenario). */
export async function remoteParty(scenario: SippOptions['scenario'] = join(SIPP_SCENARIO_DIR, 'uas-telcp.xml') as `${string}.xml`, vars: Record<string, string> = {}): Promise<RemotePartyHandle> {
  const port = await freeLoopbackPort();
  const mediaPort = await freeLoopbackPort(4);
  const sipp = await startSippUas({ scenario, localPort: port, transport: 'u1', calls: 1, mediaPort, vars, timeoutMs: 60_000 });
  peers.push(sipp);
  return { sipp, callee: `sip:service@${host}:${port}` };
}

/**
 * SIPp as a callee that a callback watches (no calls): presence SUBSCRIBEs are refused (489 Bad Event, so the
 * line probes with OPTIONS) and every OPTIONS is answered `status` (486: busy, 200: available). The scenario is
 * written into `dir`; `port` lets a second run stand in for the first at the same CalleeID.
 */
export async function availabilityCallee(dir: string, status: 200 | 486, port?: number): Promise<RemotePartyHandle> {
  const scenario = join(dir, `callee-${status}.xml`) as `${string}.xml`;
  const reply = (code: string): string => `
  <send>
    <![CDATA[

      SIP/2.0 ${code}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>`;
  await writeFile(
    scenario,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="hometel callee ${status}">
  <recv request="SUBSCRIBE" optional="true" next="subscribe"/>
  <recv request="OPTIONS"/>
${reply(status === 200 ? '200 OK' : '486 Busy Here')}
  <nop next="end"/>
  <label id="subscribe"/>
${reply('489 Bad Event')}
  <label id="end"/>
</scenario>
`,
  );
  const localPort = port ?? (await freeLoopbackPort());
  const sipp = await startSippUas({ scenario, localPort, transport: 'u1', autoAnswer: false, mediaPort: await freeLoopbackPort(4), timeoutMs: 120_000 });
  peers.push(sipp);
  return { sipp, callee: `sip:service@${host}:${localPort}` };
}

/** SIPp calling hometel's line (uac-telcp.xml by default, or a stock UAC scenario). */
export async function caller(home: HometelHome, o: { scenario?: SippOptions['scenario']; vars?: Record<string, string> } = {}): Promise<SippHandle> {
  const sipp = await runSipp({
    scenario: o.scenario ?? (join(SIPP_SCENARIO_DIR, 'uac-telcp.xml') as `${string}.xml`),
    remote: `${host}:${home.sipPort}`,
    localPort: await freeLoopbackPort(),
    mediaPort: await freeLoopbackPort(4),
    transport: 'u1',
    service: 'home',
    vars: o.vars ?? {},
    timeoutMs: 60_000,
  });
  peers.push(sipp);
  return sipp;
}

// ------------------------------------------------------------------------------------------------ the spec's order

/**
 * The actions sent since `mark`, as "TS StartCall", "TC StartMediaSession" …, must be `expected` (the order the
 * spec section prints, written into the test); an action expected to fail is written with its code,
 * "TS StopCall → 713", every other one must have succeeded.
 */
export function assertSteps(log: ActionLog, mark: number, expected: readonly string[], section: string): void {
  const sent = log.since(mark);
  assert.deepEqual(
    sent.map((r) => `${r.device} ${r.action}${r.outcome === 'ok' ? '' : ` → ${r.outcome}`}`),
    [...expected],
    `${section}: the actions the library sent, in order:\n${sent.map((r) => `  ${formatAction(r)}`).join('\n')}`,
  );
}

/** `p` must be refused by the TS with UPnP error `code`; resolves with the error. */
export async function assertRefused(p: Promise<unknown>, code: number): Promise<TelephonyError> {
  const e = await p.then(
    () => assert.fail(`expected a ${code} refusal`),
    (x: unknown) => x,
  );
  assert.ok(e instanceof TelephonyError, String(e));
  assert.equal(e.errorCode, code, e.message);
  return e;
}

// ------------------------------------------------------------------------------------------------ in-process home

export interface LocalHome {
  readonly line: ScriptedLine;
  readonly ts: TelephonyServerParts;
  readonly media: FakeMediaSessions[];
  readonly udn: string;
  readonly tcp: TelephonyControlPoint;
  /** The UPnP hosting goes away (byebye) and comes back with a new BOOTID; the services keep their state. */
  restart(during?: () => void | Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Telephony Server over a scripted line (no media plane: CallInfo shows the SDP as negotiated) and `clients`
 * Telephony Clients over fake media, embedded in one root device hosted in this process on lo; a
 * TelephonyControlPoint that found them.
 */
export async function startLocalHome(o: { clients?: number; telcpExpiresSec?: number; disconnectedRetentionMs?: number } = {}): Promise<LocalHome> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hometel-telcp-local-'));
  const store = Store.open(dataDir);
  const line = new ScriptedLine();
  const ts = createTelephonyServer({
    lineName: 'local',
    friendlyName: 'local line',
    store,
    line,
    media: defaultMediaProfile(host),
    clock: systemClock,
    logger: testLogger('ts'),
    ...(o.telcpExpiresSec !== undefined ? { telcpExpiresSec: o.telcpExpiresSec } : {}),
    ...(o.disconnectedRetentionMs !== undefined ? { disconnectedRetentionMs: o.disconnectedRetentionMs } : {}),
    modifyFailedGraceMs: 30_000,
  });
  const media: FakeMediaSessions[] = [];
  const clients = Array.from({ length: o.clients ?? 2 }, (_, i) => {
    const fake = new FakeMediaSessions({ basePort: 52000 + 1000 * i });
    media.push(fake);
    const service = new MediaManagementService({ port: fake, clock: systemClock, logger: testLogger(`tc${i + 1}`) });
    return telephonyClientDevice({ udn: store.udnFor(`tc:${i + 1}`), friendlyName: `tc${i + 1} client`, mediaManagement: service });
  });
  const udn = store.udnFor('root');
  const root = {
    info: { deviceType: 'urn:schemas-upnp-org:device:Basic:1', friendlyName: 'local home', manufacturer: 'hometel', modelName: 'test', udn },
    services: [],
    devices: [ts.device, ...clients],
  };
  const hostDevices = async (): Promise<DeviceHost> => {
    const h = new DeviceHost({ root, interfaces: [lo], bootId: store.nextBootId(), logger: testLogger('host') });
    await h.start();
    return h;
  };
  let deviceHost = await hostDevices();
  const tcp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: udn, mx: 1 });
  try {
    await tcp.start();
    await tcp.waitForServer((s) => s.rootUdn === udn);
    for (let i = 1; i <= clients.length; i++) await tcp.waitForClient((c) => c.friendlyName === `tc${i} client`);
  } catch (e) {
    await tcp.stop();
    await deviceHost.stop();
    throw e;
  }
  return {
    line,
    ts,
    media,
    udn,
    tcp,
    async restart(during) {
      await deviceHost.stop();
      await during?.();
      deviceHost = await hostDevices();
    },
    async stop() {
      await tcp.stop();
      await deviceHost.stop();
      ts.close();
      store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Media Session of `tc` that carries `type` in a Call, as the library bound it. */
export function sessionOf(call: CallView, tc: TelephonyClient, type = 'audio'): string {
  const b = call.media.find((m) => m.client === tc.udn && m.media.includes(type));
  assert.ok(b, `${tc.friendlyName} carries ${type}: ${JSON.stringify(call.media)}`);
  return b.mediaSessionID;
}
