/** The provisioning service's repositories (SQLite ones in src/store). */
import type { Device } from './model.js';

export interface DeviceRepository {
  list(): Device[];
  get(mac: string): Device | undefined;
  /** Adds or replaces. */
  put(device: Device): void;
  /** false when there was none. */
  remove(mac: string): boolean;
  /** A number that changes whenever another process (the CLI) committed a change (SQLite's data_version). */
  version(): number;
}

/** Sealed (encrypted) secrets by name: the passwords of extensions that provisioned phones are given. */
export interface SealedSecretRepository {
  get(name: string): string | undefined;
  put(name: string, sealed: string): void;
  remove(name: string): void;
}
