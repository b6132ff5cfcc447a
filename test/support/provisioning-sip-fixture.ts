/**
 * What `hometel start` will run for provisioning on the phones' SIP side, as a process of its own until
 * `startProvisioning` starts `startProvisioningSip` (the lead wires it; the tests then start hometel itself): the
 * registrar (startPhones), the phones' notifier (startPhoneLamps without lines or voicemail), the provisioning
 * service over the store, and startProvisioningSip — all from the config file given, as hometel would.
 * `node --import tsx test/support/provisioning-sip-fixture.ts <hometel.json>`; logs like hometel; stops on SIGTERM.
 */
import { createLogger, resolveInterface, systemClock } from '../../src/base/index.js';
import { loadConfig } from '../../src/app/config.js';
import { noMessages, startPhoneLamps } from '../../src/app/phone-lamps.js';
import { startPhones } from '../../src/app/phones.js';
import { startProvisioning } from '../../src/app/provisioning.js';
import { provisioningKeys } from '../../src/app/provisioning-keys.js';
import { startProvisioningSip } from '../../src/app/provisioning-sip.js';
import { Store } from '../../src/store/index.js';

const config = loadConfig(process.argv[2]);
const logger = createLogger({ level: 'debug' });
const clock = systemClock;
if (!config.phones || !config.provisioning) throw new Error('the fixture needs "phones" and "provisioning"');
const interfaces = config.interfaces.map(resolveInterface);
const store = Store.open(config.dataDir);
const keys = provisioningKeys(store, config.dataDir);
const phones = await startPhones({ config: config.phones, address: interfaces[0]!.address, store, clock, logger, vault: keys.passwords });
const registrar = config.phones.registrar;
const lamps = startPhoneLamps({
  side: phones.side,
  directory: phones.service,
  authenticator: phones.authenticator,
  messages: noMessages,
  dnd: { dnd: () => false, onChange: () => () => undefined },
  lines: [],
  homeNetworks: registrar.homeNetworks,
  minExpires: registrar.minExpires,
  maxExpires: registrar.maxExpires,
  logger,
});
const provisioning = await startProvisioning({ config: config.provisioning, store, keys, phones: phones.service, clock, logger });
const sip = await startProvisioningSip({
  config: config.provisioning,
  service: provisioning.service,
  side: phones.side,
  phones: phones.service,
  notifier: lamps.notifier,
  interfaces,
  webPort: config.web ? config.web.port : 8080,
  clock,
  logger,
});
logger.info('provisioning fixture running');
process.once('SIGTERM', () => {
  void (async () => {
    await sip.stop();
    lamps.stop();
    await provisioning.stop();
    await phones.stop();
    store.close();
    process.exit(0);
  })();
});
