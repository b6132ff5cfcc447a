/**
 * "Use this browser for calls": the hub hosts a TelephonyClient:1 device for an open page (the host, a port the
 * composition implements, makes the device and its WebRTC media); this side carries the WebRTC signalling over
 * the page's event stream — an offer goes out as a `webrtc-offer` event, the page's answer comes back through the
 * API — and removes the device when the page's stream closes (the page closed, or its connection was lost).
 */
import type { Logger } from '../base/index.js';
import type { HomeView } from '../console/index.js';
import type { EventStreams } from './event-stream.js';

/** How the hub's WebRTC media reaches the page (the media/webrtc module's signalling port has this shape). */
export interface BrowserSignal {
  /** Sends the page an SDP offer for a Media Session; resolves with the page's answer. */
  offer(sessionId: string, sdp: string): Promise<string>;
  /** The Media Session ended on the hub's side. */
  closed(sessionId: string): void;
}

export interface HostedBrowserClient {
  readonly udn: string;
  /** Byebye, every Media Session closed. */
  remove(): Promise<void>;
}

/** The composition's side: hosts (and removes) a Telephony Client device whose media is WebRTC to one page. */
export interface BrowserClientHost {
  add(friendlyName: string, signal: BrowserSignal): Promise<HostedBrowserClient>;
}

interface Pending {
  resolve(sdp: string): void;
  reject(e: Error): void;
}

interface Hosted {
  readonly client: HostedBrowserClient;
  readonly friendlyName: string;
  readonly stream: string;
}

export class BrowserClients {
  private readonly byUdn = new Map<string, Hosted>();
  private readonly byStream = new Map<string, string>();
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly host: BrowserClientHost,
    private readonly streams: EventStreams,
    private readonly logger: Logger,
    /** A browser's client came or went (the console may have seen the device before it was known as a browser). */
    private readonly changed: () => void,
  ) {}

  /** The console's view with each client this hub hosts for a browser marked as one (the console knows no browsers). */
  mark(h: HomeView): HomeView {
    return { ...h, clients: h.clients.map((c) => (this.byUdn.has(c.udn) ? { ...c, browser: true } : c)) };
  }

  /** Makes the page of `stream` a Telephony Client (one per page: a second call returns the first). */
  async enable(stream: string, friendlyName: string): Promise<{ udn: string; friendlyName: string }> {
    const existing = this.byStream.get(stream);
    if (existing !== undefined) return { udn: existing, friendlyName: this.byUdn.get(existing)!.friendlyName };
    if (!this.streams.has(stream)) throw new Error('no such event stream: open /api/events first');
    let udn = '';
    const signal: BrowserSignal = {
      offer: (sessionId, sdp) =>
        new Promise<string>((resolve, reject) => {
          const key = `${udn} ${sessionId}`;
          this.pending.set(key, { resolve, reject });
          if (!this.streams.send(stream, { type: 'webrtc-offer', client: udn, session: sessionId, sdp })) {
            this.pending.delete(key);
            reject(new Error('the page is gone'));
          }
        }),
      closed: (sessionId) => {
        this.settle(`${udn} ${sessionId}`, new Error('the session ended'));
        this.streams.send(stream, { type: 'webrtc-close', client: udn, session: sessionId });
      },
    };
    const client = await this.host.add(friendlyName, signal);
    udn = client.udn;
    this.byUdn.set(udn, { client, friendlyName, stream });
    this.byStream.set(stream, udn);
    this.logger.info('browser telephony client added', { udn, name: friendlyName });
    this.changed();
    this.streams.onClose(stream, () => void this.remove(udn));
    return { udn, friendlyName };
  }

  /** The page's answer to an offer; false when no offer waits for it. */
  answer(udn: string, sessionId: string, sdp: string): boolean {
    const key = `${udn} ${sessionId}`;
    const p = this.pending.get(key);
    if (!p) return false;
    this.pending.delete(key);
    p.resolve(sdp);
    return true;
  }

  async remove(udn: string): Promise<void> {
    const h = this.byUdn.get(udn);
    if (!h) return;
    this.byUdn.delete(udn);
    this.byStream.delete(h.stream);
    for (const key of [...this.pending.keys()]) if (key.startsWith(`${udn} `)) this.settle(key, new Error('the page is gone'));
    await h.client.remove();
    this.logger.info('browser telephony client removed', { udn, name: h.friendlyName });
    this.changed();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byUdn.keys()].map((u) => this.remove(u)));
  }

  private settle(key: string, e: Error): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    p.reject(e);
  }
}
