// Runs Kamailio 5.6 (Debian `kamailio`, /usr/sbin/kamailio) as the SIP provider the line registers
// with: registrar + in-memory location + digest auth against a static credentials table, proxying
// to registered contacts and to other loopback SIP URIs. Config: test/peers/kamailio/kamailio.cfg
// (a template filled here). Loopback only; everything it writes stays in a temporary run directory.
// See test/peers/kamailio/README.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  hasExited,
  makeTempDir,
  OutputTail,
  processTree,
  runCommand,
  trackChild,
  waitForExit,
  waitForSocket,
} from './children.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const KAMAILIO_PEER_DIR = path.join(repoRoot, 'test', 'peers', 'kamailio');
const CONFIG_TEMPLATE = path.join(KAMAILIO_PEER_DIR, 'kamailio.cfg');
export const KAMAILIO_BINARY = '/usr/sbin/kamailio';
export const KAMCMD_BINARY = '/usr/sbin/kamcmd';

const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

/** Throws a clear error when Kamailio (or kamcmd) is not installed (tests must fail, never skip). */
export function kamailioAvailable(): void {
  for (const bin of [KAMAILIO_BINARY, KAMCMD_BINARY]) {
    if (!existsSync(bin)) {
      throw new Error(
        `Kamailio is not installed (${bin} missing): install the Debian package "kamailio" ` +
          '(bash scripts/setup-peers.sh does it)',
      );
    }
  }
}

/** "5.6.3" */
export async function kamailioVersion(): Promise<string> {
  kamailioAvailable();
  const { stdout, stderr } = await runCommand(KAMAILIO_BINARY, ['-v']);
  const m = /kamailio (\d+\.\d+\.\d+)/.exec(stdout + stderr);
  if (!m) throw new Error(`cannot parse the Kamailio version from: ${stdout}${stderr}`);
  return m[1]!;
}

export interface KamailioOptions {
  /** UDP listen port on 127.0.0.1. */
  udpPort: number;
  /** TCP listen port on 127.0.0.1 (default: udpPort). */
  tcpPort?: number;
  /** user -> password; the digest realm is `domain`. */
  users: Record<string, string>;
  /** SIP domain (e.g. "hometel.test" or "127.0.0.1"); alias of the proxy and digest realm. */
  domain: string;
  /**
   * Challenge (407) INVITEs and other initial requests whose From is one of `users` at this
   * proxy (default true, like a real provider). Callers from elsewhere are never challenged.
   */
  inviteAuth?: boolean;
  /** registrar min_expires (default 1: keep what the client asks for). */
  minExpires?: number;
  /** registrar max_expires (default 3600). */
  maxExpires?: number;
  /** Expires below minExpires: true -> 423 Interval Too Brief, false (default) -> raised to minExpires. */
  rejectBriefExpires?: boolean;
  /** Branches a request may fork to (Kamailio's max_branches, default its own 12, at most 31). */
  maxBranches?: number;
  /** Kamailio debug level, -1..3 (default 2: the config's request log lines at INFO). */
  debug?: number;
  startTimeoutMs?: number;
}

export interface KamailioContact {
  /** Contact URI as registered, e.g. "sip:alice@127.0.0.1:5070" */
  address: string;
  /** Seconds left */
  expires: number;
  callId: string;
  userAgent: string;
  /** Kamailio socket the REGISTER came in on, e.g. "udp:127.0.0.1:5060" */
  socket: string;
}

export interface Kamailio {
  pid: number;
  /** UDP port (same as udpPort). */
  port: number;
  udpPort: number;
  tcpPort: number;
  domain: string;
  /** Temporary directory with the generated config, pid file and ctl socket. */
  runDir: string;
  /** "sip:127.0.0.1:PORT" (UDP) / ";transport=tcp" (TCP): an outbound proxy URI for clients. */
  proxyUri(transport?: 'udp' | 'tcp'): string;
  /** Kamailio's log (stderr) so far. */
  stderr(): string;
  /** Current contacts registered for `user` ([] when none). */
  registrations(user: string): Promise<KamailioContact[]>;
  /** Resolves when `user` has at least `count` (default 1) contacts (or exactly 0 when count is 0). */
  waitForRegistrations(user: string, count?: number, timeoutMs?: number): Promise<KamailioContact[]>;
  /** Raw RPC through kamcmd, e.g. rpc('ul.dump'). */
  rpc(...args: string[]): Promise<string>;
  /** SIGTERM (Kamailio stops its children), SIGKILL of the whole tree after 5 s. Idempotent. */
  stop(): Promise<void>;
}

const NAME_RE = /^[A-Za-z0-9._~+-]+$/;
const DOMAIN_RE = /^[A-Za-z0-9.-]+$/;

/** Starts Kamailio with the test config and waits until it answers OPTIONS on UDP and TCP. */
export async function startKamailio(opts: KamailioOptions): Promise<Kamailio> {
  kamailioAvailable();
  const udpPort = opts.udpPort;
  const tcpPort = opts.tcpPort ?? opts.udpPort;
  if (!DOMAIN_RE.test(opts.domain)) throw new Error(`bad Kamailio domain ${opts.domain}`);
  for (const [user, password] of Object.entries(opts.users)) {
    if (!NAME_RE.test(user)) throw new Error(`bad Kamailio user name ${JSON.stringify(user)}`);
    if (/["\\\r\n$]/.test(password)) throw new Error(`Kamailio password for ${user} must not contain " \\ $ or newlines`);
  }

  const template = await readFile(CONFIG_TEMPLATE, 'utf8');
  const credentials = Object.entries(opts.users)
    .map(([user, password]) => `\t$sht(credentials=>${user}) = "${password}";`)
    .join('\n');
  const runDir = await makeTempDir('hometel-kamailio-');
  const configPath = path.join(runDir, 'kamailio.cfg');
  try {
    const config = fill(template, {
      UDP_PORT: String(udpPort),
      TCP_PORT: String(tcpPort),
      DOMAIN: opts.domain,
      RUN_DIR: runDir,
      CREDENTIALS: credentials || '\t# no users',
      MIN_EXPIRES: String(opts.minExpires ?? 1),
      MAX_EXPIRES: String(opts.maxExpires ?? 3600),
      MIN_EXPIRES_MODE: opts.rejectBriefExpires ? '1' : '0',
      MAX_BRANCHES: String(opts.maxBranches ?? 12),
    });
    await writeFile(configPath, config);
  } catch (error) {
    await rm(runDir, { recursive: true, force: true });
    throw error;
  }

  const args = [
    '-f', configPath,
    '-P', path.join(runDir, 'kamailio.pid'),
    '-Y', runDir, // runtime dir
    '-w', runDir, // working dir (core files etc.)
    '-E', // log to stderr, not syslog
    '-DD', // stay in the foreground (children are still forked)
    '-S', // no SCTP
    '-m', '64',
    '-M', '8',
    `--debug=${opts.debug ?? 2}`,
  ];
  if (opts.inviteAuth ?? true) args.push('-A', 'WITH_INVITE_AUTH');

  const child = spawn(KAMAILIO_BINARY, args, { cwd: runDir, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const log = new OutputTail(child.stderr, 256 * 1024);
  // -E sends everything to stderr; stdout only carries the odd banner line.
  const out = new OutputTail(child.stdout, 16 * 1024);
  const logs = (): string => `${log.toString()}${out.toString() ? `\n--- stdout ---\n${out.toString()}` : ''}`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!hasExited(child) && child.pid !== undefined) {
        const tree = await processTree(child.pid);
        child.kill('SIGTERM');
        if (!(await waitForExit(child, STOP_GRACE_MS))) {
          for (const pid of tree) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }
          await waitForExit(child, STOP_GRACE_MS);
        }
      }
      if (!process.env.HOMETEL_KEEP_PEER_LOGS) await rm(runDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const ctl = `unix:${path.join(runDir, 'kamailio_ctl')}`;
  const rpc = async (...rpcArgs: string[]): Promise<string> => {
    const { stdout, stderr } = await runCommand(KAMCMD_BINARY, ['-s', ctl, ...rpcArgs], { okCodes: [0, 1, 255] });
    return stdout + stderr;
  };

  try {
    const deadline = Date.now() + (opts.startTimeoutMs ?? START_TIMEOUT_MS);
    // The TCP listener belongs to a child process: look at the whole tree.
    await waitForSocket({
      pids: () => processTree(child.pid ?? -1),
      port: tcpPort,
      protocol: 'tcp',
      timeoutMs: Math.max(1, deadline - Date.now()),
      child,
    });
    await waitForOptions(udpPort, 'udp', deadline, child);
    await waitForOptions(tcpPort, 'tcp', deadline, child);
  } catch (error) {
    await stop();
    throw new Error(`Kamailio did not start: ${(error as Error).message}\nkamailio ${args.join(' ')}\n--- Kamailio log ---\n${logs()}`);
  }

  const registrations = async (user: string): Promise<KamailioContact[]> => {
    const text = await rpc('ul.lookup', 'location', user);
    if (/not found/i.test(text) || !/Contacts:/.test(text)) return [];
    return parseContacts(text);
  };

  return {
    pid: child.pid!,
    port: udpPort,
    udpPort,
    tcpPort,
    domain: opts.domain,
    runDir,
    proxyUri: (transport = 'udp') =>
      transport === 'tcp' ? `sip:127.0.0.1:${tcpPort};transport=tcp` : `sip:127.0.0.1:${udpPort}`,
    stderr: logs,
    registrations,
    waitForRegistrations: async (user, count = 1, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const contacts = await registrations(user);
        if (count === 0 ? contacts.length === 0 : contacts.length >= count) return contacts;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for ${count} registration(s) of ${user} (have ${contacts.length})\n` +
              `--- Kamailio log (tail) ---\n${logs().slice(-6_000)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    rpc,
    stop,
  };
}

function fill(template: string, values: Record<string, string>): string {
  const out = template.replace(/@([A-Z_]+)@/g, (m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`kamailio.cfg: unknown placeholder ${m}`);
    return v;
  });
  return out;
}

function parseContacts(text: string): KamailioContact[] {
  const contacts: KamailioContact[] = [];
  for (const block of text.split(/Contact: \{/).slice(1)) {
    const field = (name: string): string => new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(block)?.[1]?.trim() ?? '';
    contacts.push({
      address: field('Address'),
      expires: Number(field('Expires')),
      callId: field('Call-ID'),
      userAgent: field('User-Agent'),
      socket: field('Socket'),
    });
  }
  return contacts;
}

async function waitForOptions(port: number, transport: 'udp' | 'tcp', deadline: number, child: ChildProcess): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`Kamailio exited (code ${child.exitCode}, signal ${child.signalCode})`);
    try {
      const status = await sipOptionsPing({ port, transport, timeoutMs: 500 });
      if (status === 200) return;
      last = `status ${status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no 200 to OPTIONS over ${transport} on 127.0.0.1:${port} (${last})`);
}

/**
 * Sends one out-of-dialog OPTIONS sip:127.0.0.1:PORT over UDP or TCP from 127.0.0.1 and resolves
 * with the status code of the first final response (provisional ones are skipped).
 */
export async function sipOptionsPing(o: { port: number; transport: 'udp' | 'tcp'; host?: string; timeoutMs?: number }): Promise<number> {
  const host = o.host ?? '127.0.0.1';
  const timeoutMs = o.timeoutMs ?? 2_000;
  const id = randomBytes(8).toString('hex');
  const build = (localPort: number): string =>
    [
      `OPTIONS sip:${host}:${o.port}${o.transport === 'tcp' ? ';transport=tcp' : ''} SIP/2.0`,
      `Via: SIP/2.0/${o.transport.toUpperCase()} 127.0.0.1:${localPort};branch=z9hG4bK${id};rport`,
      'Max-Forwards: 70',
      `From: <sip:probe@127.0.0.1>;tag=${id}`,
      `To: <sip:${host}:${o.port}>`,
      `Call-ID: ${id}@127.0.0.1`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  const finalStatus = (text: string): number | undefined => {
    for (const m of text.matchAll(/^SIP\/2\.0 (\d{3})/gm)) {
      const code = Number(m[1]);
      if (code >= 200) return code;
    }
    return undefined;
  };

  if (o.transport === 'udp') {
    const sock = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(0, '127.0.0.1', () => resolve());
      });
      return await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to OPTIONS within ${timeoutMs} ms`)), timeoutMs);
        sock.on('message', (msg) => {
          const code = finalStatus(msg.toString('latin1'));
          if (code !== undefined) {
            clearTimeout(timer);
            resolve(code);
          }
        });
        sock.send(build(sock.address().port), o.port, host);
      });
    } finally {
      sock.close();
    }
  }

  return new Promise<number>((resolve, reject) => {
    let buf = '';
    const sock = net.connect({ port: o.port, host, localAddress: '127.0.0.1' });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer to OPTIONS within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(build(sock.localPort ?? 0)));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const code = finalStatus(buf);
      if (code !== undefined) {
        clearTimeout(timer);
        sock.end();
        resolve(code);
      }
    });
    sock.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
