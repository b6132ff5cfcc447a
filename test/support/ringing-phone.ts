/**
 * A scripted phone that only rings, for the forking benchmark (bench/invite-fork.ts): one UDP socket on a loopback
 * address of its own (127.0.1.x, as phones in a home have), which REGISTERs from that socket (with Digest when
 * challenged, RFC 3261 22.2) so that its binding's source is the socket, answers every INVITE at once with
 * 180 Ringing (one To tag per call, retransmissions answered alike), a CANCEL with 200 and the INVITE with 487
 * (RFC 3261 9.2), and anything else with 200. Each INVITE's and CANCEL's arrival is timed (performance.now()).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import {
  digestAuthorization,
  generateBranch,
  generateCallId,
  generateTag,
  parseChallenge,
  parseSipMessage,
  request as sipRequest,
  responseTo,
  serializeSipMessage,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/index.js';

export interface RingingRegistrar {
  readonly host: string;
  readonly port: number;
  /** The registrar's domain (Request-URI and address of record host). */
  readonly domain: string;
}

/** An INVITE the phone received (the first of its retransmissions), and the CANCEL that ended it. */
export interface RungCall {
  readonly callId: string;
  readonly invitedAt: number;
  readonly invite: SipRequest;
  cancelledAt?: number;
  cancel?: SipRequest;
}

export class RingingPhone {
  /** The calls by Call-ID, newest last. */
  readonly calls = new Map<string, RungCall>();
  private readonly toTags = new Map<string, string>();
  private readonly waiting = new Map<string, (r: SipResponse) => void>();
  private readonly registerCallId = generateCallId('phone');
  private readonly fromTag = generateTag();
  private cseq = 1;
  /** Called as each new INVITE arrives (after its 180 left). */
  onInvite?: (call: RungCall) => void;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {
    socket.on('message', (data, from) => this.received(data, from));
  }

  static async open(address: string): Promise<RingingPhone> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    return new RingingPhone(socket, address, socket.address().port);
  }

  /** REGISTERs `user` at `registrar` for an hour (answering one 401 with `password`); resolves with the final status. */
  async register(registrar: RingingRegistrar, user: string, password?: string, aorUser = user): Promise<number> {
    let r = await this.sendRegister(registrar, user, aorUser);
    const challenge = r.status === 401 ? r.headers.all('WWW-Authenticate').map((v) => parseChallenge(v)).find((c) => c !== undefined) : undefined;
    if (challenge && password !== undefined) {
      const authorization = digestAuthorization({ challenge, method: 'REGISTER', uri: `sip:${registrar.domain}`, username: user, password, nc: 1 });
      r = await this.sendRegister(registrar, user, aorUser, authorization);
    }
    return r.status;
  }

  private sendRegister(registrar: RingingRegistrar, user: string, aorUser: string, authorization?: string): Promise<SipResponse> {
    const branch = generateBranch();
    const aor = `sip:${aorUser}@${registrar.domain}`;
    const bytes = serializeSipMessage(
      sipRequest('REGISTER', `sip:${registrar.domain}`, [
        ['Via', `SIP/2.0/UDP ${this.address}:${this.port};branch=${branch};rport`],
        ['Max-Forwards', '70'],
        ['From', `<${aor}>;tag=${this.fromTag}`],
        ['To', `<${aor}>`],
        ['Call-ID', this.registerCallId],
        ['CSeq', `${this.cseq++} REGISTER`],
        ['Contact', `<sip:${user}@${this.address}:${this.port}>`],
        ['Expires', '3600'],
        ...(authorization ? [['Authorization', authorization] as const] : []),
      ]),
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(branch);
        reject(new Error(`no answer to the REGISTER of ${user} from ${this.address} within 5 s`));
      }, 5000);
      this.waiting.set(branch, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.socket.send(bytes, registrar.port, registrar.host);
    });
  }

  private received(data: Buffer, from: RemoteInfo): void {
    const at = performance.now();
    const parsed = parseSipMessage(data);
    if (!parsed.ok) return;
    const m = parsed.message;
    if (m.kind === 'response') {
      const branch = /branch=([^;,\s]+)/.exec(m.headers.get('Via') ?? '')?.[1];
      const done = branch && m.status >= 200 ? this.waiting.get(branch) : undefined;
      if (done) {
        this.waiting.delete(branch!);
        done(m);
      }
      return;
    }
    const callId = m.headers.get('Call-ID') ?? '';
    const reply = (r: SipResponse): void => void this.socket.send(serializeSipMessage(r), from.port, from.address);
    if (m.method === 'INVITE') {
      const toTag = this.toTags.get(callId) ?? generateTag();
      this.toTags.set(callId, toTag);
      reply(responseTo(m, 180, 'Ringing', [['Contact', `<sip:phone@${this.address}:${this.port}>`]], { toTag }));
      if (this.calls.has(callId)) return; // a retransmission
      const call: RungCall = { callId, invitedAt: at, invite: m };
      this.calls.set(callId, call);
      this.onInvite?.(call);
    } else if (m.method === 'CANCEL') {
      reply(responseTo(m, 200, 'OK', [], { toTag: this.toTags.get(callId) ?? true }));
      const call = this.calls.get(callId);
      if (!call) return;
      reply(responseTo(call.invite, 487, 'Request Terminated', [], { toTag: this.toTags.get(callId)! }));
      if (call.cancelledAt === undefined) {
        call.cancelledAt = at;
        call.cancel = m;
      }
    } else if (m.method !== 'ACK') {
      reply(responseTo(m, 200, 'OK', [], { toTag: true }));
    }
  }

  /** Forgets the calls (and their tags) received so far. */
  forget(): void {
    this.calls.clear();
    this.toTags.clear();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
