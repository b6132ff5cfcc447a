/**
 * A raw SIP REGISTER client over one UDP socket on a chosen loopback address (127.0.0.x: each test "device" has an
 * address of its own, as phones in a home do): sends hand-made REGISTERs, matches responses by branch, answers a
 * 401 with Digest (RFC 3261 22.2) when asked, and can fire a bounded flood. Used by the registrar's integration
 * test and the REGISTER benchmark.
 */
import { createSocket, type Socket } from 'node:dgram';
import {
  digestAuthorization,
  generateBranch,
  generateCallId,
  generateTag,
  parseChallenge,
  parseSipMessage,
  request as sipRequest,
  serializeSipMessage,
  type DigestChallenge,
  type SipResponse,
} from '../../src/sip/index.js';

export interface RegisterTarget {
  readonly host: string;
  readonly port: number;
  /** The registrar's domain (Request-URI and address of record host). */
  readonly domain: string;
}

export interface RegisterOptions {
  /** The extension (From/To user, Digest username). */
  readonly user: string;
  /** The address of record's user when it is not `user` (another extension's AoR). */
  readonly aorUser?: string;
  readonly password?: string;
  /** Contact header values; default one `<sip:user@local:port>`. Empty: a query. */
  readonly contacts?: readonly string[];
  readonly expires?: number;
  /** Extra headers (a raw Authorization to send as is …). */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly timeoutMs?: number;
  /** Forget the last challenge first: REGISTER, 401, REGISTER with credentials (a phone starting). */
  readonly fresh?: boolean;
}

export class RegisterClient {
  private readonly waiting = new Map<string, (r: SipResponse) => void>();
  private readonly callId = generateCallId('test');
  private readonly fromTag = generateTag();
  private cseq = 1;
  private nc = 0;
  private challenge?: DigestChallenge;
  /** Status of every response received, including those nobody waited for (a flood's). */
  readonly statuses = new Map<number, number>();
  received = 0;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly port: number,
    private readonly target: RegisterTarget,
  ) {
    socket.on('message', (data) => {
      const parsed = parseSipMessage(data);
      if (!parsed.ok || parsed.message.kind !== 'response') return;
      const r = parsed.message;
      this.received++;
      this.statuses.set(r.status, (this.statuses.get(r.status) ?? 0) + 1);
      const branch = /branch=([^;,\s]+)/.exec(r.headers.get('Via') ?? '')?.[1];
      const done = branch ? this.waiting.get(branch) : undefined;
      if (done && r.status >= 200) {
        this.waiting.delete(branch!);
        done(r);
      }
    });
  }

  static async open(address: string, target: RegisterTarget): Promise<RegisterClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return new RegisterClient(socket, address, socket.address().port, target);
  }

  /** The REGISTER's text (a new branch, the next CSeq of this client's Call-ID). */
  private build(o: RegisterOptions, authorization?: string): { branch: string; bytes: Buffer } {
    const branch = generateBranch();
    const aor = `sip:${o.aorUser ?? o.user}@${this.target.domain}`;
    const headers: Array<readonly [string, string]> = [
      ['Via', `SIP/2.0/UDP ${this.address}:${this.port};branch=${branch};rport`],
      ['Max-Forwards', '70'],
      ['From', `<${aor}>;tag=${this.fromTag}`],
      ['To', `<${aor}>`],
      ['Call-ID', this.callId],
      ['CSeq', `${this.cseq++} REGISTER`],
      ...(o.contacts ?? [`<sip:${o.user}@${this.address}:${this.port}>`]).map((c) => ['Contact', c] as const),
      ...(o.expires !== undefined ? [['Expires', String(o.expires)] as const] : []),
      ['User-Agent', 'hometel-test-register-client'],
      ...(authorization ? [['Authorization', authorization] as const] : []),
      ...(o.headers ?? []),
    ];
    return { branch, bytes: serializeSipMessage(sipRequest('REGISTER', `sip:${this.target.domain}`, headers)) };
  }

  /** Sends one REGISTER and resolves with its final response (rejects after `timeoutMs`, default 5 s). */
  send(o: RegisterOptions, authorization?: string): Promise<SipResponse> {
    const { branch, bytes } = this.build(o, authorization);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(branch);
        reject(new Error(`no final response to REGISTER from ${this.address} within ${o.timeoutMs ?? 5000} ms`));
      }, o.timeoutMs ?? 5000);
      this.waiting.set(branch, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.socket.send(bytes, this.target.port, this.target.host);
    });
  }

  /**
   * REGISTER with Digest: credentials for the last challenge when there is one, else sends without and answers the
   * 401 (or a stale one) once. Resolves with the final response.
   */
  async register(o: RegisterOptions): Promise<SipResponse> {
    if (o.fresh) this.challenge = undefined;
    let authorization = this.authorization(o);
    let r = await this.send(o, authorization);
    for (let attempt = 0; attempt < 2 && r.status === 401 && o.password !== undefined; attempt++) {
      const fresh = r.headers.all('WWW-Authenticate').map((v) => parseChallenge(v)).find((c) => c !== undefined);
      // A 401 to credentials that were not stale is the answer (a wrong password): no second try.
      if (!fresh || (authorization !== undefined && !fresh.stale)) return r;
      this.challenge = fresh;
      this.nc = 0;
      authorization = this.authorization(o);
      r = await this.send(o, authorization);
    }
    return r;
  }

  private authorization(o: RegisterOptions): string | undefined {
    if (!this.challenge || o.password === undefined) return undefined;
    return digestAuthorization({ challenge: this.challenge, method: 'REGISTER', uri: `sip:${this.target.domain}`, username: o.user, password: o.password, nc: ++this.nc });
  }

  /** Sends `count` REGISTERs without credentials as fast as the socket takes them, in bursts; resolves when sent. */
  async flood(count: number, o: RegisterOptions): Promise<void> {
    const { bytes } = this.build(o);
    for (let sent = 0; sent < count; ) {
      const burst = Math.min(50, count - sent);
      // A new branch for each (a retransmission would be absorbed by the transaction layer, not flood it).
      await Promise.all(
        Array.from({ length: burst }, () => {
          const b = Buffer.from(bytes.toString('latin1').replace(/branch=[^;]+/, `branch=${generateBranch()}`), 'latin1');
          return new Promise<void>((resolve) => this.socket.send(b, this.target.port, this.target.host, () => resolve()));
        }),
      );
      sent += burst;
      // About 2,500 a second: a runaway phone or a script on the LAN, paced so that the socket buffer does not overflow.
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The Contacts a 200 to REGISTER lists, with their expires. */
export function boundContacts(r: SipResponse): Array<{ uri: string; expires: number }> {
  return r.headers.all('Contact').map((v) => {
    const m = /^<([^>]+)>;expires=(\d+)$/.exec(v.trim());
    if (!m) throw new Error(`unexpected Contact in a 200: ${v}`);
    return { uri: m[1]!, expires: Number(m[2]) };
  });
}
