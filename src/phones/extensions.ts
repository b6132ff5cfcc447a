/**
 * The extensions of the home: numbers with their display names, users and Digest credentials. A password is
 * turned into its HA1 values for the registrar's realm at once (MD5 for RFC 3261 22.4 phones, SHA-256 for RFC 8760
 * ones) and never kept.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../base/index.js';
import { PhonesError } from './errors.js';
import type { Extension, NewExtension } from './model.js';
import type { ExtensionRepository } from './ports.js';

/** 2 to 6 digits, not starting with 0 (an outside line's prefix) — what PBXs and desk phones use for extensions. */
const numberPattern = /^[1-9][0-9]{1,5}$/;

/** HA1 = H(username:realm:password) with the extension number as the Digest username. */
export function ha1(algorithm: 'md5' | 'sha256', number: string, realm: string, password: string): string {
  return createHash(algorithm).update(`${number}:${realm}:${password}`, 'utf8').digest('hex');
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < 8 || password.length > 128) throw new PhonesError('invalid', 'a password has 8 to 128 characters');
}

function checkName(what: string, value: string | undefined): void {
  if (value === undefined) return;
  // A display name ends up in SIP headers and phone displays: printable, no quotes or line breaks.
  if (value.length < 1 || value.length > 64 || /["\\\p{Cc}]/u.test(value)) throw new PhonesError('invalid', `${what} has 1 to 64 printable characters, no quotes`);
}

export class Extensions {
  constructor(
    private readonly repo: ExtensionRepository,
    private readonly realm: string,
    private readonly clock: Clock,
  ) {}

  add(e: NewExtension): Extension {
    if (!numberPattern.test(e.number)) throw new PhonesError('invalid', `extension number ${JSON.stringify(e.number)}: 2 to 6 digits, not starting with 0`);
    checkPassword(e.password);
    checkName('a display name', e.displayName);
    checkName('a user name', e.user);
    if (this.repo.get(e.number)) throw new PhonesError('exists', `extension ${e.number} exists already`);
    const extension: Extension = {
      number: e.number,
      ...(e.displayName !== undefined ? { displayName: e.displayName } : {}),
      ...(e.user !== undefined ? { user: e.user } : {}),
      ...this.credentials(e.number, e.password),
      created: this.clock.now(),
    };
    this.repo.put(extension);
    return extension;
  }

  get(number: string): Extension | undefined {
    return this.repo.get(number);
  }

  list(): Extension[] {
    return this.repo.list();
  }

  remove(number: string): void {
    if (!this.repo.remove(number)) throw new PhonesError('not-found', `no extension ${number}`);
  }

  passwd(number: string, password: string): Extension {
    const e = this.repo.get(number);
    if (!e) throw new PhonesError('not-found', `no extension ${number}`);
    checkPassword(password);
    const changed = { ...e, ...this.credentials(number, password) };
    this.repo.put(changed);
    return changed;
  }

  private credentials(number: string, password: string): Pick<Extension, 'realm' | 'ha1Md5' | 'ha1Sha256'> {
    return { realm: this.realm, ha1Md5: ha1('md5', number, this.realm, password), ha1Sha256: ha1('sha256', number, this.realm, password) };
  }
}
