/** Loopback helpers shared by the tests. */
import { createSocket, type Socket } from 'node:dgram';
import { resolveInterface, type NetworkInterface } from '../../src/base/net.js';
import { createLogger, type Logger } from '../../src/base/logger.js';
import type { ControlPoint } from '../../src/upnp/index.js';

export const lo: NetworkInterface = resolveInterface('lo');

/** Test logs go to stderr only when HOMETEL_TEST_LOG is set (debug|info|warn). */
export function testLogger(component: string): Logger {
  const level = process.env.HOMETEL_TEST_LOG as 'debug' | 'info' | 'warn' | undefined;
  return createLogger({ level: level ?? 'silent', component });
}

/** Resolves when `pred` holds, polling; rejects after the timeout with `what`. */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the reason when the control point reports `udn` unavailable (other devices' byebyes are ignored). */
export function unavailable(cp: ControlPoint, udn: string): Promise<string> {
  return new Promise((resolve) => {
    const on = (u: string, reason: string): void => {
      if (u !== udn) return;
      cp.off('device-unavailable', on);
      resolve(reason);
    };
    cp.on('device-unavailable', on);
  });
}

/** A UDP socket on 127.0.0.1, any port. */
export async function loopbackUdp(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, lo.address, resolve));
  return s;
}

export function closeSocket(s: Socket): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}
