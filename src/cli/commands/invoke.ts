import { Command } from 'commander';
import { allDevices, findService, UpnpError, type RemoteService } from '../../upnp/index.js';
import { startControlPoint, timeoutMs, withControlPointOptions, type ControlPointCliOptions } from './control-point-options.js';
import { errorMessage } from '../../base/index.js';

function matchesService(s: RemoteService, name: string): boolean {
  return s.serviceId === name || s.serviceType === name || s.serviceId.split(':').pop() === name;
}

export function invokeCommand(): Command {
  return withControlPointOptions(
    new Command('invoke')
      .description('invoke an action of a service on a device: hometel invoke <udn> <service> <action> [name=value ...]')
      .argument('<udn>', 'UDN of the device (uuid:…), as `hometel discover` prints it')
      .argument('<service>', 'serviceId, service type, or the last part of the serviceId (e.g. SwitchPower)')
      .argument('<action>', 'action name')
      .argument('[args...]', 'in-arguments as name=value'),
  ).action(async (udn: string, serviceName: string, action: string, args: string[], opts: ControlPointCliOptions) => {
    const inArgs: Record<string, string> = {};
    for (const a of args) {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new Error(`argument ${JSON.stringify(a)} is not name=value`);
      inArgs[a.slice(0, eq)] = a.slice(eq + 1);
    }
    const cp = await startControlPoint(opts, udn);
    try {
      const root = await cp.waitForDevice((d) => allDevices(d).some((x) => x.udn === udn), timeoutMs(opts));
      const device = allDevices(root).find((x) => x.udn === udn)!;
      const service = findService(device, (s) => matchesService(s, serviceName));
      if (!service) throw new Error(`${udn} has no service ${serviceName}`);
      const out = await service.invoke(action, inArgs);
      if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
      else for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}=${String(v)}\n`);
    } catch (e) {
      process.exitCode = e instanceof UpnpError ? 2 : 1;
      if (opts.json) {
        const error = e instanceof UpnpError ? { code: e.errorCode, description: e.errorDescription } : { message: errorMessage(e) };
        process.stdout.write(JSON.stringify({ error }) + '\n');
      } else {
        process.stderr.write(`hometel invoke: ${errorMessage(e)}\n`);
      }
    } finally {
      await cp.stop();
    }
  });
}
