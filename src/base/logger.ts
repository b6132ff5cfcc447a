/**
 * A small structured line logger. Every component gets a child logger named after it, so a
 * log reads as "what happened where": `2026-01-01T00:00:00.000Z INFO  [gena] subscribed sid=…`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, string | number | boolean | undefined | null>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(component: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where finished lines go; stderr by default so stdout stays free for command output. */
  write?: (line: string) => void;
  component?: string;
}

function formatFields(fields: LogFields | undefined): string {
  if (!fields) return '';
  let out = '';
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    out += ` ${k}=${/[\s"]/.test(s) || s === '' ? JSON.stringify(s) : s}`;
  }
  return out;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const component = opts.component;
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (rank[lvl] < rank[level]) return;
    const tag = component ? ` [${component}]` : '';
    write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)}${tag} ${msg}${formatFields(fields)}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (c) => createLogger({ level, write, component: component ? `${component}.${c}` : c }),
  };
}

/** A logger that drops everything; for library users who do not want logs. */
export const silentLogger: Logger = createLogger({ level: 'silent' });
