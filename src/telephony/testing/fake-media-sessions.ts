/**
 * An in-memory media endpoint for tests: it implements MediaSessionPort without sockets. Each session gets its
 * own even ports (RTP, with RTCP above) from a counter; the answer is the capabilities SDP with those ports,
 * restricted to the negotiated media (restrictSdp). Tests can make the next open/modify fail, delay every
 * operation, end a session as the endpoint would, and see what is open (nothing may leak).
 */
import { restrictSdp } from '../../media/sdp/index.js';
import {
  MediaSessionError,
  type MediaSessionFailure,
  type MediaSessionListener,
  type MediaSessionOffer,
  type MediaSessionPort,
} from '../domain/index.js';

/** The Telephony Client of the spec's examples (C.12 F2) on `address`: G.711 audio, MPEG-4 and H.264 video. */
export function defaultTcCapabilities(address = '127.0.0.1'): string {
  return (
    `v=0\r\no=- 0 0 IN IP4 ${address}\r\ns=-\r\nc=IN IP4 ${address}\r\nt=0 0\r\n` +
    'm=audio 11021 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n' +
    'a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n' +
    'm=video 12021 RTP/AVP 96 97\r\nb=AS:2500\r\na=rtpmap:96 MP4V-ES/90000\r\na=rtpmap:97 H264/90000\r\na=framerate:30\r\n'
  );
}

export type FakeMediaCall =
  | { readonly kind: 'open' | 'modify'; readonly offer: MediaSessionOffer; readonly answer?: string; readonly failure?: MediaSessionFailure }
  | { readonly kind: 'close'; readonly id: string };

export interface FakeMediaSessionsOptions {
  /** The SDP capabilities() returns (default: defaultTcCapabilities()). */
  readonly capabilities?: string;
  /** First port handed out (default 50000); each media description of a session takes the next even port. */
  readonly basePort?: number;
  /** Sessions the fake can hold; one more open() fails with no-resources. */
  readonly maxSessions?: number;
  /** Every open/modify/close resolves after this long (default: at once, on the next microtask). */
  readonly delayMs?: number;
}

interface FakeSession {
  offer: MediaSessionOffer;
  answer: string;
  ports: number[];
}

export class FakeMediaSessions implements MediaSessionPort {
  /** Every call, in order, with its outcome. */
  readonly calls: FakeMediaCall[] = [];
  private listener?: MediaSessionListener;
  private caps: string;
  private readonly sessions = new Map<string, FakeSession>();
  private nextPort: number;
  private failures: Array<{ on: 'open' | 'modify'; failure: MediaSessionFailure | 'throw' | 'bad-answer' }> = [];

  constructor(private readonly opts: FakeMediaSessionsOptions = {}) {
    this.caps = opts.capabilities ?? defaultTcCapabilities();
    this.nextPort = opts.basePort ?? 50000;
  }

  capabilities(): string {
    return this.caps;
  }

  setCapabilities(sdp: string): void {
    this.caps = sdp;
  }

  setListener(listener: MediaSessionListener): void {
    this.listener = listener;
  }

  /**
   * The next open() or modify() fails this way: a MediaSessionError, a plain Error (`throw`), or an answer
   * with media the offer did not have (`bad-answer`).
   */
  failNext(on: 'open' | 'modify', failure: MediaSessionFailure | 'throw' | 'bad-answer'): void {
    this.failures.push({ on, failure });
  }

  /** The endpoint ends a session on its own (as a failed socket would). */
  end(id: string, reason = 'socket closed'): void {
    if (!this.sessions.delete(id)) return;
    this.listener?.ended(id, reason);
  }

  /** The ids of the sessions open now. */
  openSessions(): string[] {
    return [...this.sessions.keys()];
  }

  session(id: string): { offer: MediaSessionOffer; answer: string; ports: readonly number[] } | undefined {
    return this.sessions.get(id);
  }

  async open(offer: MediaSessionOffer): Promise<string> {
    await this.wait();
    const failed = this.failure('open', offer);
    if (failed !== undefined) return failed;
    if (this.sessions.has(offer.id)) throw new MediaSessionError('failed', `session ${offer.id} is already open`);
    if (this.opts.maxSessions !== undefined && this.sessions.size >= this.opts.maxSessions) {
      this.calls.push({ kind: 'open', offer, failure: 'no-resources' });
      throw new MediaSessionError('no-resources', 'no ports left');
    }
    return this.answered('open', offer, offer.media.map(() => this.allocate()));
  }

  async modify(offer: MediaSessionOffer): Promise<string> {
    await this.wait();
    const failed = this.failure('modify', offer);
    if (failed !== undefined) return failed;
    const s = this.sessions.get(offer.id);
    if (!s) throw new MediaSessionError('failed', `no session ${offer.id}`);
    // Streams keep their ports by media type; a new media type gets a new port.
    const ports = offer.media.map((m) => {
      const i = s.offer.media.findIndex((old) => old.type === m.type);
      return i >= 0 && s.ports[i] !== undefined ? s.ports[i] : this.allocate();
    });
    return this.answered('modify', offer, ports);
  }

  /** Answers an open or a modify on these ports and records the session and the call. */
  private answered(kind: 'open' | 'modify', offer: MediaSessionOffer, ports: number[]): string {
    const answer = this.answer(offer, ports);
    this.sessions.set(offer.id, { offer, answer, ports });
    this.calls.push({ kind, offer, answer });
    return answer;
  }

  async close(id: string): Promise<void> {
    await this.wait();
    this.sessions.delete(id);
    this.calls.push({ kind: 'close', id });
  }

  private allocate(): number {
    const p = this.nextPort;
    this.nextPort += 2;
    return p;
  }

  private async wait(): Promise<void> {
    if (this.opts.delayMs) await new Promise((r) => setTimeout(r, this.opts.delayMs));
  }

  /** Applies a failure set up with failNext(); a string is a (bad) answer to return. */
  private failure(on: 'open' | 'modify', offer: MediaSessionOffer): string | undefined {
    const i = this.failures.findIndex((f) => f.on === on);
    if (i < 0) return undefined;
    const { failure } = this.failures.splice(i, 1)[0]!;
    if (failure === 'bad-answer') {
      const answer = `v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=text ${this.allocate()} RTP/AVP 98\r\na=rtpmap:98 t140/1000\r\n`;
      if (on === 'open') this.sessions.set(offer.id, { offer, answer, ports: [] });
      this.calls.push({ kind: on, offer, answer });
      return answer;
    }
    if (failure === 'throw') {
      this.calls.push({ kind: on, offer, failure: 'failed' });
      throw new Error('fake endpoint exploded');
    }
    this.calls.push({ kind: on, offer, failure });
    throw new MediaSessionError(failure, `fake ${failure}`);
  }

  /** The capabilities SDP with these ports on the negotiated media, restricted to them. */
  private answer(offer: MediaSessionOffer, ports: number[]): string {
    const used = new Map<string, number>();
    offer.media.forEach((m, i) => used.set(m.type, ports[i]!));
    const withPorts = this.caps.replace(/^m=(\S+) \d+/gm, (line: string, type: string) => {
      const port = used.get(type.toLowerCase());
      return port === undefined ? line : `m=${type} ${port}`;
    });
    const sdp = restrictSdp(withPorts, [...offer.media]);
    if (!sdp.ok) throw new MediaSessionError('failed', sdp.reason);
    return sdp.value;
  }
}
