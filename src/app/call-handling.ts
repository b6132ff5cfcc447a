/**
 * Wires the home's call handling (issue 13): one CallHandlingService over every line's Telephony Server (each line
 * adds itself when its TS device is made, together with its CallHandling:1 service), the address book as the
 * caller classifier, the rule book, the records in the store, and the liveness sources — TelCPs other than the web
 * console subscribed to a line's CallManagement, and the web pages connected.
 */
import type { Clock, Logger, TimerHandle } from '../base/index.js';
import { CallHandlingService, type RuleBook } from '../callhandling/index.js';
import { addressKey, type ContactsService } from '../contacts/index.js';
import type { HomeConsole } from '../console/index.js';
import { SqliteCallRecordRepository, type Store } from '../store/index.js';
import { CallHandlingUpnpService } from '../telephony/callhandling/index.js';
import { callManagementServiceId } from '../telephony/contracts/index.js';
import type { ServiceImplementation } from '../upnp/index.js';
import type { HometelConfig } from './config.js';
import type { TelephonyServerOptions } from './telephony-server.js';

type LineServiceFactory = NonNullable<TelephonyServerOptions['lineServices']>[number];

export interface HomeCallHandling {
  readonly service: CallHandlingService;
  /** Pushed onto the lines' vendor services: adds the line and gives its TS device the CallHandling:1 service. */
  readonly lineService: LineServiceFactory;
  close(): void;
}

export function createCallHandling(o: { config: HometelConfig; store: Store; contacts: ContactsService; rules: RuleBook; clock: Clock; logger: Logger }): HomeCallHandling {
  const numberKey = (a: string): string | undefined => addressKey(a, o.config.numberPlan);
  const { noResponse, nobodyHome, activation } = o.config.callHandling;
  const service = new CallHandlingService({
    rules: o.rules,
    classify: (address) => {
      if (address === undefined) return { address, anonymous: true, known: false, vip: false, blocked: false, groups: [] };
      const c = o.contacts.classify(address);
      return { address, anonymous: false, known: c.known, vip: c.vip, blocked: c.blocked, groups: c.groups, ...(c.name !== undefined ? { name: c.name } : {}) };
    },
    numberKey,
    records: new SqliteCallRecordRepository(o.store),
    profile: { noResponse, nobodyHome },
    activation,
    clock: o.clock,
    logger: o.logger.child('callhandling'),
  });
  // The CLI changes rules and DND in the store from another process: noticed within a second.
  let refresh: TimerHandle | undefined;
  const poll = (): void => {
    refresh = o.clock.setTimer(1000, () => {
      o.rules.refreshIfChanged();
      poll();
    });
  };
  poll();
  const made: CallHandlingUpnpService[] = [];
  const lineService: LineServiceFactory = (ts): ServiceImplementation => {
    service.addLine({ name: ts.lineName, control: ts.service });
    const upnp = new CallHandlingUpnpService({ lineName: ts.lineName, handling: service, registry: ts.registry });
    made.push(upnp);
    return upnp;
  };
  return {
    service,
    lineService,
    close: () => {
      refresh?.cancel();
      for (const s of made) s.close();
      service.close();
    },
  };
}

/** A device host's GENA subscriptions, as the liveness port reads them (DeviceHost has this shape). */
export interface SubscriptionCounter {
  subscriberCount(udn: string, serviceId: string): number;
}

/**
 * Screens online through UPnP: the control points subscribed to each line's CallManagement, less the web console's
 * own subscription on each line it follows (the web pages count on their own).
 */
export function genaLiveness(host: SubscriptionCounter, lineUdns: readonly string[], console: () => HomeConsole | undefined) {
  return {
    name: 'upnp',
    online: (): number => {
      const followed = new Set((console()?.home().lines ?? []).filter((l) => l.telCPName !== undefined).map((l) => l.udn));
      return lineUdns.reduce((n, udn) => n + Math.max(0, host.subscriberCount(udn, callManagementServiceId) - (followed.has(udn) ? 1 : 0)), 0);
    },
  };
}

/** Answers on a Telephony Client named by friendly name or UDN, through the web console's answer-on-TC flow. */
export function consoleAnswerer(console: HomeConsole, lineUdn: (line: string) => string) {
  return (line: string, callID: string, tc: string, by: string): void => {
    const client = console.home().clients.find((c) => c.udn === tc || c.friendlyName === tc);
    console.answer(lineUdn(line), callID, client?.udn ?? tc, { label: by });
  };
}
