/** Outgoing HTTP for UPnP: description fetches, SOAP calls, SUBSCRIBE and NOTIFY, with size and time limits. */
import { Agent, request } from 'node:http';
import { UpnpTransportError } from '../model/upnp-error.js';
import { HometelError } from '../../base/index.js';

export interface ClientRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs?: number;
  readonly maxBodyBytes?: number;
  readonly signal?: AbortSignal;
  /** Bind the outgoing connection to this local address (the interface the request belongs to). */
  readonly localAddress?: string;
}

export interface ClientResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** Connections are kept alive: control points call the same device over and over. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * A kept-alive connection may have been closed by the peer just before we reuse it (a device that
 * restarted): such a request never reached the server, so it is sent once more on a new connection.
 */
export async function httpRequest(req: ClientRequest): Promise<ClientResponse> {
  try {
    return await send(req);
  } catch (e) {
    if (e instanceof StaleSocketError) return send(req);
    throw e;
  }
}

/** A kept-alive socket the server had closed; the request is sent again on a new one. */
class StaleSocketError extends HometelError {
  readonly code = 'http.stale-socket';
}

function send(req: ClientRequest): Promise<ClientResponse> {
  const maxBody = req.maxBodyBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new UpnpTransportError(`bad URL ${req.url}`));
      return;
    }
    if (url.protocol !== 'http:') {
      reject(new UpnpTransportError(`unsupported URL ${req.url}`));
      return;
    }
    const body = req.body !== undefined ? Buffer.from(req.body, 'utf8') : undefined;
    const r = request(
      {
        method: req.method,
        host: url.hostname,
        port: url.port || 80,
        path: url.pathname + url.search,
        agent,
        headers: { ...req.headers, ...(body ? { 'CONTENT-LENGTH': String(body.length) } : {}) },
        timeout: req.timeoutMs ?? 10_000,
        ...(req.signal ? { signal: req.signal } : {}),
        ...(req.localAddress ? { localAddress: req.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBody) {
            res.destroy();
            reject(new UpnpTransportError(`response from ${req.url} larger than ${maxBody} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => reject(new UpnpTransportError(e.message)));
      },
    );
    r.on('timeout', () => r.destroy(new UpnpTransportError(`${req.method} ${req.url} timed out`)));
    r.on('error', (e: NodeJS.ErrnoException) => {
      if (r.reusedSocket && (e.code === 'ECONNRESET' || e.message === 'socket hang up')) reject(new StaleSocketError(e.message));
      else reject(e instanceof UpnpTransportError ? e : new UpnpTransportError(`${req.method} ${req.url}: ${e.message}`));
    });
    r.end(body);
  });
}
