/**
 * The phones of the home (issue 14), wired: the phones' SIP side on the registrar's address and port, and the
 * parts that answer it. Runs only when the config has a `phones` section.
 */
import type { Clock, Logger } from '../base/index.js';
import type { PhonesService } from '../phones/index.js';
import { DigestAuthenticator, PhoneRegistrar, PhoneSide } from '../sip/pbx/index.js';
import type { Store } from '../store/index.js';
import type { PhonesConfig } from './config.js';
import { phonesOver } from './phones-admin.js';

export interface PhonesOptions {
  readonly config: PhonesConfig;
  /** hometel's address (the first interface's): the registrar's when the config names none. */
  readonly address: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RunningPhones {
  readonly side: PhoneSide;
  /** The phones service over the store (extensions, bindings, their events). */
  readonly service: PhonesService;
  /** The Digest check every part of the phones' side runs first. */
  readonly authenticator: DigestAuthenticator;
  stop(): Promise<void>;
}

export async function startPhones(o: PhonesOptions): Promise<RunningPhones> {
  const { registrar } = o.config;
  const logger = o.logger.child('phones');
  const side = new PhoneSide({
    host: registrar.host ?? o.address,
    port: registrar.port,
    transports: registrar.transports,
    realm: registrar.realm,
    clock: o.clock,
    logger,
  });
  const service = phonesOver(o.store, registrar.realm, o.clock, o.logger);
  const authenticator = new DigestAuthenticator({
    realm: registrar.realm,
    directory: service,
    clock: o.clock,
    algorithms: registrar.digestAlgorithms,
    logger: logger.child('auth'),
    describe: () => side.userAgent.describe('response'),
  });
  new PhoneRegistrar({ side, authenticator, phones: service, config: registrar, clock: o.clock, logger: logger.child('registrar') });
  await side.start();
  // Bindings stored before a restart are live again; those that expired meanwhile go now.
  const stopSweeping = service.startSweeping();
  return {
    side,
    service,
    authenticator,
    stop: async () => {
      stopSweeping();
      await side.stop();
    },
  };
}
