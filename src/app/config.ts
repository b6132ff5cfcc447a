/**
 * hometel's configuration file (JSON, documented in the README). Every field is optional; a
 * missing file means the defaults: one hometel on the loopback interface, data in ./data.
 */
import { readFileSync } from 'node:fs';
import type { LogLevel } from '../shared/logger.js';

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
}

export const defaultConfig: HometelConfig = {
  name: 'hometel',
  interfaces: ['lo'],
  dataDir: './data',
  httpPort: 0,
  logLevel: 'info',
  lines: [{ name: 'home' }],
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
    for (const k of Object.keys(line)) if (k !== 'name' && k !== 'friendlyName') problems.push(`"lines[${i}]" has unknown field "${k}"`);
    if ('friendlyName' in line && (typeof line.friendlyName !== 'string' || line.friendlyName === '')) problems.push(`"lines[${i}].friendlyName" must be a non-empty string`);
  });
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
