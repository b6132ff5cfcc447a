/** Network interface selection: hometel binds everything to the interfaces the user chose (default `lo`). */
import { networkInterfaces } from 'node:os';

export interface NetworkInterface {
  readonly name: string;
  readonly address: string;
  readonly netmask: string;
}

/** Resolve an interface name (`lo`, `eth0`) or an IPv4 address of this host to its IPv4 address. */
export function resolveInterface(spec: string): NetworkInterface {
  const all = networkInterfaces();
  for (const [name, addrs] of Object.entries(all)) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4') continue;
      if (name === spec || a.address === spec) return { name, address: a.address, netmask: a.netmask };
    }
  }
  throw new Error(`no IPv4 address on interface ${JSON.stringify(spec)}`);
}

function ipv4ToInt(addr: string): number | undefined {
  const parts = addr.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** True when `address` is on the same IPv4 subnet as the interface. */
export function onSubnet(address: string, iface: NetworkInterface): boolean {
  const a = ipv4ToInt(address.replace(/^::ffff:/, ''));
  const b = ipv4ToInt(iface.address);
  const m = ipv4ToInt(iface.netmask);
  if (a === undefined || b === undefined || m === undefined) return false;
  return (a & m) === (b & m);
}
