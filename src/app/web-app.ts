/**
 * Wires the web application (issue 11): the accounts service over the store, a Telephony Control Point of its own
 * with the home console on top (so it works with any Telephony Server on the network, hometel's or not), the
 * browsers' Telephony Clients, and the web server. On the first start it makes the one-time setup link.
 */
import type { AccountService } from '../accounts/index.js';
import type { ContactsService } from '../contacts/index.js';
import type { RuleBook } from '../callhandling/index.js';
import type { VoiceMailService } from '../voicemail/index.js';
import { maxImportBytes } from './contacts.js';
import { resolveInterface, type Clock, type Logger, type NetworkInterface } from '../base/index.js';
import { HomeConsole } from '../console/index.js';
import { TelephonyControlPoint } from '../telephony/control/index.js';
import { createWebServer, type BrowserClientHost, type WebMetrics } from '../web/index.js';
import type { WebConfig } from './config.js';
import { setupLink } from './accounts.js';

export interface WebAppOptions {
  readonly config: WebConfig;
  readonly accounts: AccountService;
  readonly contacts: ContactsService;
  /** The screening rules and DND for the HTTP API (issue 13). */
  readonly rules?: RuleBook;
  readonly voicemail?: VoiceMailService;
  /** Where the home's devices are found (hometel's interfaces). */
  readonly interfaces: readonly NetworkInterface[];
  readonly browserClients: BrowserClientHost;
  readonly metrics?: WebMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RunningWebApp {
  /** http://address:port/ */
  readonly url: string;
  /** The one-time link that sets the admin password (first start only). */
  readonly setupLink?: string;
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
    maxImportBytes,
    console: home,
    browserClients: o.browserClients,
    clock: o.clock,
    logger,
    ...(o.metrics ? { metrics: o.metrics } : {}),
  });
  const stop = async (): Promise<void> => {
    await server.close();
    await home.stop();
  };
  try {
    const address = await server.listen(resolveInterface(o.config.interface).address, o.config.port);
    const url = `${address.replace(/\/$/, '')}/`;
    await home.start();
    const token = o.accounts.issueSetupToken();
    return { url, ...(token !== undefined ? { setupLink: setupLink(url, token) } : {}), stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
