/**
 * Wires the web application (issue 11): the accounts service over the store, a Telephony Control Point of its own
 * with the home console on top (so it works with any Telephony Server on the network, hometel's or not), the
 * browsers' Telephony Clients, and the web server. On the first start it makes the one-time setup link.
 */
import type { AccountService } from '../accounts/index.js';
import type { ContactsService } from '../contacts/index.js';
import type { RuleBook } from '../callhandling/index.js';
import type { VoiceMailService } from '../voicemail/index.js';
import type { PhonesAdmin, PresenceSource } from '../phones/index.js';
import type { DeviceFiles, FileSource, ProvisioningService } from '../provisioning/index.js';
import { maxImportBytes } from './contacts.js';
import { resolveInterface, type Clock, type Logger, type NetworkInterface } from '../base/index.js';
import { HomeConsole } from '../console/index.js';
import { TelephonyControlPoint } from '../telephony/control/index.js';
import { createWebServer, type BrowserClientHost, type WebMetrics } from '../web/index.js';
import type { WebConfig } from './config.js';
import { setupLink } from './accounts.js';
import type { CallHandlingService } from '../callhandling/index.js';
import { consoleAnswerer } from './call-handling.js';

export interface WebAppOptions {
  readonly config: WebConfig;
  readonly accounts: AccountService;
  readonly contacts: ContactsService;
  /** The screening rules and DND for the HTTP API (issue 13). */
  readonly rules?: RuleBook;
  readonly voicemail?: VoiceMailService;
  /** The phones' extensions (issue 14), when the config has `phones`. */
  readonly phones?: PhonesAdmin;
  /** The presence of the home's phones (issue 14): GET /api/presence. */
  readonly presence?: PresenceSource;
  /** The phones' configuration files (issue 15): GET /provisioning/*. */
  readonly provisioningFiles?: FileSource;
  /** The provisioned devices (issue 15), when the config has `provisioning`; their file previews when rendered. */
  readonly provisioning?: ProvisioningService;
  readonly deviceFiles?: DeviceFiles;
  /** Where phones fetch their files, by the web port the web application listens on. */
  readonly provisioningUrls?: (webPort: number) => { readonly http?: string; readonly tftp?: string };
  /** Where the home's devices are found (hometel's interfaces). */
  readonly interfaces: readonly NetworkInterface[];
  readonly browserClients: BrowserClientHost;
  readonly metrics?: WebMetrics;
  /** The home's call handling: its routes, its events, the web pages as screens, and answering on a TC. */
  readonly callHandling?: { readonly service: CallHandlingService; readonly lineUdn: (line: string) => string };
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RunningWebApp {
  /** http://address:port/ */
  readonly url: string;
  /** The one-time link that sets the admin password (first start only). */
  readonly setupLink?: string;
  /** The home console (its own subscriptions do not make a screen online). */
  readonly console: HomeConsole;
  stop(): Promise<void>;
}

export async function startWebApp(o: WebAppOptions): Promise<RunningWebApp> {
  const logger = o.logger.child('web');
  const telcp = new TelephonyControlPoint({ logger: logger.child('telcp'), interfaces: o.interfaces, clock: o.clock });
  const home = new HomeConsole({ telcp, telCPName: o.config.telCPName, clock: o.clock, logger: logger.child('console') });
  const server = await createWebServer({
    accounts: o.accounts,
    contacts: o.contacts,
    ...(o.rules ? { rules: o.rules } : {}),
    ...(o.voicemail ? { voicemail: o.voicemail } : {}),
    ...(o.phones ? { phones: o.phones } : {}),
    ...(o.presence ? { presence: o.presence } : {}),
    ...(o.provisioningFiles ? { provisioningFiles: o.provisioningFiles } : {}),
    ...(o.provisioning ? { provisioning: o.provisioning } : {}),
    ...(o.deviceFiles ? { deviceFiles: o.deviceFiles } : {}),
    ...(o.provisioningUrls ? { provisioningUrls: o.provisioningUrls } : {}),
    maxImportBytes,
    console: home,
    browserClients: o.browserClients,
    clock: o.clock,
    logger,
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(o.callHandling ? { callHandling: o.callHandling.service } : {}),
  });
  const handling = o.callHandling;
  const unscreen = handling?.service.addLivenessSource({ name: 'web', online: () => server.sessions() });
  handling?.service.setTcAnswerer(consoleAnswerer(home, handling.lineUdn));
  const stop = async (): Promise<void> => {
    unscreen?.();
    handling?.service.setTcAnswerer(undefined);
    await server.close();
    await home.stop();
  };
  try {
    const address = await server.listen(resolveInterface(o.config.interface).address, o.config.port);
    const url = `${address.replace(/\/$/, '')}/`;
    await home.start();
    const token = o.accounts.issueSetupToken();
    return { url, ...(token !== undefined ? { setupLink: setupLink(url, token) } : {}), console: home, stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
