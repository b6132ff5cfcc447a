/**
 * Two network namespaces joined by a veth pair, made by a test and removed by it: the "hub" (hometel) and a
 * "phone" host. Multicast (plug and play on 224.0.1.75) and packet loss (nftables random drop) between them stay
 * out of the machine's own network. Needs root (CI runs as root; setup-peers.sh installs iproute2 and nftables).
 * Names carry this process's PID and a counter, so parallel or leftover runs do not collide; `close()` deletes both
 * namespaces, which removes the veth pair and ends nothing but what ran inside them.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { promisify } from 'node:util';
import { trackChild } from './children.js';

const run = promisify(execFile);
let made = 0;

export interface NetnsPair {
  readonly hub: string;
  readonly phone: string;
  /** 10.<n>.0.1 on the hub's veth, 10.<n>.0.2 on the phone's. */
  readonly hubAddress: string;
  readonly phoneAddress: string;
  /** The veth interface's name inside each namespace (the same name in both). */
  readonly device: string;
  /** Runs a command to its end inside a namespace (30 s at most): its stdout. Throws on a non-zero exit. */
  exec(ns: string, command: string, args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Starts a long-running command inside a namespace (tracked: killed if the test process exits). */
  spawn(ns: string, command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /**
   * Drops `percent` % of the IP packets in each direction at the phone's side (nftables `numgen random` on the
   * veth's ingress and egress hooks: a drop in the output hook would fail the sender's sendto() with EPERM, which
   * no lossy network does, and atftp aborts on it); 0 removes it.
   */
  loss(percent: number): Promise<void>;
  close(): Promise<void>;
}

const ip = (args: readonly string[]): Promise<unknown> => run('ip', [...args], { timeout: 10_000 });

export async function netnsPair(tag: string): Promise<NetnsPair> {
  made += 1;
  const n = 100 + ((process.pid + made) % 150);
  const id = `${tag}-${process.pid}-${made}`;
  const hub = `ht-${id}-hub`;
  const phone = `ht-${id}-ph`;
  const device = 'veth0';
  const hubAddress = `10.${n}.0.1`;
  const phoneAddress = `10.${n}.0.2`;
  const close = async (): Promise<void> => {
    for (const ns of [hub, phone]) await ip(['netns', 'del', ns]).catch(() => undefined);
  };
  try {
    await ip(['netns', 'add', hub]);
    await ip(['netns', 'add', phone]);
    // Made in the hub and moved into the phone, so that no interface ever appears in the machine's own namespace.
    await ip(['-n', hub, 'link', 'add', device, 'type', 'veth', 'peer', 'name', 'vethp']);
    await ip(['-n', hub, 'link', 'set', 'vethp', 'netns', phone]);
    await ip(['-n', phone, 'link', 'set', 'vethp', 'name', device]);
    for (const [ns, address] of [[hub, hubAddress], [phone, phoneAddress]] as const) {
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', device]);
      await ip(['-n', ns, 'link', 'set', device, 'up', 'multicast', 'on']);
      await ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', device]);
    }
  } catch (e) {
    await close();
    throw e;
  }
  const exec = async (ns: string, command: string, args: readonly string[], timeoutMs = 30_000): Promise<string> =>
    (await run('ip', ['netns', 'exec', ns, command, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 })).stdout;
  return {
    hub,
    phone,
    hubAddress,
    phoneAddress,
    device,
    exec,
    spawn(ns, command, args, options = {}) {
      // `ip netns exec` execs the command: the child's PID is the command's own.
      const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
      trackChild(child);
      return child;
    },
    async loss(percent) {
      await exec(phone, 'nft', ['delete', 'table', 'netdev', 'hometel_loss']).catch(() => undefined);
      if (percent <= 0) return;
      const rule = `meta protocol { ip, ip6 } numgen random mod 100 < ${percent} drop`;
      const ruleset = [
        'table netdev hometel_loss {',
        `  chain ingress { type filter hook ingress device "${device}" priority 0; policy accept; ${rule}; }`,
        `  chain egress { type filter hook egress device "${device}" priority 0; policy accept; ${rule}; }`,
        '}',
      ].join('\n');
      await new Promise<void>((resolve, reject) => {
        const nft = spawn('ip', ['netns', 'exec', phone, 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
        let err = '';
        nft.stderr.on('data', (d: Buffer) => (err += d.toString()));
        nft.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nft failed (${code}): ${err}`))));
        nft.stdin.end(`${ruleset}\n`);
      });
    },
    close,
  };
}
