/**
 * Replays the Appendix C sequences of CallManagement:1 (test/fixtures/sequences/, format in its README)
 * against running Telephony Servers: site A (the caller's home) and site B (the callee's home), each a
 * real CallManagement service on a real DeviceHost on lo with a scripted line. The test plays the WAN
 * between the two lines ("wan" steps) and TelCP side speaks raw HTTP with the spec's own request bodies.
 *
 * A run collects every difference from the spec instead of stopping at the first one, so that one
 * failing test names all that is wrong with its sequence: `problems` are failures, `diagnostics` are
 * observations that the acceptance criterion does not compare (SDP content, preconditions).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTelephonyServer, type TelephonyServerParts } from '../../src/app/telephony-server.js';
import { systemClock } from '../../src/base/clock.js';
import { Store } from '../../src/store/index.js';
import { buildMediaCapabilityInfo, buildTCList } from '../../src/telephony/contracts/call-management/cams-xml.js';
import { callManagementContract } from '../../src/telephony/contracts/call-management/contract.js';
import type { LineFailure } from '../../src/telephony/domain/line.js';
import type { MediaProfile } from '../../src/telephony/index.js';
import { ScriptedLine, type LineCommand } from '../../src/telephony/testing/scripted-line.js';
import { ControlPoint, DeviceHost, findService, type EventSubscription, type RemoteService, type UpnpValue } from '../../src/upnp/index.js';
import { argumentsOf, findAction } from '../../src/upnp/model/service-contract.js';
import { parseActionOutcome, type ActionOutcome } from '../../src/upnp/soap/envelope.js';
import { childElements, parseXml, type Element } from '../../src/upnp/xml/safe-xml.js';
import { lo, testLogger } from './net.js';
import { rawRequest, type RawResponse } from './raw-http.js';
import { callManagementType } from './telephony-server.js';

// ------------------------------------------------------------------------------------------------
// The fixture format (see test/fixtures/sequences/README.md)
// ------------------------------------------------------------------------------------------------

export type SiteName = 'A' | 'B';

/** A change to a printed request body: a text replacement, or escaping the raw markup inside one argument. */
export type Correction = { printed: string; sent: string; why: string } | { escapeMarkupIn: string; why: string };

/** What a CallInfo (evented, or one entry of a CallInfoList) must look like. Absent fields are not compared. */
export interface ExpectedCallInfo {
  callStatus: string;
  reason?: string;
  targetNames?: string;
  /** The child elements of <callInfo>, in order (general view: callID, targetNames, callStatus). */
  elements?: string[];
  /** How many <TC> the <TCList> holds; null: not comparable. */
  tcs?: number | null;
  /** The media kinds (m= lines) the spec prints, per element: compared as a diagnostic only, SDP may differ. */
  printedMedia?: Record<string, string[]>;
  /** Where the expectation departs from the printed message: the printed values, and why. */
  printed?: Record<string, unknown>;
  because?: string;
}

export interface PostStep {
  do: 'post';
  label: string;
  site: SiteName;
  action: string;
  /** File next to sequence.json: the request body as printed, with {{CallID}} / {{SecretKey:name}} placeholders. */
  body: string;
  corrections?: Correction[];
  expect: { args: string[] } | { fault: number };
  capture?: { SecretKeyOf: string };
  /** The TelCPName this step unregisters (its key is forgotten). */
  forget?: string;
  /** GetTelCPNameList: the names the list must hold (in any order). */
  telCPNames?: string[];
  /** GetCallInfo: the entries of the CallInfoList. */
  callInfoList?: ExpectedCallInfo[];
  placeholders?: string[];
  reconstructed?: string;
  note?: string;
  printed?: Record<string, unknown>;
  because?: string;
}

export interface EventStep extends ExpectedCallInfo {
  do: 'event';
  label: string;
  site: SiteName;
  /** The event names a new Call of the site: its callID becomes the site's {{CallID}}. */
  capture?: 'CallID';
  /** Not printed in the spec but required (or allowed) by its text; the reason. */
  unprinted?: string;
  /** A MAY event: compared if it comes, not missed if it does not. */
  optional?: boolean;
}

export type LineReport = 'incoming' | 'provisional' | 'answered' | 'failed' | 'remoteCancelled' | 'remoteHangUp' | 'remoteModify' | 'modifyAccepted' | 'modifyRejected';

export interface WanStep {
  do: 'wan';
  /**
   * The command the site's TS must have given its line for the site's Call; `media`: the media kinds
   * (m= lines) its SDP should carry, compared as a diagnostic only.
   */
  sent?: { site: SiteName; command: LineCommand['kind']; media?: string[] };
  /** What the WAN side then reports on a line. `sdp`: "sent" (the SDP of the `sent` command) or a name in `wanSdp`. */
  report?: { site: SiteName; event: LineReport; from?: string; sdp?: string; reason?: LineFailure | 'sent' };
  why: string;
}

export interface GivenStep {
  do: 'given';
  site: SiteName;
  /** Registers this TelCPName (its key becomes {{SecretKey:name}}). */
  register?: string;
  /** Brings a Non-Monopolize Call of this direction to Talking with `tcList`, media `sdp` (a name in `wanSdp`). */
  call?: 'outgoing' | 'incoming';
  sdp?: string;
  tcList?: Array<{ udn: string; mediaSessionID: string }>;
  why: string;
}

export interface IncludeStep {
  do: 'include';
  sequence: string;
  /** Only the steps up to this label (e.g. "F14"). */
  through?: string;
  /** false: a precondition, whose differences are diagnostics of this test rather than failures. */
  check: boolean;
  why: string;
}

export type Step = PostStep | EventStep | WanStep | GivenStep | IncludeStep;

export interface Sequence {
  id: string;
  title: string;
  sites: SiteName[];
  notes?: string[];
  wanSdp?: Record<string, string>;
  /** The spec's Telephony Servers have their own (native) media only in C.34 (its F4 lists nativeMediaCapability). */
  tsNativeMedia?: boolean;
  steps: Step[];
  /** The directory the sequence was read from. */
  dir: string;
}

const fixtures = fileURLToPath(new URL('../fixtures/sequences/', import.meta.url));
export const camsXsd = fileURLToPath(new URL('../fixtures/cams/cams-v1.xsd', import.meta.url));

/** Every sequence of test/fixtures/sequences, by id ("C.12"), in Appendix C order. */
export function loadSequences(): Map<string, Sequence> {
  const list: Sequence[] = [];
  for (const name of readdirSync(fixtures).sort()) {
    const file = join(fixtures, name, 'sequence.json');
    if (!existsSync(file)) continue;
    list.push({ ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<Sequence, 'dir'>), dir: join(fixtures, name) });
  }
  list.sort((a, b) => Number(a.id.slice(2)) - Number(b.id.slice(2)));
  return new Map(list.map((s) => [s.id, s]));
}

// ------------------------------------------------------------------------------------------------
// Request bodies
// ------------------------------------------------------------------------------------------------

/** The content of the first <name>…</name> element of a body, as [start, end) offsets; undefined if absent. */
function argumentSpan(body: string, name: string): [number, number] | undefined {
  const open = body.indexOf(`<${name}>`);
  if (open < 0) return undefined;
  const start = open + name.length + 2;
  const end = body.indexOf(`</${name}>`, start);
  return end < 0 ? undefined : [start, end];
}

function escapeMarkupIn(body: string, name: string): string {
  const span = argumentSpan(body, name);
  if (!span) throw new Error(`no argument <${name}> to escape`);
  const inner = body.slice(span[0], span[1]).replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return body.slice(0, span[0]) + inner + body.slice(span[1]);
}

/** Applies a fixture's corrections; a correction that does not apply is a broken fixture. */
export function applyCorrections(body: string, corrections: readonly Correction[]): string {
  let out = body;
  for (const c of corrections) {
    if ('escapeMarkupIn' in c) {
      out = escapeMarkupIn(out, c.escapeMarkupIn);
    } else {
      if (!out.includes(c.printed)) throw new Error(`fixture correction does not apply: ${JSON.stringify(c.printed)}`);
      out = out.split(c.printed).join(c.sent);
    }
  }
  return out;
}

/**
 * The body as a strict reader needs it: white space removed from the service-type URN and the raw
 * markup inside each argument escaped. Only used to go on with a sequence after the TS refused the
 * printed form (which is itself reported).
 */
export function withoutQuirks(body: string, action: string): string {
  let out = body.replace(/urn:schemas-upnp-\s*org:service:\s*CallManagement:1/g, callManagementType);
  const def = findAction(callManagementContract, action);
  for (const arg of def ? argumentsOf(def, 'in') : []) {
    const span = argumentSpan(out, arg.name);
    if (span && out.slice(span[0], span[1]).includes('<')) out = escapeMarkupIn(out, arg.name);
  }
  return out;
}

/** The quirks of a printed body that `withoutQuirks` removes, in words. */
function quirksOf(body: string, action: string): string {
  const found: string[] = [];
  const ns = /urn:schemas-upnp-\s*org:service:\s*CallManagement:1/.exec(body);
  if (ns && ns[0] !== callManagementType) found.push(`white space inside the service-type URN ("${ns[0].replace(/\s+/g, ' ')}")`);
  const def = findAction(callManagementContract, action);
  for (const arg of def ? argumentsOf(def, 'in') : []) {
    const span = argumentSpan(body, arg.name);
    if (!span || !body.slice(span[0], span[1]).includes('<')) continue;
    const decl = body.slice(span[0], span[1]).trimStart().startsWith('<?xml');
    found.push(`raw XML inside <${arg.name}>${decl ? ' (with its own <?xml ...?> declaration)' : ''}`);
  }
  return found.length ? found.join(' and ') : 'no quirk this test knows of';
}

/** The media kinds (audio, video, …) of an SDP's m= lines. */
function mediaKinds(sdp: string | undefined): string[] {
  return (sdp ?? '').split(/\r\n|\r|\n/).filter((l) => l.trim().startsWith('m=')).map((l) => l.trim().slice(2).split(' ')[0]!);
}

// ------------------------------------------------------------------------------------------------
// CallInfo as observed
// ------------------------------------------------------------------------------------------------

export interface ObservedCallInfo {
  callID: string;
  callStatus: string;
  reason?: string;
  targetNames?: string;
  targetType?: string;
  elements: string[];
  tcs: number;
  media: Record<string, string[]>;
}

function text(el: Element | undefined): string | undefined {
  return el ? (el.textContent ?? '') : undefined;
}

function summarizeCallInfo(el: Element): ObservedCallInfo {
  const kids = childElements(el);
  const child = (n: string): Element | undefined => kids.find((k) => k.localName === n);
  const status = child('callStatus');
  const target = child('targetNames');
  const tcList = child('TCList');
  const media: Record<string, string[]> = {};
  for (const n of ['mediaCapability', 'nativeMediaCapability']) {
    const m = text(child(n));
    if (m !== undefined) media[n] = mediaKinds(m);
  }
  const reason = status?.getAttribute('reason');
  const type = target?.getAttribute('type');
  return {
    callID: (text(child('callID')) ?? '').trim(),
    callStatus: (text(status) ?? '').trim(),
    ...(reason ? { reason } : {}),
    ...(target ? { targetNames: (text(target) ?? '').trim() } : {}),
    ...(type ? { targetType: type } : {}),
    elements: kids.map((k) => k.localName ?? ''),
    tcs: tcList ? childElements(tcList).filter((k) => k.localName === 'TC').length : 0,
    media,
  };
}

export function parseFragment(xml: string): Element | string {
  const parsed = parseXml(xml.trim());
  return parsed.ok ? parsed.doc.documentElement! : parsed.reason;
}

function describe(ci: ObservedCallInfo): string {
  return `${ci.callStatus}${ci.reason ? `(${ci.reason})` : ''} of ${ci.callID}`;
}

// ------------------------------------------------------------------------------------------------
// A site: one Telephony Server and one subscribed TelCP
// ------------------------------------------------------------------------------------------------

/**
 * The media the spec's Telephony Servers offer (C.12 F4, C.34 F4): PCMU audio and MPEG-4 video for
 * TC-Based Media Handling and, for the TS of C.34 only, PCMU audio as its own (native) media.
 */
export function specMediaProfile(native: boolean): MediaProfile {
  const session = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n';
  const audio = (port: number): string => `m=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n`;
  const video = 'm=video 41002 RTP/AVP 96\r\nb=AS:2500\r\na=rtpmap:96 MP4V-ES/90000\r\na=fmtp:96 profile-level-id=4\r\na=framerate:30\r\n';
  return { tcBased: session + audio(41000) + video, ...(native ? { native: session + audio(41004) } : {}), mixing: false, sharing: false };
}

export class Site {
  readonly events: ObservedCallInfo[] = [];
  readonly rawEvents: string[] = [];
  /** Events up to here were compared (or belonged to a precondition). */
  cursor = 0;
  /** The site's current Call: what {{CallID}} stands for, and its id on the line. */
  callId?: string;
  lineCallId?: string;
  readonly keys = new Map<string, string>();

  private constructor(
    readonly name: SiteName,
    readonly line: ScriptedLine,
    private readonly parts: TelephonyServerParts,
    private readonly store: Store,
    private readonly host: DeviceHost,
    private readonly cp: ControlPoint,
    readonly cm: RemoteService,
    private readonly subscription: EventSubscription,
    private readonly dataDir: string,
  ) {
    subscription.on('event', (vars: Map<string, UpnpValue>) => {
      const ci = vars.get('CallInfo');
      if (typeof ci !== 'string' || ci === '') return;
      this.rawEvents.push(ci);
      const root = parseFragment(ci);
      this.events.push(
        typeof root === 'string'
          ? { callID: '?', callStatus: `unparseable: ${root}`, elements: [], tcs: 0, media: {} }
          : summarizeCallInfo(root),
      );
    });
  }

  static async start(name: SiteName, nativeMedia: boolean): Promise<Site> {
    const dataDir = mkdtempSync(join(tmpdir(), `hometel-seq-${name}-`));
    const store = Store.open(dataDir);
    const line = new ScriptedLine(name === 'A' ? 'tel:0355550101' : 'tel:0774940201');
    const parts = createTelephonyServer({
      lineName: `site-${name}`,
      friendlyName: `hometel site ${name}`,
      store,
      line,
      media: specMediaProfile(nativeMedia),
      clock: systemClock,
      logger: testLogger(`ts-${name}`),
    });
    const host = new DeviceHost({ root: parts.device, interfaces: [lo], bootId: store.nextBootId(), logger: testLogger(`ts-${name}-device`) });
    await host.start();
    const udn = parts.device.info.udn;
    const cp = new ControlPoint({ interfaces: [lo], logger: testLogger(`telcp-${name}`), searchTarget: udn, mx: 1 });
    await cp.start();
    const device = await cp.waitForDevice((d) => d.udn === udn);
    const cm = findService(device, (s) => s.serviceType === callManagementType)!;
    const subscription = await cp.subscribe(cm);
    return new Site(name, line, parts, store, host, cp, cm, subscription, dataDir);
  }

  /** POSTs a body to CallManagement's control URL with the SOAPACTION of `action`, as the spec's TelCP does. */
  post(action: string, body: string): Promise<RawResponse> {
    return rawRequest(
      this.cm.urls.controlUrl,
      'POST',
      { SOAPACTION: `"${callManagementType}#${action}"`, 'CONTENT-TYPE': 'text/xml ; charset="utf-8"' },
      Buffer.from(body, 'utf8'),
    );
  }

  /** The last command of a kind the TS gave its line for the site's current Call. */
  sent(kind: LineCommand['kind']): LineCommand | undefined {
    return [...this.line.commands].reverse().find((c) => c.kind === kind && 'lineCallId' in c && c.lineCallId === this.lineCallId);
  }

  async stop(): Promise<void> {
    await this.subscription.close().catch(() => undefined);
    await this.cp.stop();
    await this.host.stop();
    this.parts.close();
    this.store.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------
// The runner
// ------------------------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const labelNumber = (label: string | undefined): number | undefined => {
  const m = /^F(\d+)/.exec(label ?? '');
  return m ? Number(m[1]) : undefined;
};

export class SequenceRunner {
  /** Differences from the spec: each one fails the test. */
  readonly problems: string[] = [];
  /** What is reported but not compared. */
  readonly diagnostics: string[] = [];
  private readonly sites = new Map<SiteName, Site>();
  private readonly fragments: Array<{ what: string; xml: string }> = [];
  private checking = true;
  private where = '';

  constructor(private readonly all: ReadonlyMap<string, Sequence>) {}

  private sequence(id: string): Sequence {
    const s = this.all.get(id);
    if (!s) throw new Error(`no fixture for sequence ${id}`);
    return s;
  }

  /** Every site a sequence touches, its includes' too. */
  private sitesOf(seq: Sequence): Set<SiteName> {
    const out = new Set<SiteName>(seq.sites);
    for (const s of seq.steps) if (s.do === 'include') for (const n of this.sitesOf(this.sequence(s.sequence))) out.add(n);
    return out;
  }

  private site(name: SiteName): Site {
    const s = this.sites.get(name);
    if (!s) throw new Error(`site ${name} is not running`);
    return s;
  }

  private fail(message: string): void {
    if (this.checking) this.problems.push(`${this.where}: ${message}`);
    else this.diagnostics.push(`precondition ${this.where}: ${message}`);
  }

  private note(message: string): void {
    this.diagnostics.push(`${this.where}: ${message}`);
  }

  async run(id: string): Promise<void> {
    const seq = this.sequence(id);
    const names = [...this.sitesOf(seq)].sort();
    const started = await Promise.all(names.map((n) => Site.start(n, seq.tsNativeMedia === true)));
    for (const s of started) this.sites.set(s.name, s);
    await this.steps(seq);
    await this.finish();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sites.values()].map((s) => s.stop()));
    this.sites.clear();
  }

  private async steps(seq: Sequence, through?: string): Promise<void> {
    const last = labelNumber(through);
    for (const step of seq.steps) {
      if (last !== undefined && 'label' in step && (labelNumber(step.label) ?? 0) > last) break;
      this.where = `${seq.id} ${'label' in step ? step.label : step.do}`;
      switch (step.do) {
        case 'post':
          await this.post(seq, step);
          break;
        case 'event':
          await this.event(step);
          break;
        case 'wan':
          this.wan(seq, step);
          break;
        case 'given':
          await this.given(seq, step);
          break;
        case 'include': {
          const outer = this.checking;
          this.checking = outer && step.check;
          await this.steps(this.sequence(step.sequence), step.through);
          this.checking = outer;
          break;
        }
      }
    }
  }

  // ---------------------------------------------------------------- requests

  private fill(body: string, site: Site): string {
    return body
      .replace(/\{\{CallID\}\}/g, () => {
        if (site.callId === undefined) this.fail('no CallID is known at this point for {{CallID}}');
        return site.callId ?? 'unknown-call';
      })
      .replace(/\{\{SecretKey:([^}]+)\}\}/g, (_m, name: string) => {
        const key = site.keys.get(name);
        if (key === undefined) this.fail(`no SecretKey is known for ${name}`);
        return key ?? 'unknown-key';
      });
  }

  private async post(seq: Sequence, step: PostStep): Promise<void> {
    const site = this.site(step.site);
    const printed = readFileSync(join(seq.dir, step.body), 'utf8');
    const body = this.fill(applyCorrections(printed, step.corrections ?? []), site);
    const placed = site.line.commands.length;
    let res = await site.post(step.action, body);
    let outcome = parseActionOutcome(res.body);
    const refused = res.status === 400 || (outcome.ok && outcome.value.kind === 'fault' && outcome.value.code === 401);
    if (refused) {
      const plain = withoutQuirks(body, step.action);
      this.fail(
        `${step.action}: the TS refused the request as printed (${res.status === 400 ? 'HTTP 400, not read as a SOAP action' : 'fault 401 Invalid Action'}), ` +
          `which has ${quirksOf(body, step.action)}; a lenient device accepts that` +
          (plain !== body ? ' (retried with it normalised to go on)' : ''),
      );
      if (plain !== body) {
        res = await site.post(step.action, plain);
        outcome = parseActionOutcome(res.body);
      }
    }
    if (!outcome.ok) {
      this.fail(`${step.action}: HTTP ${res.status} with a body that is not a SOAP response (${outcome.reason})`);
      return;
    }
    this.compareOutcome(step, res, outcome.value);
    if (outcome.value.kind !== 'response') return;
    const out = new Map(outcome.value.args);
    for (const [name, value] of out) {
      if (value.trim().startsWith('<')) this.fragments.push({ what: `${this.where} ${step.action} ${name}`, xml: value });
    }
    const callId = out.get('CallID');
    if (callId !== undefined) {
      site.callId = callId.trim();
      const place = site.line.commands.slice(placed).find((c) => c.kind === 'place');
      if (place && place.kind === 'place') site.lineCallId = place.lineCallId;
    }
    if (step.capture) {
      const key = out.get('NewSecretKey');
      if (key !== undefined) site.keys.set(step.capture.SecretKeyOf, key);
    }
    if (step.forget) site.keys.delete(step.forget);
    if (step.telCPNames) {
      const names = (out.get('TelCPNameList') ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
      if (JSON.stringify([...names].sort()) !== JSON.stringify([...step.telCPNames].sort())) {
        this.fail(`TelCPNameList ${JSON.stringify(out.get('TelCPNameList'))} does not name ${JSON.stringify(step.telCPNames)}`);
      }
    }
    if (step.callInfoList) this.compareCallInfoList(out.get('CallInfoList') ?? '', step.callInfoList);
  }

  private compareOutcome(step: PostStep, res: RawResponse, got: ActionOutcome): void {
    if ('fault' in step.expect) {
      if (got.kind !== 'fault') {
        this.fail(`${step.action}: expected fault ${step.expect.fault}, the action succeeded (${got.args.map(([n]) => n).join(', ')})`);
      } else if (got.code !== step.expect.fault) {
        this.fail(`${step.action}: expected fault ${step.expect.fault}, got ${got.code} "${got.description}"`);
      } else if (res.status !== 500) {
        this.fail(`${step.action}: fault ${got.code} came with HTTP ${res.status}, not 500`);
      }
      return;
    }
    if (got.kind === 'fault') {
      this.fail(`${step.action}: expected success with [${step.expect.args.join(', ')}], got fault ${got.code} "${got.description}"`);
      return;
    }
    const names = got.args.map(([n]) => n);
    if (JSON.stringify(names) !== JSON.stringify(step.expect.args)) {
      this.fail(`${step.action}: out-arguments [${names.join(', ')}], expected [${step.expect.args.join(', ')}]`);
    }
    if (res.status !== 200) this.fail(`${step.action}: response with HTTP ${res.status}, not 200`);
  }

  private compareCallInfoList(xml: string, expected: readonly ExpectedCallInfo[]): void {
    const root = parseFragment(xml);
    if (typeof root === 'string') {
      this.fail(`CallInfoList is not XML: ${root}`);
      return;
    }
    const entries = childElements(root).filter((e) => e.localName === 'callInfo').map(summarizeCallInfo);
    if (entries.length !== expected.length) this.fail(`CallInfoList has ${entries.length} <callInfo>, expected ${expected.length}`);
    expected.forEach((exp, i) => {
      const got = entries[i];
      if (got) this.compareCallInfo(`CallInfoList entry ${i + 1}`, got, exp);
    });
  }

  // ---------------------------------------------------------------- events

  private compareCallInfo(what: string, got: ObservedCallInfo, exp: ExpectedCallInfo): void {
    if (got.callStatus !== exp.callStatus) this.fail(`${what}: callStatus ${got.callStatus}, expected ${exp.callStatus}`);
    if (got.reason !== exp.reason) this.fail(`${what}: reason ${got.reason ?? '(none)'}, expected ${exp.reason ?? '(none)'}`);
    if (exp.targetNames !== undefined) {
      if (got.targetNames !== exp.targetNames) this.fail(`${what}: targetNames ${JSON.stringify(got.targetNames)}, expected ${JSON.stringify(exp.targetNames)}`);
      if (got.targetType !== 'TelCPName') this.fail(`${what}: targetNames type ${JSON.stringify(got.targetType)}, expected "TelCPName"`);
    }
    if (exp.elements && JSON.stringify(got.elements) !== JSON.stringify(exp.elements)) {
      this.fail(`${what}: elements [${got.elements.join(', ')}], expected [${exp.elements.join(', ')}]`);
    }
    if (typeof exp.tcs === 'number' && got.tcs !== exp.tcs) this.fail(`${what}: ${got.tcs} TC in the TCList, expected ${exp.tcs}`);
    for (const [el, kinds] of Object.entries(exp.printedMedia ?? {})) {
      const had = got.media[el];
      if (had && had.join('+') !== kinds.join('+')) this.note(`${what}: <${el}> has ${had.join('+') || 'no'} media, the spec prints ${kinds.join('+')} (SDP is not compared)`);
    }
  }

  private async event(step: EventStep): Promise<void> {
    const site = this.site(step.site);
    const deadline = Date.now() + (step.optional ? 500 : 4000);
    const matches = (e: ObservedCallInfo): boolean =>
      e.callStatus === step.callStatus && (step.capture !== undefined || site.callId === undefined || e.callID === site.callId);
    for (;;) {
      const rest = site.events.slice(site.cursor);
      const i = rest.findIndex(matches);
      if (i >= 0) {
        for (const extra of rest.slice(0, i)) this.fail(`unexpected CallInfo event ${describe(extra)} before the expected ${step.callStatus}`);
        const got = rest[i]!;
        site.cursor += i + 1;
        if (step.capture) site.callId = got.callID;
        this.compareCallInfo(`CallInfo event ${step.callStatus}`, got, step);
        return;
      }
      if (Date.now() > deadline) {
        if (!step.optional) {
          const seen = rest.map(describe).join(', ');
          this.fail(`no CallInfo event ${step.callStatus} for ${site.callId ?? 'the new Call'} at site ${site.name}${seen ? ` (got: ${seen})` : ''}`);
        }
        return;
      }
      await sleep(20);
    }
  }

  // ---------------------------------------------------------------- the WAN

  private sdp(seq: Sequence, name: string | undefined, sent: LineCommand | undefined): string | undefined {
    if (name === undefined) return undefined;
    if (name === 'sent') {
      if (!sent) return undefined;
      switch (sent.kind) {
        case 'place':
          return sent.request.sdpOffer;
        case 'answer':
          return sent.sdp;
        case 'modify':
        case 'acceptModify':
          return sent.sdp;
        default:
          return undefined;
      }
    }
    const sdp = seq.wanSdp?.[name];
    if (sdp === undefined) throw new Error(`${seq.id}: no wanSdp named ${name}`);
    return sdp;
  }

  private wan(seq: Sequence, step: WanStep): void {
    let sent: LineCommand | undefined;
    if (step.sent) {
      const from = this.site(step.sent.site);
      sent = from.sent(step.sent.command);
      if (!sent) this.fail(`site ${from.name}'s TS did not ${step.sent.command} the Call on its line (${step.why})`);
      const want = step.sent.media;
      const had = mediaKinds(this.sdp(seq, 'sent', sent));
      if (sent && want && [...had].sort().join('+') !== [...want].sort().join('+')) {
        this.note(`the SDP site ${from.name}'s TS gave its line with ${step.sent.command} has ${had.join('+') || 'no'} media; the Call has ${want.join('+')} (SDP is not compared)`);
      }
    }
    const r = step.report;
    if (!r) return;
    const to = this.site(r.site);
    const sdp = this.sdp(seq, r.sdp, sent);
    if (r.event === 'incoming') {
      to.lineCallId = to.line.ring({ id: r.from ?? 'anonymous' }, sdp);
      to.callId = undefined;
      return;
    }
    const id = to.lineCallId;
    if (id === undefined) {
      this.fail(`site ${to.name} has no Call on its line to report ${r.event} for`);
      return;
    }
    const remote = to.line.remote;
    switch (r.event) {
      case 'provisional':
        return remote.provisional(id);
      case 'answered':
        return remote.answered(id, sdp);
      case 'failed': {
        const reason = r.reason === 'sent' ? (sent?.kind === 'reject' ? sent.reason : undefined) : r.reason;
        return remote.failed(id, reason ?? 'Rejected');
      }
      case 'remoteCancelled':
        return remote.remoteCancelled(id);
      case 'remoteHangUp':
        return remote.remoteHangUp(id);
      case 'remoteModify':
        return remote.remoteModify(id, sdp ?? '');
      case 'modifyAccepted':
        return remote.modifyAccepted(id, sdp ?? '');
      case 'modifyRejected':
        return remote.modifyRejected(id);
    }
  }

  // ---------------------------------------------------------------- preconditions

  private async waitStatus(site: Site, status: string): Promise<void> {
    const deadline = Date.now() + 4000;
    while (!site.events.slice(site.cursor).some((e) => e.callStatus === status && (site.callId === undefined || e.callID === site.callId))) {
      if (Date.now() > deadline) throw new Error(`${this.where}: precondition Call never reached ${status} at site ${site.name}`);
      await sleep(20);
    }
    if (site.callId === undefined) site.callId = site.events.slice(site.cursor).find((e) => e.callStatus === status)!.callID;
  }

  /** Preconditions the spec does not print, set up through the control point with well-formed requests. */
  private async given(seq: Sequence, step: GivenStep): Promise<void> {
    const site = this.site(step.site);
    if (step.register) {
      const r = await site.cm.invoke('RegisterTelCPName', { TelCPName: step.register, CurrentSecretKey: '' });
      site.keys.set(step.register, String(r.NewSecretKey));
    }
    if (!step.call) return;
    const sdp = this.sdp(seq, step.sdp, undefined)!;
    const media = buildMediaCapabilityInfo({ mediaCapability: { format: 'SDP', content: sdp } });
    const anyone = { TelCPName: '', SecretKey: '' };
    site.cursor = site.events.length;
    site.callId = undefined;
    if (step.call === 'outgoing') {
      const { CallID } = await site.cm.invoke('StartCall', {
        ...anyone,
        CalleeID: 'tel:0774940201',
        CallPriority: 'Normal',
        MediaCapabilityInfo: media,
        CallMode: 'Non-Monopolize',
      });
      site.callId = String(CallID);
      site.lineCallId = site.line.last('place')!.lineCallId;
      await this.waitStatus(site, 'Dialing');
      site.line.remote.provisional(site.lineCallId);
      site.line.remote.answered(site.lineCallId, sdp);
    } else {
      site.lineCallId = site.line.ring({ id: '0355550101' }, sdp);
      await this.waitStatus(site, 'Ringing');
      await site.cm.invoke('AcceptCall', { ...anyone, TargetCallID: site.callId!, MediaCapabilityInfo: media, CallMode: 'Non-Monopolize' });
    }
    await this.waitStatus(site, 'Connected');
    await site.cm.invoke('StartMediaTransfer', { ...anyone, TargetCallID: site.callId!, TCList: buildTCList(step.tcList ?? []), MediaCapabilityInfo: '' });
    await this.waitStatus(site, 'Talking');
    site.cursor = site.events.length;
  }

  // ---------------------------------------------------------------- the end

  private async finish(): Promise<void> {
    this.where = 'end';
    await sleep(200);
    for (const site of this.sites.values()) {
      for (const extra of site.events.slice(site.cursor)) this.fail(`site ${site.name}: CallInfo event ${describe(extra)} that the sequence does not have`);
      site.rawEvents.forEach((xml, i) => this.fragments.push({ what: `site ${site.name} CallInfo event ${i + 1} (${site.events[i]?.callStatus})`, xml }));
    }
    for (const p of validateAgainstCams(this.fragments)) this.problems.push(p);
  }
}

/** Validates fragments with xmllint against cams-v1.xsd (one xmllint run); returns one line per invalid fragment. */
export function validateAgainstCams(fragments: ReadonlyArray<{ what: string; xml: string }>): string[] {
  if (fragments.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'hometel-cams-'));
  try {
    const files = fragments.map((f, i) => {
      const file = join(dir, `fragment-${i}.xml`);
      writeFileSync(file, f.xml.trim());
      return file;
    });
    const r = spawnSync('xmllint', ['--noout', '--schema', camsXsd, ...files], { encoding: 'utf8' });
    if (r.error) throw r.error;
    const out: string[] = [];
    files.forEach((file, i) => {
      if (r.stderr.includes(`${file} validates`)) return;
      const why = r.stderr.split('\n').find((l) => l.startsWith(`${file}:`)) ?? 'no verdict from xmllint';
      out.push(`${fragments[i]!.what}: not valid against cams-v1.xsd: ${why.slice(file.length + 1)}`);
    });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
