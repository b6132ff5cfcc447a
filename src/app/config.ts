/**
 * hometel's configuration file (JSON, documented in the README, its schema in hometel.schema.json). Every field
 * is optional; a missing file means the defaults: one hometel on the loopback interface, data in ./data.
 */
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { crossFieldProblems } from './config/cross-checks.js';
import { schemaProblems } from './config/problems.js';
import { fileSchema, type ClientConfig, type HometelConfig, type LineConfig, type PortRange } from './config/schema.js';
import { errorMessage, HometelError } from '../base/index.js';

/** A config file hometel cannot use: every problem found, each naming its field's path. */
export class ConfigError extends HometelError {
  readonly code = 'config.invalid';

  constructor(readonly problems: readonly string[]) {
    super(`config: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export type { ClientConfig, EchoConfig, HometelConfig, LineConfig, MediaConfig, NativeMediaConfig, PhonesConfig, SipLineConfig, VoiceMailConfig, WebConfig } from './config/schema.js';

/** The RTP port range of the i-th client when it names none. */
export function defaultClientRtpPorts(index: number): PortRange {
  return { min: 30000 + 100 * index, max: 30099 + 100 * index };
}

type Partly<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** The file with the schema's defaults filled in; what is left are the defaults derived from a neighbour. */
interface Defaulted extends Omit<HometelConfig, 'lines' | 'clients'> {
  readonly lines: ReadonlyArray<Partly<LineConfig, 'friendlyName'>>;
  readonly clients: ReadonlyArray<Partly<ClientConfig, 'friendlyName' | 'rtpPorts'>>;
}

/** The complete config of a schema-valid file. */
function complete(file: object): HometelConfig {
  const c = Value.Default(fileSchema, structuredClone(file)) as Defaulted;
  return {
    ...c,
    lines: c.lines.map((l) => ({ ...l, friendlyName: l.friendlyName ?? `${l.name} line` })),
    clients: c.clients.map((cl, i) => ({ ...cl, friendlyName: cl.friendlyName ?? `${cl.name} client`, rtpPorts: cl.rtpPorts ?? defaultClientRtpPorts(i) })),
  };
}

export const defaultConfig: HometelConfig = complete({});

/**
 * True when `echo` is the default echo endpoint, not one the config file asked for (validateConfig hands back the
 * default object itself when the file has no "echo"): hometel start runs it when it can and goes on without it when
 * its port is taken.
 */
export function isDefaultEcho(echo: HometelConfig['echo']): boolean {
  return echo === defaultConfig.echo;
}

/** Checks a parsed config object; returns the complete config or throws with every problem named by its path. */
export function validateConfig(raw: unknown): HometelConfig {
  const problems = schemaProblems(fileSchema, raw);
  if (problems.length) throw new ConfigError(problems);
  // "$schema" only points an editor at hometel.schema.json.
  const file = Object.fromEntries(Object.entries(raw as object).filter(([key]) => key !== '$schema'));
  const config = complete(file);
  const crossProblems = crossFieldProblems(config);
  if (crossProblems.length) throw new ConfigError(crossProblems);
  return { ...config, echo: 'echo' in file ? config.echo : defaultConfig.echo, web: 'web' in file ? config.web : defaultConfig.web };
}

/** True when `web` is the default web application, not one the config file asked for (see isDefaultEcho). */
export function isDefaultWeb(web: HometelConfig['web']): boolean {
  return web === defaultConfig.web;
}

export function loadConfig(path: string | undefined): HometelConfig {
  if (!path) return defaultConfig;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([`cannot read ${path}: ${errorMessage(e)}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`${path} is not valid JSON: ${errorMessage(e)}`]);
  }
  return validateConfig(raw);
}
