/**
 * The phones service: the one application service behind every interface of the phones (CLI, HTTP API, web page)
 * and what the SIP side asks about them (PhoneDirectory). Extensions come from `Extensions`; bindings are the
 * registrar's (RFC 3261 10.3), read here unexpired.
 */
import type { Clock, Logger } from '../base/index.js';
import { Extensions } from './extensions.js';
import type { Binding, Extension, ExtensionView, NewExtension, PhoneDirectory, PhonesAdmin, PhonesEvent, RegistrationView } from './model.js';
import type { BindingRepository, ExtensionRepository } from './ports.js';

export interface PhonesServiceOptions {
  readonly extensions: ExtensionRepository;
  readonly bindings: BindingRepository;
  /** The registrar's Digest realm (the HA1 values are computed for it). */
  readonly realm: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class PhonesService implements PhonesAdmin, PhoneDirectory {
  protected readonly extensionList: Extensions;
  private readonly listeners = new Set<(e: PhonesEvent) => void>();

  constructor(protected readonly o: PhonesServiceOptions) {
    this.extensionList = new Extensions(o.extensions, o.realm, o.clock);
  }

  add(e: NewExtension): ExtensionView {
    const added = this.extensionList.add(e);
    this.o.logger.info('extension added', { number: added.number, name: added.displayName });
    this.emit({ type: 'extension-added', number: added.number });
    return this.viewOf(added);
  }

  list(): ExtensionView[] {
    return this.extensionList.list().map((e) => this.viewOf(e));
  }

  remove(number: string): void {
    this.extensionList.remove(number);
    this.o.logger.info('extension removed', { number });
    this.emit({ type: 'extension-removed', number });
  }

  passwd(number: string, password: string): void {
    this.extensionList.passwd(number, password);
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
