/**
 * The HTTP server of a device host or a control point's event callback, on one interface address.
 * Node's own HTTP parser does the parsing; this wrapper adds what UPnP needs around it: bodies read
 * with a hard size limit, time limits on slow clients, and M-POST (UDA 1.0 3.2.1), which Node's
 * parser does not know — the method is rewritten to POST before the parser sees the first request
 * of a connection, and such connections are closed after their response.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { release, type } from 'node:os';
import { errorDetail, type Logger } from '../../base/index.js';

export interface HttpRequest {
  readonly method: string;
  /** Path and query of the request target. */
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  readonly remoteAddress: string;
  /** True when the request arrived as M-POST (mandatory-extension POST). */
  readonly mandatoryExtension: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface HttpServerOptions {
  readonly address: string;
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly serverHeader: string;
  readonly logger: Logger;
}

export const defaultMaxBodyBytes = 1024 * 1024;

/** The SERVER / USER-AGENT value UDA 1.0 asks for: `OS/version UPnP/1.0 product/version`. */
export function serverHeader(product = 'hometel/0.1'): string {
  return `${type()}/${release()} UPnP/1.0 ${product}`;
}

export class HttpServer {
  private readonly net: NetServer;
  private readonly sockets = new Set<Socket>();
  private readonly mPostSockets = new WeakSet<Socket>();
  private port = 0;

  constructor(
    private readonly opts: HttpServerOptions,
    private readonly handler: HttpHandler,
  ) {
    const http = createHttpServer({ requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) =>
      void this.serve(req, res),
    );
    http.on('clientError', (err, socket) => {
      this.opts.logger.debug('bad HTTP request', { error: err.message });
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    this.net = createNetServer({ pauseOnConnect: true }, (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.setTimeout(30_000, () => socket.destroy());
      this.sniffMethod(socket, () => http.emit('connection', socket));
    });
  }

  /**
   * Reads until the request line either starts with "M-POST " or cannot (TCP may split it anywhere),
   * rewrites M-POST to POST, and hands everything read back to the socket for Node's parser.
   */
  private sniffMethod(socket: Socket, ready: () => void): void {
    const mPost = Buffer.from('M-POST ');
    let seen = Buffer.alloc(0);
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, mPost.length);
      const couldBe = seen.subarray(0, n).equals(mPost.subarray(0, n));
      if (couldBe && seen.length < mPost.length) return; // wait for more bytes
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      if (couldBe) {
        this.mPostSockets.add(socket);
        seen = Buffer.concat([Buffer.from('POST '), seen.subarray(mPost.length)]);
      }
      if (seen.length) socket.unshift(seen);
      ready();
    };
    const onEnd = (): void => {
      socket.destroy();
    };
    socket.on('readable', onReadable);
    socket.on('end', onEnd);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen(this.opts.port ?? 0, this.opts.address, () => {
        this.net.off('error', reject);
        resolve();
      });
    });
    this.port = (this.net.address() as AddressInfo).port;
  }

  get baseUrl(): string {
    return `http://${this.opts.address}:${this.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.net.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const limit = this.opts.maxBodyBytes ?? defaultMaxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      this.opts.logger.warn('request body too large', { from: req.socket.remoteAddress, bytes: declared });
      return this.reply(res, { status: 413 }, true);
    }
    let body: string;
    try {
      body = await readBody(req, limit);
    } catch {
      this.opts.logger.warn('request body too large or broken', { from: req.socket.remoteAddress });
      return this.reply(res, { status: 413 }, true);
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const request: HttpRequest = {
      method: req.method ?? '',
      path: req.url ?? '/',
      headers,
      body,
      remoteAddress: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      mandatoryExtension: this.mPostSockets.has(req.socket),
    };
    let response: HttpResponse;
    try {
      response = await this.handler(request);
    } catch (e) {
      this.opts.logger.error('HTTP handler failed', { path: request.path, error: errorDetail(e) });
      response = { status: 500 };
    }
    this.reply(res, response, request.mandatoryExtension);
  }

  private reply(res: ServerResponse, r: HttpResponse, close: boolean): void {
    const body = Buffer.from(r.body ?? '', 'utf8');
    const headers: Array<[string, string]> = [...(r.headers ?? [])].map(([n, v]) => [n, v]);
    const has = (n: string): boolean => headers.some(([h]) => h.toLowerCase() === n);
    if (!has('date')) headers.push(['DATE', new Date().toUTCString()]);
    if (!has('server')) headers.push(['SERVER', this.opts.serverHeader]);
    headers.push(['CONTENT-LENGTH', String(body.length)]);
    if (close) headers.push(['CONNECTION', 'close']);
    res.writeHead(r.status, headers.flat());
    res.end(body);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Error('body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
