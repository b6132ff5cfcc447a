/**
 * hometel's configuration file (JSON, documented in the README). Every field is optional; a
 * missing file means the defaults: one hometel on the loopback interface, data in ./data.
 */
import { readFileSync } from 'node:fs';
import type { LogLevel } from '../base/logger.js';

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
};

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
  if (problems.length) throw new Error(`config: ${problems.join('; ')}`);
  return { ...defaultConfig, ...(o as Partial<HometelConfig>) };
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
