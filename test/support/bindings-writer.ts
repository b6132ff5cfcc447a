/**
 * Stores a registrar binding through the real store and kills itself with SIGKILL the moment the write returns
 * (before the soft-state connection's WAL is synced): `tsx bindings-writer.ts <dataDir>`. Extension 21 must exist.
 */
import { SqliteBindingRepository, Store } from '../../src/store/index.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: bindings-writer.ts <dataDir>');
const store = Store.open(dataDir);
const now = Date.now();
new SqliteBindingRepository(store).replace('21', [
  { extension: '21', contact: 'sip:21@127.0.0.1:5062', expiresAt: now + 3_600_000, callId: 'reg-kill9', cseq: 7, source: { transport: 'udp', address: '127.0.0.1', port: 5062 }, registeredAt: now },
]);
process.kill(process.pid, 'SIGKILL');
