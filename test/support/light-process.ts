/**
 * Runs the test light in a process of its own, so tests can kill it with SIGKILL and start it
 * again: `tsx light-process.ts <udn> <httpPort> <bootId> [maxAge]`. Prints `READY <location>` when online.
 */
import { DeviceHost } from '../../src/upnp/index.js';
import { lightDevice } from './switch-power.js';
import { lo, testLogger } from './net.js';

const [udn, port, bootId, maxAge] = process.argv.slice(2);
const host = new DeviceHost({
  root: lightDevice(udn),
  interfaces: [lo],
  httpPort: Number(port ?? 0),
  bootId: Number(bootId ?? 1),
  maxAge: Number(maxAge ?? 1800),
  logger: testLogger('light-process'),
});
await host.start();
process.stdout.write(`READY ${host.locations[0]}\n`);
const stop = (): void => void host.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
