/**
 * The registrar of the home's phones (RFC 3261 10.3) on the phones' SIP side: it checks where a REGISTER comes
 * from, authenticates it (step 3), lets an extension bind only its own address of record (steps 4 and 5), parses
 * the Contacts strictly, and hands the rest (steps 6 to 8) to the phones service. The 200 lists every current
 * binding with its expiry and carries a Date (step 8).
 */
import { silentLogger, type Clock, type Logger } from '../../base/index.js';
import { registrarDefaults, type ContactRequest, type RegisterOutcome, type RegisterRequest, type RegistrarPolicy } from '../../phones/index.js';
import { callId, contacts, cseq, expires, normalizeAddress, responseTo, toAddr, unquote, uriTextEquals, type HeaderInput, type ServerTransaction } from '../index.js';
import type { RequestAuthenticator } from './authenticator.js';
import type { PhoneSide } from './phone-side.js';

/** What the registrar accepts (config `phones.registrar`). */
export interface RegistrarConfig {
  readonly minExpires: number;
  readonly maxExpires: number;
  /** IPv4 networks (CIDR) phones register from and name in their Contacts. */
  readonly homeNetworks: readonly string[];
  readonly allowContactsOutside: boolean;
}

export interface PhoneRegistrarOptions {
  readonly side: PhoneSide;
  readonly authenticator: RequestAuthenticator;
  /** The phones service: applies the request to the stored bindings. */
  readonly phones: { register(req: RegisterRequest, policy: RegistrarPolicy): RegisterOutcome };
  readonly config: RegistrarConfig;
  readonly clock: Clock;
  readonly logger?: Logger;
}

function ipv4(address: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** An IPv4 network (`192.168.0.0/16`) as a membership test. */
export function ipv4Network(cidr: string): (address: string) => boolean {
  const [base, bits] = cidr.split('/');
  const net = ipv4(base ?? '');
  const prefix = Number(bits);
  if (net === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not an IPv4 network: ${cidr}`);
  const size = 2 ** (32 - prefix);
  const first = net - (net % size);
  return (address) => {
    const a = ipv4(normalizeAddress(address));
    return a !== undefined && a >= first && a < first + size;
  };
}

/** A REGISTER refused before the phones service sees it. */
class Refused {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {}
}

export class PhoneRegistrar {
  private readonly home: ReadonlyArray<(address: string) => boolean>;
  private readonly policy: RegistrarPolicy;
  private readonly logger: Logger;

  constructor(private readonly o: PhoneRegistrarOptions) {
    this.home = o.config.homeNetworks.map(ipv4Network);
    this.policy = {
      minExpires: o.config.minExpires,
      maxExpires: o.config.maxExpires,
      defaultExpires: Math.max(o.config.minExpires, Math.min(registrarDefaults.defaultExpires, o.config.maxExpires)),
      maxDevices: registrarDefaults.maxDevices,
      sameContact: uriTextEquals,
    };
    this.logger = o.logger ?? silentLogger;
    o.side.handle('REGISTER', (tx) => {
      this.receive(tx);
      return true;
    });
  }

  private atHome(address: string): boolean {
    return this.home.some((inside) => inside(address));
  }

  private receive(tx: ServerTransaction): void {
    const req = tx.request;
    if (!this.atHome(tx.source.address)) return this.refuse(tx, new Refused(403, 'Source Outside The Home Networks'));
    const extension = this.o.authenticator.authenticate(tx);
    if (extension === undefined) return;
    const parsed = this.parse(tx, extension);
    if (parsed instanceof Refused) return this.refuse(tx, parsed, extension);
    const outcome = this.o.phones.register(parsed, this.policy);
    if (!outcome.ok) {
      return this.refuse(tx, new Refused(outcome.status, outcome.reason), extension, outcome.minExpires !== undefined ? [['Min-Expires', String(outcome.minExpires)]] : []);
    }
    // Step 8: every current binding with the seconds it has left, and the registrar's time.
    const now = this.o.clock.now();
    const headers: Array<readonly [string, string]> = [...this.describe()];
    for (const b of outcome.bindings) headers.push(['Contact', `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`]);
    headers.push(['Date', new Date(now).toUTCString()]);
    tx.respond(responseTo(req, 200, undefined, headers, { toTag: true }));
  }

  /** Steps 4 and 5, and the Contacts: what the request asks, or why it is refused. */
  private parse(tx: ServerTransaction, extension: string): RegisterRequest | Refused {
    const req = tx.request;
    const to = toAddr(req);
    // Step 4: an extension registers only its own address of record.
    if (!to || to.uri.kind !== 'sip' || to.uri.user !== extension) return new Refused(403, 'Not Your Address Of Record');
    // Step 5: the address of record must be one of this registrar's domain (its realm or its address).
    const host = to.uri.host.toLowerCase();
    if (host !== this.o.side.realm.toLowerCase() && host !== this.o.side.host) return new Refused(404, 'Not Found (Address Of Record Outside This Domain)');
    if (req.headers.has('Expires') && expires(req) === undefined) return new Refused(400, 'Malformed Expires');
    const list = contacts(req);
    if (list === undefined) {
      const star = req.headers.all('Contact').some((v) => v.trim() === '*');
      return new Refused(400, star ? 'Contact * Must Stand Alone' : 'Malformed Contact');
    }
    const id = callId(req);
    const seq = cseq(req);
    if (id === undefined || seq === undefined) return new Refused(400, 'Malformed Call-ID or CSeq');
    let wanted: '*' | ContactRequest[] = '*';
    if (list !== '*') {
      wanted = [];
      for (const c of list) {
        if (c.uri.kind !== 'sip') return new Refused(400, 'Contact Is Not A SIP URI');
        if (c.params.has('expires') && c.expires === undefined) return new Refused(400, 'Malformed Contact expires');
        // A host name cannot be shown to be at home: only addresses inside the networks are.
        if (!this.o.config.allowContactsOutside && !this.atHome(c.uri.host)) return new Refused(403, 'Contact Outside The Home Networks');
        const instance = unquote(c.params.get('+sip.instance'));
        wanted.push({ uri: c.uriText, ...(c.expires !== undefined ? { expires: c.expires } : {}), ...(instance !== undefined ? { instance } : {}) });
      }
    }
    const header = expires(req);
    const userAgent = req.headers.get('User-Agent');
    return {
      extension,
      callId: id,
      cseq: seq.seq,
      contacts: wanted,
      ...(header !== undefined ? { expires: header } : {}),
      source: { transport: tx.source.transport, address: normalizeAddress(tx.source.address), port: tx.source.port },
      ...(userAgent !== undefined ? { userAgent: userAgent.slice(0, 200) } : {}),
    };
  }

  private describe(): HeaderInput {
    return this.o.side.userAgent.describe('response');
  }

  /** Answers a refusal and logs it in one line. */
  private refuse(tx: ServerTransaction, r: Refused, extension?: string, extra: HeaderInput = []): void {
    this.logger.warn('REGISTER refused', {
      status: r.status,
      why: r.reason,
      source: `${tx.source.transport}:${tx.source.address}:${tx.source.port}`,
      ...(extension !== undefined ? { extension } : {}),
      to: tx.request.headers.get('To') ?? '',
    });
    tx.respond(responseTo(tx.request, r.status, r.reason, [...this.describe(), ...extra], { toTag: true }));
  }
}
