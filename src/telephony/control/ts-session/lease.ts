/**
 * The session's TelCPName (2.6.2): registered at start (C.1), the next free name-N on 702 (C.2) unless told to
 * fail, a kept identity renewed with its key (C.3), renewed half-way to Expires (2.6.2.4), registered afresh when
 * it lapsed; and every CallManagement action that manages a Call sent with the name and its SecretKey.
 */
import type { Clock, Logger, TimerHandle } from '../../../base/index.js';
import type { InArgs } from '../../../upnp/index.js';
import { CallManagementAction, type CallManagementActionName } from '../../contracts/index.js';
import type { Answer, CallManagement } from '../contract-calls.js';
import type { TelephonyServer } from '../devices.js';
import { isFault } from '../errors.js';
import type { Emit, TelCPIdentity, TsSessionOptions } from './types.js';

/** The identity arguments every CallManagement action that manages a Call carries. */
export interface Credentials {
  readonly TelCPName: string;
  readonly SecretKey: string;
}

/** The CallManagement actions that carry a control point's identity as TelCPName and SecretKey. */
export type ManagingAction = { [A in CallManagementActionName]: keyof Credentials extends keyof InArgs<CallManagement, A> ? A : never }[CallManagementActionName];

/** A managing action's in-arguments other than the identity, which the session adds. */
export type ManagingArgs<A extends ManagingAction> = Omit<InArgs<CallManagement, A>, keyof Credentials>;

/** A CallManagement action sent with the session's identity. */
export type CmInvoke = <A extends ManagingAction>(action: A, args: ManagingArgs<A>, callID?: string) => Promise<Answer<CallManagement, A>>;

export interface LeaseDeps {
  /** Only its actions are used. */
  readonly server: Pick<TelephonyServer, 'invoke'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly opts: TsSessionOptions;
  readonly emit: Emit;
  /** Runs a background step (a renewal): its failure is a warning, not a crash. */
  readonly background: (p: Promise<unknown>) => void;
}

export class TelCPLease {
  private baseName?: string;
  private current?: string;
  private key?: string;
  private renewTimer?: TimerHandle;
  private renewing?: Promise<void>;
  private stopped = false;

  constructor(private readonly d: LeaseDeps) {}

  /** The TelCPName registered (it may differ from the one asked for, name-2 …). */
  get name(): string | undefined {
    return this.current;
  }

  get identity(): TelCPIdentity | undefined {
    return this.current !== undefined && this.key !== undefined ? { name: this.current, secretKey: this.key } : undefined;
  }

  /** Registers the name asked for (or renews the kept identity); nothing without a name. */
  async start(): Promise<void> {
    const kept = this.d.opts.identity;
    const name = this.d.opts.name ?? kept?.name;
    if (name === undefined) return;
    this.baseName = name;
    if (kept && kept.name === name) {
      this.current = kept.name;
      this.key = kept.secretKey;
      await this.renew();
    } else {
      await this.register(name);
    }
  }

  /** Stops renewing. */
  stop(): void {
    this.stopped = true;
    this.renewTimer?.cancel();
  }

  /** UnregisterTelCPName (2.6.3), failures ignored. */
  async unregister(): Promise<void> {
    if (this.current && this.key) {
      // 712 while the name monopolises a Call: the registration then lapses by itself.
      await this.d.server.invoke(CallManagementAction.UnregisterTelCPName, { TelCPName: this.current, SecretKey: this.key }).catch(() => undefined);
    }
  }

  credentials(): Credentials {
    return { TelCPName: this.current ?? '', SecretKey: this.key ?? '' };
  }

  /**
   * A CallManagement action with this session's identity. A 701 that crossed a renewal (the key changed while the
   * request was under way) is sent once more with the new key.
   */
  readonly cm: CmInvoke = async (action, args, callID) => {
    // The identity first, as the spec's argument tables list it; TS cannot see through Omit that this is all of them.
    const withIdentity = (): InArgs<CallManagement, typeof action> => ({ ...this.credentials(), ...args }) as InArgs<CallManagement, typeof action>;
    const key = this.key;
    try {
      return await this.d.server.invoke(action, withIdentity(), callID);
    } catch (e) {
      if (!isFault(e, 701) || !this.current) throw e;
      await this.renewing;
      if (this.key === key) throw e;
      return this.d.server.invoke(action, withIdentity(), callID);
    }
  };

  /** RegisterTelCPName with the current key (C.3); a lapsed or taken name is registered afresh. */
  renew(): Promise<void> {
    this.renewing ??= (async () => {
      const name = this.current;
      if (!name || this.stopped) return;
      try {
        const out = await this.d.server.invoke(CallManagementAction.RegisterTelCPName, { TelCPName: name, CurrentSecretKey: this.key ?? '' });
        this.registered(name, out);
      } catch (e) {
        if (isFault(e, 701, 702)) {
          await this.register(this.baseName ?? name);
          return;
        }
        this.scheduleRenewal(60, true);
        throw e;
      }
    })().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** RegisterTelCPName (C.1); on 702 (C.2) the next free name-N, unless told to fail. */
  private async register(desired: string): Promise<void> {
    const attempts = this.d.opts.onNameTaken === 'fail' ? 1 : 20;
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? desired : `${desired}-${i}`;
      try {
        const out = await this.d.server.invoke(CallManagementAction.RegisterTelCPName, { TelCPName: candidate, CurrentSecretKey: '' });
        this.registered(candidate, out);
        return;
      } catch (e) {
        if (!isFault(e, 702) || i >= attempts) throw e;
      }
    }
  }

  private registered(name: string, out: Answer<CallManagement, typeof CallManagementAction.RegisterTelCPName>): void {
    this.current = name;
    this.key = out.NewSecretKey ?? '';
    // Number(): RemoteService leaves an Expires it could not decode as the text the TS sent; then the default below.
    const expires = Number(out.Expires);
    this.d.logger.info('telcp name registered', { name, expires });
    this.d.emit('registered', { name, expires });
    this.scheduleRenewal(Number.isFinite(expires) && expires > 0 ? expires : 300);
  }

  /** 2.6.2.4: renew before Expires; half-way leaves room for a lost request and a retry. */
  private scheduleRenewal(expiresSec: number, retry = false): void {
    this.renewTimer?.cancel();
    if (this.stopped) return;
    const ms = retry ? Math.min(5_000, expiresSec * 250) : Math.max(1, expiresSec / 2) * 1000;
    this.renewTimer = this.d.clock.setTimer(ms, () => this.d.background(this.renew()));
  }
}
