import { Command } from 'commander';
import { delay } from '../../base/index.js';
import { allDevices } from '../../upnp/index.js';
import { startControlPoint, timeoutMs, withControlPointOptions, type ControlPointCliOptions } from './control-point-options.js';

export function discoverCommand(): Command {
  return withControlPointOptions(
    new Command('discover')
      .description('list the UPnP devices and services that answer on the network')
      .option('--target <st>', 'search target (ssdp:all, a device or service type, uuid:…)', 'ssdp:all'),
  ).action(async (opts: ControlPointCliOptions & { target: string }) => {
    const cp = await startControlPoint(opts, opts.target);
    await delay(timeoutMs(opts));
    const devices = cp.devices;
    await cp.stop();
    if (opts.json) {
      const out = devices.map((root) => ({
        location: root.location,
        devices: allDevices(root).map((d) => ({
          udn: d.udn,
          deviceType: d.info.deviceType,
          friendlyName: d.info.friendlyName,
          services: d.services.map((s) => ({ serviceType: s.serviceType, serviceId: s.serviceId, actions: s.contract.actions.map((a) => a.name) })),
        })),
      }));
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return;
    }
    if (devices.length === 0) process.stdout.write('no devices found\n');
    for (const root of devices) {
      process.stdout.write(`${root.location}\n`);
      for (const d of allDevices(root)) {
        process.stdout.write(`  ${d.info.friendlyName}  ${d.info.deviceType}  ${d.udn}\n`);
        for (const s of d.services) process.stdout.write(`    ${s.serviceId}  ${s.serviceType}  actions: ${s.contract.actions.map((a) => a.name).join(', ')}\n`);
      }
    }
  });
}
