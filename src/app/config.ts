/**
 * hometel's configuration file (JSON, documented in the README). Every field is optional; a
 * missing file means the defaults: one hometel on the loopback interface, data in ./data.
 */
import { readFileSync } from 'node:fs';
import type { LogLevel } from '../base/logger.js';
import { audioSourceProblem, type AudioSourceConfig } from '../media/audio/source-config.js';

export interface HometelConfig {
  /** Friendly name of the root device. */
  readonly name: string;
  /** Interfaces (names or IPv4 addresses) hometel serves UPnP on; only these. */
  readonly interfaces: readonly string[];
  /** Where the SQLite store lives. */
  readonly dataDir: string;
  /** HTTP port of the device host; 0 picks a free one at each start. */
  readonly httpPort: number;
  readonly logLevel: LogLevel;
  /** The phone lines; each is a Telephony Server device embedded in the root device. */
  readonly lines: readonly LineConfig[];
  /** The Telephony Clients hometel runs itself; each is a TelephonyClient:1 device embedded in the root device. */
  readonly clients: readonly ClientConfig[];
  /** The Telephony Servers' media plane: the UDP port range of every RTP/RTCP port pair it relays media on. */
  readonly media: MediaConfig;
  /** The echo test endpoint (a SIP UAS that sends every RTP packet back), or false for none. */
  readonly echo: EchoConfig | false;
}

/** hometel's echo test endpoint, like a PBX's echo test number: call sip:<user>@<host>:<port> and hear yourself. */
export interface EchoConfig {
  /** The user part it answers for (other users get 404). */
  readonly user: string;
  /** UDP and TCP port (0: any free port). */
  readonly port: number;
  /** Address to listen on (SIP and RTP); default: the first interface's address. */
  readonly host?: string;
  readonly transports?: ReadonlyArray<'udp' | 'tcp'>;
  /** Its own RTP/RTCP port range, one even/odd pair per call; default: pairs from the `media` range. */
  readonly rtpPorts?: { readonly min: number; readonly max: number };
  /** Calls at once; another INVITE is answered 486 Busy Here. */
  readonly maxCalls: number;
  /** It hangs up after this many seconds. */
  readonly maxSeconds: number;
}

export interface MediaConfig {
  /** Lowest port of the range (each stream takes an even RTP port and the odd RTCP port above it, per side). */
  readonly rtpPortMin: number;
  /** Highest port of the range. */
  readonly rtpPortMax: number;
  /** The TS's own media endpoint (TS-based media handling, nativeMediaCapability); default: silence, nothing recorded. */
  readonly native?: NativeMediaConfig;
}

/** What the Telephony Servers play to the Remote Party and where they record it when a TelCP chooses their native media. */
export interface NativeMediaConfig {
  /** What they play: a tone of N Hz, a WAV file (once, or looped), or silence (default). */
  readonly source?: AudioSourceConfig;
  /** Where they record the Remote Party: `<line>-<CallID>-<time>.wav` per Call; default: nothing recorded. */
  readonly recordDir?: string;
}

/** A Telephony Client of hometel's own: a media endpoint that plays a source and records what it receives. */
export interface ClientConfig {
  /** Short, unique name of the client (keeps its UDN in the store). */
  readonly name: string;
  /** The friendly name its device shows; defaults to "<name> client". */
  readonly friendlyName?: string;
  /** What it plays into its Media Sessions: a tone of N Hz, a WAV file (once, or looped), or silence (default). */
  readonly source?: AudioSourceConfig;
  /** Where it records each Media Session (a WAV per audio stream, an rtpdump per video stream); default: nothing recorded. */
  readonly recordDir?: string;
  /** Declare receive-only H.264 video (recorded raw, never decoded); default false. */
  readonly video?: boolean;
  /** Its RTP port range (even/odd pairs); default 30000+100·i – 30099+100·i for the i-th client. */
  readonly rtpPorts?: { readonly min: number; readonly max: number };
}

/** The RTP port range of the i-th client when it names none. */
export function defaultClientRtpPorts(index: number): { min: number; max: number } {
  return { min: 30000 + 100 * index, max: 30099 + 100 * index };
}

export interface LineConfig {
  /** Short, unique name of the line (keeps its UDN in the store). */
  readonly name: string;
  /** The friendly name its Telephony Server shows; defaults to "<name> line". */
  readonly friendlyName?: string;
  /** The line's SIP account; without it the line has no connection outside the home. */
  readonly sip?: SipLineConfig;
}

export interface SipLineConfig {
  /** `direct`: reachable at sip:user@host:port, calls any SIP URI itself; `registered`: through a registrar. */
  readonly mode: 'direct' | 'registered';
  readonly user: string;
  readonly displayName?: string;
  /** Address to listen on; default: the first interface's address. */
  readonly host?: string;
  /** UDP and TCP port; default 5060 (0: any free port). */
  readonly port?: number;
  readonly transports?: ReadonlyArray<'udp' | 'tcp'>;
  /** Registered mode: the registrar's SIP URI, e.g. sip:pbx.example.org. */
  readonly registrar?: string;
  readonly username?: string;
  readonly password?: string;
  readonly expires?: number;
  readonly outboundProxy?: string;
  /** Seconds an incoming call rings before it is answered 480 and ends. */
  readonly noAnswerSeconds?: number;
  /** Seconds between availability probes of a callback's callee. */
  readonly probeIntervalSeconds?: number;
  /** Seconds between in-call OPTIONS keep-alives that detect a vanished peer; 0 = off. */
  readonly keepaliveSeconds?: number;
}

export const defaultConfig: HometelConfig = {
  name: 'hometel',
  interfaces: ['lo'],
  dataDir: './data',
  httpPort: 0,
  logLevel: 'info',
  lines: [{ name: 'home', sip: { mode: 'direct', user: 'home' } }],
  clients: [{ name: 'tc', source: { tone: 440 } }],
  media: { rtpPortMin: 40000, rtpPortMax: 49999 },
  echo: { user: 'echo', port: 5070, maxCalls: 8, maxSeconds: 600 },
};

/**
 * True when `echo` is the default echo endpoint, not one the config file asked for (validateConfig hands back the
 * default object itself when the file has no "echo"): hometel start runs it when it can and goes on without it when
 * its port is taken.
 */
export function isDefaultEcho(echo: HometelConfig['echo']): boolean {
  return echo === defaultConfig.echo;
}

const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Checks a parsed config object; returns the full config or throws with every problem named. */
export function validateConfig(raw: unknown): HometelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('config: must be a JSON object');
  const o = raw as Record<string, unknown>;
  const problems: string[] = [];
  const known = Object.keys(defaultConfig);
  for (const k of Object.keys(o)) if (!known.includes(k)) problems.push(`unknown field "${k}"`);
  const str = (k: string): void => {
    if (k in o && (typeof o[k] !== 'string' || o[k] === '')) problems.push(`"${k}" must be a non-empty string`);
  };
  str('name');
  str('dataDir');
  if ('interfaces' in o && (!Array.isArray(o.interfaces) || o.interfaces.length === 0 || !o.interfaces.every((i) => typeof i === 'string'))) {
    problems.push('"interfaces" must be a non-empty array of interface names or addresses');
  }
  if ('httpPort' in o && (!Number.isInteger(o.httpPort) || (o.httpPort as number) < 0 || (o.httpPort as number) > 65535)) {
    problems.push('"httpPort" must be a port number (0 = any free port)');
  }
  if ('logLevel' in o && !logLevels.includes(o.logLevel as LogLevel)) problems.push(`"logLevel" must be one of ${logLevels.join(', ')}`);
  if ('lines' in o) problems.push(...lineProblems(o.lines));
  if ('clients' in o) problems.push(...clientProblems(o.clients));
  const media = 'media' in o ? mediaOf(o.media, problems) : defaultConfig.media;
  const echo = 'echo' in o ? echoOf(o.echo, problems) : defaultConfig.echo;
  if (echo) problems.push(...echoClashes(echo, o, media));
  if (problems.length) throw new Error(`config: ${problems.join('; ')}`);
  return { ...defaultConfig, ...(o as Partial<HometelConfig>), media, echo };
}

const isPort = (v: unknown, min = 1024): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= 65535;

/** `echo` with its defaults filled in (false: none); what is wrong with it goes into `problems`. */
function echoOf(value: unknown, problems: string[]): EchoConfig | false {
  if (value === false) return false;
  const defaults = defaultConfig.echo as EchoConfig;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('"echo" must be an object {user?, port?, host?, transports?, rtpPorts?, maxCalls?, maxSeconds?} or false');
    return defaults;
  }
  const o = value as Record<string, unknown>;
  const bad = (k: string, what: string): void => void problems.push(`"echo.${k}" must be ${what}`);
  for (const k of Object.keys(o)) {
    if (!['user', 'port', 'host', 'transports', 'rtpPorts', 'maxCalls', 'maxSeconds'].includes(k)) problems.push(`"echo" has unknown field "${k}"`);
  }
  if ('user' in o && (typeof o.user !== 'string' || !/^[A-Za-z0-9._~!$&'()*+,;=-]+$/.test(o.user))) bad('user', 'a SIP user part (letters, digits, -._~!$&\'()*+,;=)');
  if ('port' in o && !isPort(o.port, 0)) bad('port', 'a port number (0 = any free port)');
  if ('host' in o && (typeof o.host !== 'string' || o.host === '')) bad('host', 'a non-empty string');
  if ('transports' in o && (!Array.isArray(o.transports) || o.transports.length === 0 || !o.transports.every((t) => t === 'udp' || t === 'tcp'))) {
    bad('transports', 'a non-empty list of "udp", "tcp"');
  }
  const r = o.rtpPorts as Record<string, unknown> | undefined;
  if ('rtpPorts' in o && (typeof r !== 'object' || r === null || Object.keys(r).some((k) => k !== 'min' && k !== 'max') || !isPort(r.min) || !isPort(r.max) || r.max - r.min < 1)) {
    bad('rtpPorts', '{"min", "max"}: ports 1024–65535 holding at least one even/odd pair');
  }
  if ('maxCalls' in o && (!Number.isInteger(o.maxCalls) || (o.maxCalls as number) < 1 || (o.maxCalls as number) > 1000)) bad('maxCalls', 'a whole number from 1 to 1000');
  if ('maxSeconds' in o && (typeof o.maxSeconds !== 'number' || !(o.maxSeconds > 0))) bad('maxSeconds', 'a number of seconds above 0');
  return { ...defaults, ...(o as Partial<EchoConfig>) };
}

/** The echo's ports against the rest of the config: the lines' SIP ports; its own RTP range (if any) against the media and clients' ranges. */
function echoClashes(echo: EchoConfig, o: Record<string, unknown>, media: MediaConfig): string[] {
  const problems: string[] = [];
  const { min, max } = echo.rtpPorts ?? { min: 0, max: 0 };
  if (echo.rtpPorts && isPort(min) && isPort(max)) {
    const pairs = Math.floor((max - (min + (min % 2)) + 1) / 2);
    if (pairs < echo.maxCalls) problems.push(`"echo.rtpPorts" ${min}–${max} holds ${pairs} port pairs, fewer than "echo.maxCalls" (${echo.maxCalls})`);
    const overlaps = (a: { min: number; max: number }): boolean => a.min <= max && min <= a.max;
    if (overlaps({ min: media.rtpPortMin, max: media.rtpPortMax })) problems.push(`"echo.rtpPorts" ${min}–${max} overlaps the "media" range ${media.rtpPortMin}–${media.rtpPortMax}`);
    const clients = Array.isArray(o.clients) ? (o.clients as unknown[]) : defaultConfig.clients;
    clients.forEach((c, i) => {
      const range = (c as ClientConfig | null)?.rtpPorts ?? defaultClientRtpPorts(i);
      if (isPort(range.min) && isPort(range.max) && overlaps(range)) problems.push(`"echo.rtpPorts" ${min}–${max} overlaps "clients[${i}].rtpPorts"`);
    });
  }
  const lines = Array.isArray(o.lines) ? (o.lines as unknown[]) : defaultConfig.lines;
  lines.forEach((l, i) => {
    const sip = (l as LineConfig | null)?.sip;
    if (!sip || echo.port === 0) return;
    const sameHost = sip.host === undefined || echo.host === undefined || sip.host === echo.host;
    if (sameHost && (sip.port ?? 5060) === echo.port) problems.push(`"echo.port" ${echo.port} is the SIP port of "lines[${i}]"`);
  });
  return problems;
}

/** `media` with its defaults filled in; what is wrong with it goes into `problems`. */
function mediaOf(value: unknown, problems: string[]): MediaConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('"media" must be an object {rtpPortMin, rtpPortMax, native?}');
    return defaultConfig.media;
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['rtpPortMin', 'rtpPortMax', 'native'].includes(k)) problems.push(`"media" has unknown field "${k}"`);
  const port = (k: 'rtpPortMin' | 'rtpPortMax'): number => {
    if (!(k in o)) return defaultConfig.media[k];
    const v = o[k];
    if (Number.isInteger(v) && (v as number) >= 1024 && (v as number) <= 65535) return v as number;
    problems.push(`"media.${k}" must be a port number from 1024 to 65535`);
    return defaultConfig.media[k];
  };
  const media = { rtpPortMin: port('rtpPortMin'), rtpPortMax: port('rtpPortMax'), ...('native' in o ? { native: nativeOf(o.native, problems) } : {}) };
  // At least two RTP/RTCP pairs (a Call's stream takes one on the WAN side and one on the home side).
  const firstEven = media.rtpPortMin + (media.rtpPortMin % 2);
  if (firstEven + 3 > media.rtpPortMax) problems.push(`"media" range ${media.rtpPortMin}–${media.rtpPortMax} must hold at least two RTP/RTCP port pairs (rtpPortMin below rtpPortMax)`);
  return media;
}

function nativeOf(value: unknown, problems: string[]): NativeMediaConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('"media.native" must be an object {source?, recordDir?}');
    return {};
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'source' && k !== 'recordDir') problems.push(`"media.native" has unknown field "${k}"`);
  if ('source' in o) {
    const problem = audioSourceProblem(o.source, 'media.native.source');
    if (problem) problems.push(problem);
  }
  if ('recordDir' in o && (typeof o.recordDir !== 'string' || o.recordDir === '')) problems.push('"media.native.recordDir" must be a non-empty string');
  return o;
}

function lineProblems(lines: unknown): string[] {
  if (!Array.isArray(lines)) return ['"lines" must be an array of {name, friendlyName?}'];
  const problems: string[] = [];
  const names = new Set<string>();
  lines.forEach((l: unknown, i) => {
    const line = l as Record<string, unknown> | null;
    if (typeof line !== 'object' || line === null || typeof line.name !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(line.name)) {
      problems.push(`"lines[${i}].name" must be 1–32 letters, digits, - or _`);
      return;
    }
    if (names.has(line.name)) problems.push(`"lines[${i}].name" ${line.name} is used twice`);
    names.add(line.name);
    for (const k of Object.keys(line)) if (!['name', 'friendlyName', 'sip'].includes(k)) problems.push(`"lines[${i}]" has unknown field "${k}"`);
    if ('friendlyName' in line && (typeof line.friendlyName !== 'string' || line.friendlyName === '')) problems.push(`"lines[${i}].friendlyName" must be a non-empty string`);
    if ('sip' in line) problems.push(...sipProblems(line.sip, `lines[${i}].sip`));
  });
  const ports = lines.map((l: { sip?: { port?: unknown } } | null) => l?.sip?.port ?? (l?.sip ? 5060 : undefined)).filter((p) => p !== undefined && p !== 0);
  if (new Set(ports).size !== ports.length) problems.push('two lines use the same SIP port');
  return problems;
}

const sipFields: Record<string, 'string' | 'port' | 'seconds' | 'boolean' | 'transports' | 'mode' | 'uri'> = {
  mode: 'mode',
  user: 'string',
  displayName: 'string',
  host: 'string',
  port: 'port',
  transports: 'transports',
  registrar: 'uri',
  username: 'string',
  password: 'string',
  expires: 'seconds',
  outboundProxy: 'uri',
  noAnswerSeconds: 'seconds',
  probeIntervalSeconds: 'seconds',
  keepaliveSeconds: 'seconds',
};

function sipProblems(value: unknown, where: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`"${where}" must be an object`];
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    const kind = sipFields[k];
    const bad = (what: string): void => void problems.push(`"${where}.${k}" must be ${what}`);
    if (!kind) problems.push(`"${where}" has unknown field "${k}"`);
    else if (kind === 'mode' && v !== 'direct' && v !== 'registered') bad('"direct" or "registered"');
    else if (kind === 'string' && (typeof v !== 'string' || v === '')) bad('a non-empty string');
    else if (kind === 'uri' && (typeof v !== 'string' || !/^sips?:\S+$/.test(v))) bad('a sip: URI');
    else if (kind === 'port' && (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 65535)) bad('a port number');
    else if (kind === 'seconds' && (typeof v !== 'number' || !(v >= 0))) bad('a number of seconds');
    else if (kind === 'transports' && (!Array.isArray(v) || v.length === 0 || !v.every((t) => t === 'udp' || t === 'tcp'))) bad('a non-empty list of "udp", "tcp"');
  }
  if (!('mode' in o)) problems.push(`"${where}.mode" is missing`);
  if (!('user' in o)) problems.push(`"${where}.user" is missing`);
  if (o.mode === 'registered') {
    if (!('registrar' in o)) problems.push(`"${where}.registrar" is needed in registered mode`);
    if (!('password' in o)) problems.push(`"${where}.password" is needed in registered mode`);
  }
  return problems;
}

function clientProblems(clients: unknown): string[] {
  if (!Array.isArray(clients)) return ['"clients" must be an array of {name, friendlyName?, source?, recordDir?, video?, rtpPorts?}'];
  const problems: string[] = [];
  const names = new Set<string>();
  const ranges: Array<{ min: number; max: number; i: number }> = [];
  clients.forEach((c: unknown, i) => {
    const client = c as Record<string, unknown> | null;
    const where = `clients[${i}]`;
    if (typeof client !== 'object' || client === null || typeof client.name !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(client.name)) {
      problems.push(`"${where}.name" must be 1–32 letters, digits, - or _`);
      return;
    }
    if (names.has(client.name)) problems.push(`"${where}.name" ${client.name} is used twice`);
    names.add(client.name);
    for (const k of Object.keys(client)) {
      if (!['name', 'friendlyName', 'source', 'recordDir', 'video', 'rtpPorts'].includes(k)) problems.push(`"${where}" has unknown field "${k}"`);
    }
    for (const k of ['friendlyName', 'recordDir']) {
      if (k in client && (typeof client[k] !== 'string' || client[k] === '')) problems.push(`"${where}.${k}" must be a non-empty string`);
    }
    if ('video' in client && typeof client.video !== 'boolean') problems.push(`"${where}.video" must be true or false`);
    if ('source' in client) {
      const problem = audioSourceProblem(client.source, `${where}.source`);
      if (problem) problems.push(problem);
    }
    const r = ('rtpPorts' in client ? client.rtpPorts : defaultClientRtpPorts(i)) as Record<string, unknown> | null;
    const port = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1024 && (v as number) <= 65535;
    if (typeof r !== 'object' || r === null || Object.keys(r).some((k) => k !== 'min' && k !== 'max') || !port(r.min) || !port(r.max) || r.max - r.min < 3) {
      problems.push(`"${where}.rtpPorts" must be {"min", "max"}: ports 1024–65535, at least 4 apart`);
    } else {
      ranges.push({ min: r.min, max: r.max, i });
    }
  });
  for (const a of ranges) {
    for (const b of ranges) {
      if (a.i < b.i && a.min <= b.max && b.min <= a.max) problems.push(`"clients[${a.i}]" and "clients[${b.i}]" have overlapping rtpPorts`);
    }
  }
  return problems;
}

export function loadConfig(path: string | undefined): HometelConfig {
  if (!path) return defaultConfig;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`config: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`config: ${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return validateConfig(raw);
}
