/**
 * The phones service: the one application service behind every interface of the phones (CLI, HTTP API, web page)
 * and what the SIP side asks about them (PhoneDirectory). Extensions come from `Extensions`; bindings are the
 * registrar's (RFC 3261 10.3), read here unexpired.
 */
import type { Clock, Logger, TimerHandle } from '../base/index.js';
import { Extensions } from './extensions.js';
import type { Binding, Extension, ExtensionView, NewExtension, PhoneDirectory, PhonesAdmin, PhonesEvent, RegistrationView } from './model.js';
import type { BindingRepository, ExtensionRepository, PasswordVault } from './ports.js';
import { applyRegister, contactsChanged, type RegisterOutcome, type RegisterRequest, type RegistrarPolicy } from './registrar.js';

/** Timers longer than this are re-armed in steps (setTimeout's limit is 24.8 days). */
const maxSweepDelayMs = 3_600_000;

export interface PhonesServiceOptions {
  readonly extensions: ExtensionRepository;
  readonly bindings: BindingRepository;
  /** The registrar's Digest realm (the HA1 values are computed for it). */
  readonly realm: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Keeps passwords readable for provisioned phones (issue 15); none: HA1 values only. */
  readonly vault?: PasswordVault;
}

export class PhonesService implements PhonesAdmin, PhoneDirectory {
  protected readonly extensionList: Extensions;
  private readonly listeners = new Set<(e: PhonesEvent) => void>();
  private sweeping = false;
  private sweep?: { readonly at: number; readonly timer: TimerHandle };

  constructor(protected readonly o: PhonesServiceOptions) {
    this.extensionList = new Extensions(o.extensions, o.realm, o.clock);
  }

  add(e: NewExtension): ExtensionView {
    const added = this.extensionList.add(e);
    this.o.vault?.keep(added.number, e.password);
    this.o.logger.info('extension added', { number: added.number, name: added.displayName });
    this.emit({ type: 'extension-added', number: added.number });
    return this.viewOf(added);
  }

  list(): ExtensionView[] {
    return this.extensionList.list().map((e) => this.viewOf(e));
  }

  remove(number: string): void {
    this.extensionList.remove(number);
    this.o.vault?.forget(number);
    this.o.logger.info('extension removed', { number });
    this.emit({ type: 'extension-removed', number });
  }

  passwd(number: string, password: string): void {
    this.extensionList.passwd(number, password);
    this.o.vault?.keep(number, password);
    this.o.logger.info('extension password changed', { number });
    this.emit({ type: 'extension-changed', number });
  }

  registrations(number?: string): RegistrationView[] {
    const now = this.o.clock.now();
    return this.o.bindings
      .list(number)
      .filter((b) => b.expiresAt > now)
      .map((b) => ({
        extension: b.extension,
        contact: b.contact,
        expiresAt: b.expiresAt,
        source: `${b.source.transport}:${b.source.address}:${b.source.port}`,
        ...(b.userAgent !== undefined ? { userAgent: b.userAgent } : {}),
      }));
  }

  extension(number: string): ExtensionView | undefined {
    const e = this.extensionList.get(number);
    return e && this.viewOf(e);
  }

  extensions(): ExtensionView[] {
    return this.list();
  }

  bindings(number: string): Binding[] {
    const now = this.o.clock.now();
    return this.o.bindings.list(number).filter((b) => b.expiresAt > now);
  }

  credentials(number: string): Extension | undefined {
    return this.extensionList.get(number);
  }

  /**
   * The registrar's REGISTER of an authenticated extension (RFC 3261 10.3 steps 6–8): the bindings are stored
   * before the outcome is returned (a 200 is on disk, it survives kill -9); a store failure is a 500 (step 7).
   */
  register(req: RegisterRequest, policy: RegistrarPolicy): RegisterOutcome {
    const now = this.o.clock.now();
    const current = this.bindings(req.extension);
    const outcome = applyRegister(current, req, policy, now);
    if (!outcome.ok || !outcome.write) return outcome;
    try {
      this.o.bindings.replace(req.extension, outcome.bindings);
    } catch (e) {
      this.o.logger.error('bindings not stored', { extension: req.extension, error: String(e) });
      return { ok: false, status: 500, reason: 'Bindings not stored' };
    }
    if (contactsChanged(current, outcome.bindings)) {
      this.o.logger.info('registrations changed', { extension: req.extension, count: outcome.bindings.length });
      this.emit({ type: 'registrations', number: req.extension, count: outcome.bindings.length });
    }
    for (const b of outcome.bindings) this.sweepAt(b.expiresAt);
    return outcome;
  }

  /** Extensions with at least one device registered now (call handling's liveness). */
  registeredExtensions(): number {
    const now = this.o.clock.now();
    return new Set(this.o.bindings.list().filter((b) => b.expiresAt > now).map((b) => b.extension)).size;
  }

  /**
   * Removes bindings as they expire (from the store too) and tells the listeners, until the returned function is
   * called. Bindings stored by an earlier run are swept as well.
   */
  startSweeping(): () => void {
    this.sweeping = true;
    this.removeExpired();
    return () => {
      this.sweeping = false;
      this.sweep?.timer.cancel();
      this.sweep = undefined;
    };
  }

  /** Deletes the expired bindings now and emits `registrations` for every extension that lost one. */
  removeExpired(): void {
    const now = this.o.clock.now();
    let gone: string[] = [];
    try {
      gone = this.o.bindings.removeExpired(now);
    } catch (e) {
      this.o.logger.error('expired bindings not removed', { error: String(e) });
    }
    for (const number of gone) {
      const count = this.bindings(number).length;
      this.o.logger.info('registration expired', { extension: number, count });
      this.emit({ type: 'registrations', number, count });
    }
    const next = this.o.bindings.list().reduce((min, b) => Math.min(min, b.expiresAt), Infinity);
    if (Number.isFinite(next)) this.sweepAt(next);
  }

  /** Arms the sweep timer for `at` when it is earlier than the one armed. */
  private sweepAt(at: number): void {
    if (!this.sweeping || (this.sweep && this.sweep.at <= at)) return;
    this.sweep?.timer.cancel();
    const delay = Math.max(0, Math.min(at - this.o.clock.now(), maxSweepDelayMs));
    const timer = this.o.clock.setTimer(delay, () => {
      this.sweep = undefined;
      this.removeExpired();
    });
    this.sweep = { at: this.o.clock.now() + delay, timer };
  }

  onChange(listener: (e: PhonesEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected emit(e: PhonesEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.o.logger.error('a phones listener failed', { error: String(err) });
      }
    }
  }

  private viewOf(e: Extension): ExtensionView {
    return {
      number: e.number,
      ...(e.displayName !== undefined ? { displayName: e.displayName } : {}),
      ...(e.user !== undefined ? { user: e.user } : {}),
      registrations: this.bindings(e.number).length,
    };
  }
}
