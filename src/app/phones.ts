/**
 * The phones of the home (issue 14), wired: the phones' SIP side on the registrar's address and port, and the
 * parts that answer it. Runs only when the config has a `phones` section.
 */
import type { Clock, Logger } from '../base/index.js';
import { PhoneSide } from '../sip/pbx/index.js';
import type { Store } from '../store/index.js';
import type { PhonesConfig } from './config.js';
import { ringPhonesWithScreens, type PhoneRingingOptions } from './phone-ringing.js';
import { phonesOver } from './phones-admin.js';

export interface PhonesOptions {
  readonly config: PhonesConfig;
  /** hometel's address (the first interface's): the registrar's when the config names none. */
  readonly address: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Every line's Telephony Server: the phones ring with its screens. */
  readonly servers?: PhoneRingingOptions['servers'];
}

export interface RunningPhones {
  readonly side: PhoneSide;
  stop(): Promise<void>;
}

export async function startPhones(o: PhonesOptions): Promise<RunningPhones> {
  const { registrar } = o.config;
  const side = new PhoneSide({
    host: registrar.host ?? o.address,
    port: registrar.port,
    transports: registrar.transports,
    realm: registrar.realm,
    clock: o.clock,
    logger: o.logger.child('phones'),
  });
  await side.start();
  if (o.servers) ringPhonesWithScreens({ side, directory: phonesOver(o.store, registrar.realm, o.clock, o.logger), servers: o.servers, logger: o.logger });
  return {
    side,
    stop: () => side.stop(),
  };
}
