/**
 * hometel for the voicemail acceptance test, in a process of its own: `hometel start` as the CLI runs it, and every
 * incoming Call sent to voicemail as soon as it rings (CallManagementService.decide, as a screen's "voicemail" does) —
 * the way a Call reaches voicemail until the call-handling rules can send it there. The process prints and logs
 * what `hometel start` does, so the test support reads it the same way.
 *
 *   node --import tsx test/support/voicemail-hometel.ts <config.json>
 */
import { loadConfig, startHometel } from '../../src/app/index.js';
import { createLogger } from '../../src/base/index.js';

const config = loadConfig(process.argv[2]);
const logger = createLogger({ level: config.logLevel, component: 'hometel' });
const running = await startHometel(config, logger);
for (const service of running.callManagement.values()) {
  const decided = new Set<string>();
  service.onCallChange((call) => {
    if (call.direction !== 'incoming' || call.status !== 'Ringing' || decided.has(call.callID)) return;
    decided.add(call.callID);
    setImmediate(() => service.decide(call.callID, { action: 'voicemail' }, 'test'));
  });
}
logger.info('hometel running', { udn: running.udn, web: running.web?.url });
if (running.web) {
  process.stdout.write(`hometel web application: ${running.web.url}\n`);
  if (running.web.setupLink) process.stdout.write(`First start: open ${running.web.setupLink} to set the admin password (the link works once).\n`);
}
const stop = (signal: string): void => {
  logger.info('stopping', { signal });
  void running.stop().then(() => process.exit(0));
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
