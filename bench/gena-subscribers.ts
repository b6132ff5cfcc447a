/**
 * GENA subscribers for the event benchmarks: raw HTTP callback servers, 25 subscribers per loopback address from
 * 127.0.0.10 (as a home's devices would be, so hometel's per-address subscription cap does not apply), each
 * subscribed to one event URL with its own callback path /s/<i>.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bareRequest } from './load-driver.js';

const PER_ADDRESS = 25;

export interface Subscribers {
  /** Closes every callback server (and its connections). */
  close(): Promise<void>;
}

/**
 * `n` subscribers of `eventSubUrl`; `onNotify` serves every request their callback servers get. Resolves 500 ms
 * after the last SUBSCRIBE was accepted, the initial events out of the way; throws (servers closed) when one is not.
 */
export async function subscribeMany(eventSubUrl: string, n: number, onNotify: RequestListener): Promise<Subscribers> {
  const servers: Server[] = [];
  const close = async (): Promise<void> => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  };
  try {
    const callbacks: Array<{ url: string; address: string }> = [];
    for (let i = 0; i < n; i++) {
      const address = `127.0.0.${10 + Math.floor(i / PER_ADDRESS)}`;
      let server = servers[Math.floor(i / PER_ADDRESS)];
      if (!server) {
        const s = createServer(onNotify);
        await new Promise<void>((r) => s.listen(0, address, r));
        servers.push(s);
        server = s;
      }
      callbacks.push({ url: `http://${address}:${(server.address() as AddressInfo).port}/s/${i}`, address });
    }
    for (const cb of callbacks) {
      const { status } = await bareRequest('SUBSCRIBE', eventSubUrl, { CALLBACK: `<${cb.url}>`, NT: 'upnp:event', TIMEOUT: 'Second-600' }, '', cb.address);
      if (status !== 200) throw new Error(`SUBSCRIBE from ${cb.address} to ${eventSubUrl} answered ${status}`);
    }
    await new Promise((r) => setTimeout(r, 500)); // initial events out of the way
  } catch (e) {
    await close();
    throw e;
  }
  return { close };
}
