/**
 * `hometel provision …`: the phones hometel provisions, from the shell (issue 15) — the devices (pending and
 * enrolled), add or enroll one to extensions, everything known about one, ask the running hometel for a resync
 * (check-sync), rotate a device's provisioning secret, remove one. Every command has --json. A device's secret is
 * printed by `show --secret` only.
 */
import { Command } from 'commander';
import { formatMac, openProvisioning, parseMac, provisioningUrls, type Device, type DeviceChanges, type HometelConfig, type OpenProvisioning, type Vendor } from '../../app/index.js';
import type { Clock, Logger } from '../../base/index.js';
import { onStore, withStoreOptions, type StoreOptions } from './store-command.js';

interface Opened extends OpenProvisioning {
  readonly config: HometelConfig;
}

const open = (config: HometelConfig, clock: Clock, logger: Logger): Opened => ({ ...openProvisioning(config, clock, logger), config });
const withDevices = (opts: StoreOptions, f: (p: Opened) => unknown): Promise<void> => onStore('provision', opts, open, f);

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const macHelp = 'its MAC address: 00:15:65:a1:b2:c3, 00-15-65-A1-B2-C3, 0015.65a1.b2c3 or 001565a1b2c3';
const vendorHelp = 'yealink, snom, grandstream, polycom or generic';

const when = (ms: number): string => new Date(ms).toISOString();
const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

function identity(d: Device): string {
  return [d.vendor ?? 'unknown vendor', d.model, d.firmware !== undefined ? `firmware ${d.firmware}` : undefined].filter(Boolean).join(' ');
}

function lastFetch(d: Device): string {
  const f = d.lastFetch;
  return f ? `${when(f.at)} ${f.protocol} ${f.file} from ${f.address} (${f.outcome})${f.userAgent !== undefined ? ` ${f.userAgent}` : ''}` : 'never';
}

function lastNotification(d: Device): string {
  const n = d.lastNotification;
  return n ? `${when(n.at)} ${n.kind} to ${n.target}: ${n.answer}` : 'none';
}

/** One line per device for `devices`. */
function line(d: Device): string {
  const carries = d.state === 'enrolled' ? `extensions ${d.extensions.join(',')}` : `first seen ${when(d.firstSeen)} via ${d.firstSeenFrom}`;
  return `${formatMac(d.mac)}  ${d.state.padEnd(8)}  ${identity(d)}  ${carries}  last fetch: ${lastFetch(d)}  last notification: ${lastNotification(d)}`;
}

/** Everything known about a device, for `show`. */
function details(d: Device): string {
  return [
    `device ${formatMac(d.mac)}: ${d.state}`,
    `  vendor:            ${d.vendor ?? '-'}`,
    `  model:             ${d.model ?? '-'}`,
    `  firmware:          ${d.firmware ?? '-'}`,
    `  extensions:        ${d.extensions.join(', ') || '- (pending: hometel provision enroll MAC --extension N)'}`,
    `  template:          ${d.template ?? `${d.vendor ?? 'generic'} (its vendor's)`}`,
    `  first seen:        ${when(d.firstSeen)} via ${d.firstSeenFrom}`,
    `  last fetch:        ${lastFetch(d)}`,
    `  last notification: ${lastNotification(d)}`,
    `  secret generation: ${d.secretGeneration}`,
    ...(d.resyncRequestedAt !== undefined ? [`  resync requested:  ${when(d.resyncRequestedAt)} (not sent yet)`] : []),
  ].join('\n');
}

/** The secret and where a phone is pointed at with it: the same shape as GET /api/provisioning/devices/:mac/secret. */
function access(p: Opened, d: Device): { mac: string; secret: string; http?: string; tftp?: string; digest: { user: string; password: string } } {
  const secret = p.provisioning.deviceSecret(d.mac);
  if (secret === undefined) throw new Error(`device ${formatMac(d.mac)} is pending: it has no provisioning secret until it is enrolled`);
  const urls = provisioningUrls(p.config);
  return {
    mac: d.mac,
    secret,
    ...(urls.http !== undefined ? { http: `${urls.http}${secret}/` } : {}),
    ...(urls.tftp !== undefined ? { tftp: `${urls.tftp}${secret}/` } : {}),
    digest: { user: d.mac, password: secret },
  };
}

function accessText(a: ReturnType<typeof access>, plainUrl: string | undefined): string {
  return [
    `  provisioning secret: ${a.secret}`,
    `  HTTP URL:            ${a.http ?? '(the web application\'s port is not known: http://<host>:<web port>/provisioning/ followed by the secret and /)'}`,
    ...(a.tftp !== undefined ? [`  TFTP URL:            ${a.tftp}`] : []),
    `  HTTP Digest:         user ${a.digest.user}, password ${a.digest.password}${plainUrl !== undefined ? ` (with ${plainUrl})` : ''}`,
  ].join('\n');
}

function changesOf(opts: { extension: string[]; vendor?: string; model?: string; template?: string }): DeviceChanges {
  return {
    ...(opts.extension.length > 0 ? { extensions: opts.extension } : {}),
    // The service refuses an unknown vendor with the list of those there are.
    ...(opts.vendor !== undefined ? { vendor: opts.vendor as Vendor } : {}),
    ...(opts.model !== undefined ? { model: opts.model } : {}),
    ...(opts.template !== undefined ? { template: opts.template as Vendor } : {}),
  };
}

const said = (d: Device, what: string): string => `${what} ${formatMac(d.mac)} (${d.state}${d.extensions.length > 0 ? `: extensions ${d.extensions.join(', ')}` : ''})`;

export function provisionCommand(): Command {
  const provision = new Command('provision')
    .description('the phones hometel provisions: devices pending and enrolled, enrollment to extensions, resync, secrets')
    .addHelpText(
      'after',
      '\nA phone that asks hometel for its configuration (plug and play, HTTP or TFTP) is listed pending with what it said\n' +
        'about itself; enrolling it to an extension puts that extension\'s account in its file. Needs the config\'s\n' +
        '"provisioning" section (and "phones"). Works next to a running `hometel start` or without it.',
    );
  provision.addCommand(
    withStoreOptions(new Command('devices'))
      .description('the devices: MAC, state, vendor, model, firmware, extensions, last fetch and last notification')
      .action((opts: StoreOptions) =>
        withDevices(opts, ({ provisioning }) => {
          const all = provisioning.devices();
          if (opts.json) return { devices: all };
          const pending = all.filter((d) => d.state === 'pending').length;
          return [...all.map(line), `${plural(all.length, 'device')}, ${pending} pending`].join('\n');
        }),
      ),
  );
  provision.addCommand(
    withStoreOptions(new Command('add'))
      .description('add a device not seen yet, or change one; with --extension it is enrolled: hometel provision add 00:15:65:a1:b2:c3 --extension 21 --vendor yealink --model T46S')
      .argument('<mac>', macHelp)
      .option('--extension <number>', 'an extension it carries (repeat for more lines; the first is its first account)', collect, [])
      .option('--vendor <vendor>', vendorHelp)
      .option('--model <model>', 'its model, e.g. T46S')
      .option('--template <vendor>', `the template of its file (default: its vendor's): ${vendorHelp}`)
      .action((mac: string, opts: StoreOptions & { extension: string[]; vendor?: string; model?: string; template?: string }) =>
        withDevices(opts, ({ provisioning }) => {
          const d = provisioning.add(mac, changesOf(opts));
          return opts.json ? d : said(d, 'added');
        }),
      ),
  );
  provision.addCommand(
    withStoreOptions(new Command('enroll'))
      .description("enroll a device to extensions: its file then carries their accounts")
      .argument('<mac>', macHelp)
      .requiredOption('--extension <number>', 'an extension it carries (repeat for more lines)', collect)
      .option('--template <vendor>', `the template of its file (default: its vendor's): ${vendorHelp}`)
      .action((mac: string, opts: StoreOptions & { extension: string[]; template?: string }) =>
        withDevices(opts, ({ provisioning }) => {
          const d = provisioning.enroll(mac, opts.extension, opts.template as Vendor | undefined);
          return opts.json ? d : said(d, 'enrolled');
        }),
      ),
  );
  provision.addCommand(
    withStoreOptions(new Command('show'))
      .description('everything known about a device; --secret adds its provisioning secret and the URLs to point it at')
      .argument('<mac>', macHelp)
      .option('--secret', 'print its provisioning secret (secret path and HTTP Digest password) — the only place it is shown')
      .action((mac: string, opts: StoreOptions & { secret?: boolean }) =>
        withDevices(opts, (p) => {
          const m = parseMac(mac);
          if (m === undefined) throw new Error(`not a MAC address: ${JSON.stringify(mac)}`);
          const d = p.provisioning.device(m);
          if (!d) throw new Error(`no device ${formatMac(m)}`);
          const a = opts.secret ? access(p, d) : undefined;
          if (opts.json) return { device: d, ...(a ? { access: a } : {}) };
          return a ? `${details(d)}\n${accessText(a, provisioningUrls(p.config).http)}` : details(d);
        }),
      ),
  );
  provision.addCommand(
    withStoreOptions(new Command('resync'))
      .description('ask the running hometel to tell the phone to fetch its configuration again (check-sync)')
      .argument('<mac>', macHelp)
      .action((mac: string, opts: StoreOptions) =>
        withDevices(opts, ({ provisioning }) => {
          const d = provisioning.resync(mac);
          return opts.json ? d : `resync of ${formatMac(d.mac)} asked for: the running hometel sends it check-sync`;
        }),
      ),
  );
  provision.addCommand(
    withStoreOptions(new Command('rotate-secret'))
      .description('give a device a new provisioning secret: its old secret path and Digest password stop working')
      .argument('<mac>', macHelp)
      .action((mac: string, opts: StoreOptions) =>
        withDevices(opts, ({ provisioning }) => {
          const d = provisioning.rotateSecret(mac);
          return opts.json ? d : `${formatMac(d.mac)} has a new provisioning secret (generation ${d.secretGeneration}): hometel provision show ${formatMac(d.mac)} --secret`;
        }),
      ),
  );
  provision.addCommand(
    withStoreOptions(new Command('remove'))
      .description('forget a device (it is listed pending again when it asks for its configuration)')
      .argument('<mac>', macHelp)
      .action((mac: string, opts: StoreOptions) =>
        withDevices(opts, ({ provisioning }) => {
          provisioning.remove(mac);
          const removed = parseMac(mac)!;
          return opts.json ? { removed } : `removed device ${formatMac(removed)}`;
        }),
      ),
  );
  return provision;
}
