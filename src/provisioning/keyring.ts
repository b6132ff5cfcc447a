/**
 * The provisioning key: 32 random bytes in `<dataDir>/provisioning.key` (mode 0600), never in the database. From it
 * come each device's provisioning secret (an HMAC of its MAC and generation: nothing to store, revoked by bumping the
 * generation) and the seal of the passwords that provisioned phones must be given in plain text.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const keyBytes = 32;
const sealVersion = 'v1';

export class Keyring {
  private readonly sealKey: Buffer;

  constructor(private readonly key: Buffer) {
    if (key.length !== keyBytes) throw new Error(`the provisioning key must be ${keyBytes} bytes`);
    this.sealKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'hometel sealed secrets', keyBytes));
  }

  /** The key of `dataDir`, made on first use. Two processes starting together end up with the same key (link is atomic). */
  static inDataDir(dataDir: string): Keyring {
    const file = join(dataDir, 'provisioning.key');
    try {
      return new Keyring(readFileSync(file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const partial = `${file}.${process.pid}.partial`;
    const fd = openSync(partial, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, randomBytes(keyBytes));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(partial, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(partial);
    }
    return new Keyring(readFileSync(file));
  }

  /** A device's provisioning secret: 32 URL-safe characters (192 bits), the same for the same MAC and generation. */
  deviceSecret(mac: string, generation: number): string {
    return createHmac('sha256', this.key).update(`device:${mac}:${generation}`).digest('base64url').slice(0, 32);
  }

  /** Whether `given` is that secret, compared in constant time. */
  isDeviceSecret(mac: string, generation: number, given: string): boolean {
    const expected = Buffer.from(this.deviceSecret(mac, generation));
    const g = Buffer.from(given);
    return g.length === expected.length && timingSafeEqual(g, expected);
  }

  /** AES-256-GCM, `v1.<iv>.<ciphertext>.<tag>` in base64url; `name` is bound as associated data. */
  seal(name: string, plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv).setAAD(Buffer.from(name));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [sealVersion, iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** The plain text, or undefined when the seal is not this key's (or was tampered with). */
  open(name: string, sealed: string): string | undefined {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== sealVersion || iv === undefined || body === undefined || tag === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(name));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
