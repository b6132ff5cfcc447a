/**
 * Registration with a registrar (RFC 3261 10.2): REGISTER our Contact for the address of record, answer
 * Digest challenges, refresh at about half the granted lifetime, retry with exponential back-off (capped)
 * after a failure, follow a 423's Min-Expires, and remove the binding (Expires: 0) on stop. All REGISTERs
 * of one registration share Call-ID and From tag, CSeq counting up (10.2.4).
 */
import type { TimerHandle } from '../../base/index.js';
import { contacts, expires as expiresOf, formatNameAddr } from '../message/headers.js';
import type { SipResponse } from '../message/types.js';
import { formatUri, parseUri, sipUri, uriTextEquals } from '../message/uri.js';
import type { LocalCause, UaContext } from './context.js';
import type { RegistrationOptions } from './options.js';
import { RequestFamily } from './requests.js';

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'failed';

export interface RegistrationInfo {
  readonly aor: string;
  /** Granted lifetime in seconds (registered). */
  readonly expires?: number;
  /** The status of the last final response (failed), 408/503 for local failures. */
  readonly status?: number;
  /** Seconds until the next attempt (failed). */
  readonly retryIn?: number;
}

/** The registrar URI without user part: the Request-URI of REGISTER (RFC 3261 10.2). */
export function registrarRequestUri(registrar: string): string {
  const uri = parseUri(registrar);
  if (!uri || uri.kind !== 'sip') throw new Error(`registrar ${JSON.stringify(registrar)} is not a sip: URI`);
  return formatUri(sipUri({ scheme: uri.scheme, host: uri.host, ...(uri.port !== undefined ? { port: uri.port } : {}), params: uri.params }));
}

export class Registration {
  private current: RegistrationState = 'unregistered';
  private everRegistered = false;
  private failures = 0;
  private requested: number;
  private timer?: TimerHandle;
  private stopped = false;
  private inFlight = false;
  private readonly family: RequestFamily;
  private readonly requestUri: string;

  constructor(
    private readonly ctx: UaContext,
    private readonly opts: RegistrationOptions,
    private readonly onChange: (state: RegistrationState, info: RegistrationInfo) => void,
  ) {
    this.requestUri = registrarRequestUri(opts.registrar);
    this.requested = opts.expires ?? 3600;
    const aor = ctx.settings.aor;
    this.family = new RequestFamily(ctx, this.requestUri, formatNameAddr({ uri: aor }), {
      // A registrar is its own next hop; the outbound proxy (when another host) is in front of it.
      route: routeTowards(ctx.settings.outboundProxy, opts.registrar),
    });
  }

  get state(): RegistrationState {
    return this.current;
  }

  /** True once a REGISTER has succeeded (the address of record is then ours). */
  get hasRegistered(): boolean {
    return this.everRegistered;
  }

  start(): void {
    this.stopped = false;
    this.register();
  }

  /** Removes the binding when there may be one; resolves when the registrar answered (or at once). */
  stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.current !== 'registered' && !this.inFlight) return Promise.resolve();
    return new Promise((resolve) => {
      this.send(0, () => {
        this.set('unregistered', {});
        resolve();
      });
    });
  }

  private register(): void {
    if (this.stopped || this.inFlight) return;
    if (this.current !== 'registered') this.set('registering', {});
    this.send(this.requested, (r, local) => this.answered(r, local));
  }

  private send(expires: number, onFinal: (r: SipResponse, local?: LocalCause) => void): void {
    const contact = expires === 0 ? `${this.ctx.contact()};expires=0` : this.ctx.contact();
    this.inFlight = true;
    this.ctx.send(
      {
        build: () => this.family.build('REGISTER', [['Contact', contact], ['Expires', String(expires)], ...this.ctx.describe('request')]),
        nextHop: this.family.nextHop,
      },
      {
        onFinal: (r, local) => {
          this.inFlight = false;
          onFinal(r, local);
        },
      },
    );
  }

  private answered(r: SipResponse, local?: LocalCause): void {
    if (this.stopped) return;
    if (r.status >= 200 && r.status < 300) {
      const granted = this.granted(r);
      this.failures = 0;
      this.everRegistered = true;
      this.set('registered', { expires: granted });
      // refresh at about half the granted lifetime (never sooner than 1 s)
      this.schedule(Math.max(1, granted / 2) * 1000, () => this.register());
      return;
    }
    if (r.status === 423) {
      const min = Number(r.headers.get('Min-Expires') ?? '');
      if (Number.isInteger(min) && min > this.requested) {
        this.requested = min;
        this.register();
        return;
      }
    }
    const base = this.opts.retryBaseSeconds ?? 5;
    const max = this.opts.retryMaxSeconds ?? 300;
    const retryIn = Math.min(max, base * 2 ** this.failures);
    this.failures++;
    this.ctx.logger.warn('registration failed', { status: r.status, local, retryIn });
    this.set('failed', { status: r.status, retryIn });
    this.schedule(retryIn * 1000, () => this.register());
  }

  /** The lifetime the registrar granted our Contact: its `expires`, else Expires, else what we asked. */
  private granted(r: SipResponse): number {
    const ours = this.ctx.contact().replace(/^<|>.*$/g, '');
    const list = contacts(r);
    if (list && list !== '*') {
      const mine = list.find((c) => uriTextEquals(c.uriText, ours));
      if (mine?.expires !== undefined) return mine.expires;
    }
    return expiresOf(r) ?? this.requested;
  }

  private schedule(ms: number, fn: () => void): void {
    this.timer?.cancel();
    this.timer = this.ctx.timer(ms, fn);
  }

  private set(state: RegistrationState, info: Omit<RegistrationInfo, 'aor'>): void {
    const changed = state !== this.current || state === 'registered' || state === 'failed';
    this.current = state;
    if (changed) this.ctx.safe('registration change', () => this.onChange(state, { aor: this.ctx.settings.aor, ...info }));
  }
}

/** The outbound proxy to route a request through, unless it is the target itself. */
export function routeTowards(proxy: string | undefined, target: string): string | null {
  if (!proxy) return null;
  return uriTextEquals(proxy, target) ? null : proxy;
}
