/**
 * The configuration server (issue 15): what HTTP and TFTP serve below /provisioning/, and the previews and
 * fingerprints the interfaces and the notifier ask for. A request is answered only from the home networks; its path
 * is matched against the file names phones ask for (file-names.ts) and never touches a file system. A vendor's common
 * file carries no account and no secret; a device's own file is served only to its secret path
 * (`<secret>/<file>`) or to HTTP Digest (RFC 7616) with the device's MAC as user name and its provisioning secret as
 * password. Every fetch is logged (the secret path masked) and recorded on the device.
 */
import { createHash } from 'node:crypto';
import { DigestNonces, escapeXml, formatChallenge, parseCredentials, verifyDigest, type Clock, type DigestCredentials, type Logger } from '../base/index.js';
import type { PhoneDirectory } from '../phones/index.js';
import { commonFileName, deviceFileName, deviceTemplate, commonTemplate, parseFileName, type RequestedFile, type TemplateId, type VendorHint } from './file-names.js';
import { parseMac } from './mac.js';
import type { Device, DeviceFiles, FetchRecord, FileAnswer, FilePreview, FileRequest, FileSource, PhonebookSource, Vendor } from './model.js';
import type { ProvisioningService } from './provisioning-service.js';
import { renderContext, Templates, type RegistrarContext, type RenderContext } from './templates/index.js';
import { parseUserAgent, type UserAgentIdentity } from './user-agents.js';

export interface ProvisioningFilesOptions {
  readonly service: ProvisioningService;
  /** The extensions' display names. */
  readonly phones: Pick<PhoneDirectory, 'extension'>;
  /** The registrar the phones register with. */
  readonly registrar: RegistrarContext;
  /** The provisioning URL without a device's secret, ending in `/` (`http://192.168.1.2:8080/provisioning/`). */
  readonly baseUrl: () => string;
  /** IANA time zone of the phones. */
  readonly timeZone: string;
  /** Where user templates override the built-in ones. */
  readonly templatesDir: string;
  /** Whether an address is in the home networks (the registrar's `homeNetworks`). */
  readonly fromHome: (address: string) => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a Digest nonce is good for; default 5 minutes. */
  readonly nonceLifetimeMs?: number;
  /** The home's phonebook: a Yealink's file then names `{mac}-phonebook.xml`, served like its own file. */
  readonly phonebook?: PhonebookSource;
}

/** The Digest realm of provisioning files (user name: the MAC as 12 lower-case hex digits; password: the device's secret). */
export const provisioningRealm = 'hometel-provisioning';
/** What previews show instead of every password and secret. */
export const masked = '********';

type Outcome = FetchRecord['outcome'];
type Refusal = Exclude<FileAnswer, { kind: 'file' }>;

const unsafe = /[\\\0]/;
/** A device's remote phonebook: its MAC in the name, so that it is authorized like the device's own file. */
const phonebookName = /^([0-9a-fA-F]{12})-phonebook\.xml$/;
const segmentChars = /^[A-Za-z0-9._:-]+$/;

export class ProvisioningFiles implements FileSource, DeviceFiles {
  private readonly templates: Templates;
  private readonly nonces: DigestNonces;

  constructor(private readonly o: ProvisioningFilesOptions) {
    this.templates = new Templates(o.templatesDir, o.logger);
    this.nonces = new DigestNonces({ realm: provisioningRealm, clock: o.clock, lifetimeMs: o.nonceLifetimeMs ?? 300_000 });
  }

  /** The URL a device fetches its files from: with its secret path when it is enrolled. */
  provisioningUrl(mac?: string): string {
    const secret = mac !== undefined ? this.o.service.deviceSecret(mac) : undefined;
    return secret !== undefined ? `${this.o.baseUrl()}${secret}/` : this.o.baseUrl();
  }

  async fetch(request: FileRequest): Promise<FileAnswer> {
    const shown = maskSecret(request.path);
    const { answer, mac, name, why } = await this.answer(request);
    const outcome: Outcome = answer.kind === 'file' ? 'served' : answer.kind;
    if (mac !== undefined && this.o.service.device(mac)) {
      this.o.service.recordFetch(mac, {
        at: this.o.clock.now(),
        address: request.address,
        file: name ?? shown,
        protocol: request.protocol,
        ...(request.userAgent !== undefined ? { userAgent: request.userAgent } : {}),
        outcome,
      });
    }
    const reason = why ?? (answer.kind === 'forbidden' ? answer.reason : undefined);
    const line = { protocol: request.protocol, address: request.address, file: shown, outcome, ...(mac !== undefined ? { mac } : {}), ...(reason ? { why: reason } : {}), ...(request.userAgent ? { userAgent: request.userAgent } : {}) };
    if (answer.kind === 'file' || answer.kind === 'not-found') this.o.logger.info('provisioning fetch', line);
    // A first request without credentials is how every Digest exchange starts: no warning for it.
    else if (why === 'no credentials') this.o.logger.info('provisioning fetch refused', line);
    else this.o.logger.warn('provisioning fetch refused', line);
    return answer;
  }

  async preview(macText: string): Promise<FilePreview[]> {
    const device = this.o.service.device(macText);
    if (!device) return [];
    const vendor = vendorOf(device);
    const files: FilePreview[] = [];
    const common = commonFileName(vendor, device.model);
    const commonId = commonTemplate[vendor];
    if (common !== undefined && commonId !== undefined) files.push(await this.previewOf(common, commonId, this.commonContext(device.model)));
    const { context, secrets } = this.deviceContext(device);
    files.push(await this.previewOf(deviceFileName(vendor, device.mac), deviceTemplate[vendor], context, secrets));
    return files;
  }

  async fingerprint(macText: string): Promise<string | undefined> {
    const device = this.o.service.device(macText);
    if (device?.state !== 'enrolled') return undefined;
    const { context } = this.deviceContext(device);
    const hash = createHash('sha256').update(await this.templates.render(deviceTemplate[vendorOf(device)], context));
    // A phonebook update changes what the phone shows without changing its file: the phone is told all the same.
    if (context.phonebookUrl !== undefined && this.o.phonebook) hash.update(this.o.phonebook('yealink'));
    return hash.digest('base64url');
  }

  private async answer(request: FileRequest): Promise<{ answer: FileAnswer; mac?: string; name?: string; why?: string }> {
    if (!this.o.fromHome(request.address)) return { answer: { kind: 'forbidden', reason: 'outside the home networks' } };
    const p = request.path;
    if (p === '') return { answer: { kind: 'not-found' } };
    if (p.startsWith('/') || unsafe.test(p)) return { answer: { kind: 'forbidden', reason: 'path outside the provisioning tree' } };
    const segments = p.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..')) return { answer: { kind: 'forbidden', reason: 'path outside the provisioning tree' } };
    if (segments.length > 2 || !segments.every((s) => segmentChars.test(s))) return { answer: { kind: 'not-found' } };
    const name = segments[segments.length - 1]!;
    const secret = segments.length === 2 ? segments[0] : undefined;
    const book = phonebookName.exec(name);
    if (book) return this.phonebookAnswer(parseMac(book[1]!)!, secret, name, request);
    const agent = parseUserAgent(request.userAgent);
    const file = this.requested(name, agent);
    if (!file) return { answer: { kind: 'not-found' }, ...(agent?.mac ? { mac: agent.mac } : {}), name };
    const mac = file.mac ?? agent?.mac;
    if (mac !== undefined) this.sight(mac, file, agent, request);
    if (file.kind === 'common') {
      const body = await this.templates.render(file.template, this.commonContext(file.model ?? agent?.model));
      return { answer: fileAnswer(body, contentTypeOf(file.template)), ...(mac !== undefined ? { mac } : {}), name };
    }
    const refused = this.authorize(file.mac, secret, request);
    if (refused) return { answer: refused.answer, mac: file.mac, name, why: refused.why };
    const device = this.o.service.device(file.mac)!;
    const body = await this.templates.render(file.template, this.deviceContext(device, file.model).context);
    return { answer: fileAnswer(body, contentTypeOf(file.template), device.mac), mac: file.mac, name };
  }

  /** `{mac}-phonebook.xml`: the phonebook of a device that has one, to its secret path or Digest like its own file. */
  private phonebookAnswer(mac: string, secret: string | undefined, name: string, request: FileRequest): { answer: FileAnswer; mac?: string; name: string; why?: string } {
    const device = this.o.service.device(mac);
    if (!this.o.phonebook || !device || !hasPhonebook(device)) return { answer: { kind: 'not-found' }, name };
    const refused = this.authorize(mac, secret, request);
    if (refused) return { answer: refused.answer, mac, name, why: refused.why };
    return { answer: fileAnswer(this.o.phonebook('yealink'), 'application/xml; charset=utf-8', mac), mac, name };
  }

  /** The file a name is, its `{mac}.xml` / `{mac}.cfg` clash settled by the User-Agent, else by the known device. */
  private requested(name: string, agent: UserAgentIdentity | undefined): RequestedFile | undefined {
    const first = parseFileName(name, agent?.vendor);
    if (!first || agent || first.mac === undefined) return first;
    const known = this.o.service.device(first.mac);
    const hint: VendorHint = known?.template ?? known?.vendor;
    return hint !== undefined ? parseFileName(name, hint) : first;
  }

  private sight(mac: string, file: RequestedFile, agent: UserAgentIdentity | undefined, request: FileRequest): void {
    const vendor = agent?.vendor ?? (file.vendor !== 'generic' ? file.vendor : undefined);
    const model = agent?.model ?? file.model;
    this.o.service.sighted(
      { mac, ...(vendor ? { vendor } : {}), ...(model ? { model } : {}), ...(agent?.firmware ? { firmware: agent.firmware } : {}) },
      { via: request.protocol, address: request.address },
    );
  }

  /** Undefined when the request may have the device's own file: its secret path, or valid Digest credentials. */
  private authorize(mac: string, secret: string | undefined, request: FileRequest): { answer: Refusal; why: string } | undefined {
    if (secret !== undefined && this.o.service.isDeviceSecret(mac, secret)) return undefined;
    const digest = this.digest(mac, request);
    if (digest === 'valid') return undefined;
    const why =
      this.o.service.device(mac)?.state !== 'enrolled'
        ? 'device not enrolled'
        : secret !== undefined && digest === 'none'
          ? 'wrong secret path'
          : digest === 'none'
            ? 'no credentials'
            : `${digest} Digest credentials`;
    return { answer: { kind: 'unauthorized', challenge: this.challenge(digest === 'stale') }, why };
  }

  private digest(mac: string, request: FileRequest): 'none' | 'valid' | 'stale' | 'wrong' {
    const auth = request.authorization;
    if (!auth) return 'none';
    const cred = parseCredentials(auth.header);
    if (!cred || !this.acceptable(cred, mac, request.path)) return 'wrong';
    const password = this.o.service.deviceSecret(mac);
    if (password === undefined || !verifyDigest({ authorization: cred, method: auth.method, realm: provisioningRealm, password })) return 'wrong';
    const state = this.nonces.state(cred.nonce);
    return state === 'valid' ? 'valid' : state === 'stale' ? 'stale' : 'wrong';
  }

  /** Our realm and algorithms, qop=auth, the device's MAC as user name, and a digest-uri naming the file asked for. */
  private acceptable(cred: DigestCredentials, mac: string, path: string): boolean {
    if (cred.realm !== provisioningRealm || parseMac(cred.username) !== mac) return false;
    if (!['md5', 'sha-256'].includes(cred.algorithm.toLowerCase()) || cred.qop?.toLowerCase() !== 'auth') return false;
    let uriPath: string;
    try {
      uriPath = decodeURIComponent(new URL(cred.uri, 'http://digest-uri').pathname);
    } catch {
      return false;
    }
    return uriPath.endsWith(`/${path}`);
  }

  /** SHA-256 first, then MD5 (RFC 7616 3.7: most preferred first), one nonce for both. */
  private challenge(stale: boolean): string {
    const nonce = this.nonces.nonce();
    return (['SHA-256', 'MD5'] as const).map((algorithm) => formatChallenge({ realm: provisioningRealm, nonce, algorithm, qop: ['auth'], stale })).join(', ');
  }

  private commonContext(model: string | undefined): RenderContext {
    return renderContext({
      ...(model !== undefined ? { model } : {}),
      provisioningUrl: this.o.baseUrl(),
      registrar: this.o.registrar,
      timeZone: this.o.timeZone,
      accounts: [],
    });
  }

  private deviceContext(device: Device, model?: string): { context: RenderContext; secrets: string[] } {
    const secret = this.o.service.deviceSecret(device.mac);
    const accounts = device.extensions.map((number) => ({
      userName: number,
      displayName: this.o.phones.extension(number)?.displayName ?? number,
      password: this.o.service.passwordOf(number) ?? '',
    }));
    const context = renderContext({
      device: { mac: device.mac, ...(device.vendor ? { vendor: device.vendor } : {}), ...((model ?? device.model) ? { model: (model ?? device.model)! } : {}) },
      provisioningUrl: this.provisioningUrl(device.mac),
      ...(secret !== undefined ? { secret } : {}),
      ...(this.o.phonebook && hasPhonebook(device) ? { phonebookUrl: `${this.provisioningUrl(device.mac)}${device.mac}-phonebook.xml` } : {}),
      registrar: this.o.registrar,
      timeZone: this.o.timeZone,
      accounts,
    });
    return { context, secrets: [...(secret !== undefined ? [secret] : []), ...accounts.map((a) => a.password).filter((p) => p !== '')] };
  }

  private async previewOf(name: string, id: TemplateId, context: RenderContext, secrets: readonly string[] = []): Promise<FilePreview> {
    let body = await this.templates.render(id, context);
    // Longest first, so a secret that contains another is masked whole; escaped forms too (XML templates).
    const forms = [...new Set(secrets.flatMap((s) => [s, escapeXml(s)]))].sort((a, b) => b.length - a.length);
    for (const s of forms) body = body.split(s).join(masked);
    return { name, contentType: contentTypeOf(id), body };
  }
}

/** Only Yealink's template names a remote phonebook (`remote_phonebook.data.1.url`, Yealink's admin guide). */
function hasPhonebook(device: Device): boolean {
  return vendorOf(device) === 'yealink';
}

/** The template a device's files are rendered from: its own, else its vendor's, else hometel's generic XML. */
function vendorOf(device: Device): Vendor {
  return device.template ?? device.vendor ?? 'generic';
}

function contentTypeOf(id: TemplateId): string {
  return id.startsWith('yealink') ? 'text/plain; charset=utf-8' : 'application/xml; charset=utf-8';
}

function fileAnswer(text: string, contentType: string, device?: string): FileAnswer {
  const body = Buffer.from(text, 'utf8');
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  return { kind: 'file', body, contentType, etag, ...(device !== undefined ? { device } : {}) };
}

/** The path as logged: a secret path's first segment never appears. */
export function maskSecret(path: string): string {
  const slash = path.indexOf('/');
  return slash > 0 ? `${masked}${path.slice(slash)}` : path;
}
