/**
 * Writes CallManagement state through the real store and then waits to be killed:
 * `tsx callmanagement-writer.ts <dataDir>`. Registers the TelCPNames "TV@Living" (Expires 3600 s)
 * and "Short@Lived" (Expires 1 s), appends one call log entry and registers one call-back, then
 * prints `WRITTEN <json>` (the Secret Keys and the call-back ID) and idles. Nothing is closed: the
 * test kills it with SIGKILL as soon as the line appears.
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../src/base/clock.js';
import { SqliteCallBackRepository, SqliteCallLogRepository, SqliteTelCPNameRepository, Store } from '../../src/store/index.js';
import { TelCPRegistry } from '../../src/telephony/domain/telcp-registry.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: callmanagement-writer.ts <dataDir>');
const store = Store.open(dataDir);
const registry = new TelCPRegistry({ repository: new SqliteTelCPNameRepository(store), clock: systemClock });
const tv = registry.register('TV@Living', '', 3600);
const short = registry.register('Short@Lived', '', 1);
new SqliteCallLogRepository(store).append({
  callID: 'call101',
  direction: 'outgoing',
  success: true,
  type: 'audio',
  caller: { id: 'sip:home@example.com', name: 'Home' },
  callee: { id: 'tel:0774940201' },
  startTime: new Date(systemClock.now() - 60_000).toISOString(),
  durationMs: 42_000,
});
const callBack = new SqliteCallBackRepository(store).register({
  callbackID: randomUUID(),
  calleeID: 'tel:0774940201',
  registeredAt: new Date(systemClock.now()).toISOString(),
});
process.stdout.write(`WRITTEN ${JSON.stringify({ tvKey: tv.secretKey, shortKey: short.secretKey, callbackID: callBack.callbackID })}\n`);
setInterval(() => undefined, 60_000);
