/**
 * `hometel start` with phones and provisioning on loopback (web port and registrar port free, no TFTP), extension 21
 * made and a device enrolled to it the way the CLI leaves them (openPhones / openProvisioning on the same data
 * directory), and `curl` against its /provisioning/ files.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { openPhones, openProvisioning, validateConfig } from '../../src/app/index.js';
import type { Vendor } from '../../src/provisioning/index.js';
import { runCommand } from './children.js';
import { startConfiguredHometel, type ConfiguredHometel } from './hometel-process.js';
import { freeLoopbackPort } from './sipp.js';

export const extensionPassword = 'kitchen-phone-password-1';

export interface ProvisioningHome {
  readonly hometel: ConfiguredHometel;
  /** http://127.0.0.1:<web port>/provisioning/ */
  readonly base: string;
  readonly dataDir: string;
  readonly templatesDir: string;
  /** Enrolls a device to extension 21 (made on the first call) and returns its provisioning secret. */
  enroll(mac: string, template: Vendor): string;
  stop(): Promise<void>;
}

/** `extra` goes into the `provisioning` section; `homeNetworks` into the registrar's. */
export async function startProvisioningHome(prefix: string, o: { homeNetworks?: string[] } = {}): Promise<ProvisioningHome> {
  const webPort = await freeLoopbackPort();
  const registrarPort = await freeLoopbackPort();
  const linePort = await freeLoopbackPort();
  let dataDir = '';
  let templatesDir = '';
  let configJson: object = {};
  const hometel = await startConfiguredHometel(prefix, (dir) => {
    dataDir = join(dir, 'data');
    templatesDir = join(dir, 'templates');
    configJson = {
      interfaces: ['lo'],
      dataDir,
      echo: false,
      clients: [],
      lines: [{ name: 'home', sip: { mode: 'direct', user: 'home', port: linePort, transports: ['udp'] } }],
      web: { interface: 'lo', port: webPort },
      phones: { registrar: { host: '127.0.0.1', port: registrarPort, transports: ['udp'], ...(o.homeNetworks ? { homeNetworks: o.homeNetworks } : {}) } },
      provisioning: { tftpPort: false, plugAndPlay: false, templatesDir, timeZone: 'Europe/Berlin' },
    };
    return configJson;
  });
  const config = validateConfig(configJson);
  let made = false;
  return {
    hometel,
    base: `http://127.0.0.1:${webPort}/provisioning/`,
    dataDir,
    templatesDir,
    enroll(mac, template) {
      if (!made) {
        const phones = openPhones(config, systemClock, silentLogger);
        phones.phones.add({ number: '21', password: extensionPassword, displayName: 'Kitchen' });
        phones.close();
        made = true;
      }
      const prov = openProvisioning(config, systemClock, silentLogger);
      try {
        prov.provisioning.add(mac, { extensions: ['21'], vendor: template, template });
        return prov.provisioning.deviceSecret(mac.replace(/[:-]/g, '').toLowerCase())!;
      } finally {
        prov.close();
      }
    },
    stop: async () => void (await hometel.stop()),
  };
}

export interface CurlResult {
  readonly status: number;
  /** The headers of the last response, names lower-cased (repeated ones joined by `\n`). */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** `curl` (the real one) with `args` before the URL; the last response's status, headers and body. */
export async function curl(url: string, args: string[] = []): Promise<CurlResult> {
  const dir = await mkdtemp(join(tmpdir(), 'hometel-curl-'));
  try {
    const r = await runCommand('curl', ['-sS', '-o', join(dir, 'body'), '-D', join(dir, 'headers'), '-w', '%{http_code}', ...args, url]);
    const blocks = (await readFile(join(dir, 'headers'), 'utf8')).split(/\r\n\r\n/).filter((b) => b.trim() !== '');
    const headers = new Map<string, string>();
    for (const line of (blocks[blocks.length - 1] ?? '').split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}\n${value}` : value);
    }
    const body = await readFile(join(dir, 'body'), 'utf8').catch(() => '');
    return { status: Number(r.stdout), headers, body };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
