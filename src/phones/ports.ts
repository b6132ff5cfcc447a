/** The phones service's repositories (SQLite ones in src/store). */
import type { Binding, Extension } from './model.js';

export interface ExtensionRepository {
  list(): Extension[];
  get(number: string): Extension | undefined;
  /** Adds or replaces. */
  put(extension: Extension): void;
  /** Removes the extension and its bindings; false when there was none. */
  remove(number: string): boolean;
}

export interface BindingRepository {
  /** Every binding stored (expired ones included until `removeExpired`), or one extension's. */
  list(extension?: string): Binding[];
  /** Replaces an extension's bindings in one transaction (what a REGISTER leaves). */
  replace(extension: string, bindings: readonly Binding[]): void;
  /** Deletes the bindings expired at `now`; returns the extensions that lost one. */
  removeExpired(now: number): string[];
}

/**
 * Where the passwords of extensions are kept readable, sealed, when phones are provisioned (issue 15): a phone's
 * configuration file must carry its password in plain text. Without provisioning there is none and only the HA1
 * values are stored.
 */
export interface PasswordVault {
  keep(number: string, password: string): void;
  forget(number: string): void;
}
