/**
 * Provisioning of the phones (issue 15), wired: the provisioning service over the store (device registry,
 * enrollment, secrets), and what serves it — the configuration files over HTTP (the web server) and TFTP, plug and
 * play, RFC 6080 subscriptions and check-sync on the phones' SIP side. Runs only when the config has a
 * `provisioning` section (and `phones`).
 */
import path from 'node:path';
import type { Clock, Logger, NetworkInterface } from '../base/index.js';
import type { PhonesService } from '../phones/index.js';
import { ProvisioningFiles, ProvisioningService, type PhonebookSource, type RegistrarContext } from '../provisioning/index.js';
import type { Notifier, PhoneSide } from '../sip/pbx/index.js';
import { SqliteDeviceRepository, Store } from '../store/index.js';
import type { HometelConfig, ProvisioningConfig } from './config/schema.js';
import { inNetworks } from './phone-lamps.js';
import { phonesOver, phonesRealm } from './phones-admin.js';
import { provisioningKeys, type ProvisioningKeys } from './provisioning-keys.js';
import { startProvisioningTftp } from './provisioning-tftp.js';
import { startProvisioningSip } from './provisioning-sip.js';

/** The provisioning service over a store; `phones` must be a phones service over the same store with the same vault. */
export function provisioningOver(store: Store, config: ProvisioningConfig, phones: PhonesService, keys: ProvisioningKeys, clock: Clock, logger: Logger): ProvisioningService {
  return new ProvisioningService({
    devices: new SqliteDeviceRepository(store),
    passwords: keys.passwords,
    keyring: keys.keyring,
    phones,
    ...(config.autoEnroll ? { autoEnroll: config.autoEnroll } : {}),
    clock,
    logger: logger.child('provisioning'),
  });
}

export interface OpenProvisioning {
  readonly provisioning: ProvisioningService;
  close(): void;
}

/** The devices in the config's store, for `hometel provision …` next to (or without) `hometel start`. */
export function openProvisioning(config: HometelConfig, clock: Clock, logger: Logger): OpenProvisioning {
  if (!config.provisioning) throw new Error('provisioning is off: add a "provisioning" section to the config (and "phones")');
  const store = Store.open(config.dataDir);
  const keys = provisioningKeys(store, config.dataDir);
  const phones = phonesOver(store, phonesRealm(config), clock, logger, keys.passwords);
  return { provisioning: provisioningOver(store, config.provisioning, phones, keys, clock, logger), close: () => store.close() };
}

export interface ProvisioningOptions {
  readonly config: ProvisioningConfig;
  readonly store: Store;
  readonly keys: ProvisioningKeys;
  /** The running registrar's phones service (built with `keys.passwords` as its vault). */
  readonly phones: PhonesService;
  readonly clock: Clock;
  readonly logger: Logger;
  /** What the configuration server needs to know of the rest of hometel. */
  readonly files: {
    /** The running registrar: the accounts' server in every file. */
    readonly registrar: RegistrarContext;
    /** Where phones may fetch from (the registrar's `homeNetworks`). */
    readonly homeNetworks: readonly string[];
    readonly dataDir: string;
    /** The home's phonebook (the contacts service's), named in the files of the phones that take one. */
    readonly phonebook?: PhonebookSource;
    /** Changes of the phonebook made in this process (another process's are seen by the watch's poll of the store). */
    readonly onPhonebookChange?: (listener: () => void) => () => void;
    /** The provisioning URL phones are told, ending in `/` (`provisioningUrls`: its port is the running web application's). */
    readonly baseUrl: () => string;
  };
  /** The running phones' SIP side, for plug and play, RFC 6080 subscriptions and check-sync. */
  readonly sip: {
    readonly side: PhoneSide;
    /** The phones' notifier (`RunningPhones.lamps.notifier`); without one, no RFC 6080 subscriptions. */
    readonly notifier?: Pick<Notifier, 'addPackage'>;
    /** The home interfaces (config `interfaces`, resolved): plug and play listens on these only. */
    readonly interfaces: readonly NetworkInterface[];
  };
}

export interface RunningProvisioning {
  readonly service: ProvisioningService;
  /** The configuration server: what HTTP (/provisioning/) and TFTP serve, previews and fingerprints. */
  readonly files: ProvisioningFiles;
  stop(): Promise<void>;
}

export async function startProvisioning(o: ProvisioningOptions): Promise<RunningProvisioning> {
  const service = provisioningOver(o.store, o.config, o.phones, o.keys, o.clock, o.logger);
  const files = new ProvisioningFiles({
    service,
    phones: o.phones,
    registrar: o.files.registrar,
    baseUrl: o.files.baseUrl,
    ...(o.files.phonebook ? { phonebook: o.files.phonebook } : {}),
    timeZone: o.config.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    templatesDir: o.config.templatesDir ?? path.join(o.files.dataDir, 'provisioning-templates'),
    fromHome: inNetworks(o.files.homeNetworks),
    clock: o.clock,
    logger: o.logger.child('provisioning-files'),
  });
  const stops: Array<() => Promise<void>> = [];
  try {
    // TFTP serves the same files as HTTP, on the registrar's address (phones are told that host by DHCP option 66).
    if (o.config.tftpPort !== false) stops.push(await startProvisioningTftp({ files, host: o.files.registrar.host, port: o.config.tftpPort, logger: o.logger.child('tftp'), clock: o.clock }));
    const sip = await startProvisioningSip({
      config: o.config,
      service,
      phones: o.phones,
      ...o.sip,
      profileUrl: (mac) => files.provisioningUrl(mac),
      fingerprint: (mac) => files.fingerprint(mac),
      clock: o.clock,
      logger: o.logger,
    });
    stops.push(() => sip.stop());
    const unwatch = o.files.onPhonebookChange?.(() => void sip.watch.look());
    if (unwatch) stops.push(() => Promise.resolve(unwatch()));
  } catch (e) {
    for (const stop of stops.reverse()) await stop();
    throw e;
  }
  return {
    service,
    files,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
