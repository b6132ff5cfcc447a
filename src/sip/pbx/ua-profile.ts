/**
 * The `ua-profile` event package (RFC 6080 6) as plug and play and the RFC 6080 subscriptions both read it: the
 * Event header's parameters (6.2: profile-type, vendor, model, version), the device a Request-URI or To names (5.1.1:
 * `sip:MAC%3a001565a1b2c3@…`), and the NOTIFY body that tells the device where its profile is — a bare URL
 * (`application/url`, what desk phones' plug and play expects) or RFC 4483 content indirection
 * (`message/external-body`, the form RFC 6080 6.5 names) when the subscriber's Accept lists it.
 */
import { parseMac, vendors, type DeviceIdentity, type Vendor } from '../../provisioning/index.js';
import { parseHeaderParams, parseUri, unquote, type SipRequest } from '../index.js';

export const uaProfileEvent = 'ua-profile';
export const urlType = 'application/url';
export const externalBodyType = 'message/external-body';

/** RFC 6080 6.2 profile types (`application` came later, in a draft hometel does not serve). */
export type ProfileType = 'device' | 'user' | 'local-network';

export interface UaProfileEvent {
  /** undefined when the parameter is missing or names a type RFC 6080 does not define. */
  readonly profileType?: ProfileType;
  readonly vendor?: string;
  readonly model?: string;
  readonly version?: string;
  /** The header's value as sent (a NOTIFY repeats it, RFC 6665 8.2.1). */
  readonly header: string;
}

/** The ua-profile Event value's parameters, or undefined when the header names another package or does not parse. */
export function parseUaProfileEvent(value: string | undefined): UaProfileEvent | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  if ((semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase() !== uaProfileEvent) return undefined;
  const params = semi < 0 ? new Map<string, string | null>() : parseHeaderParams(value.slice(semi));
  if (!params) return undefined;
  const text = (name: string): string | undefined => unquote(params.get(name))?.trim() || undefined;
  const type = text('profile-type')?.toLowerCase();
  const profileType = type === 'device' || type === 'user' || type === 'local-network' ? type : undefined;
  const vendor = text('vendor');
  const model = text('model');
  const version = text('version');
  return { ...(profileType ? { profileType } : {}), ...(vendor ? { vendor } : {}), ...(model ? { model } : {}), ...(version ? { version } : {}), header: value.trim() };
}

/**
 * The MAC of a device URI's user part: `MAC:001565a1b2c3` (escaped `MAC%3a…` as RFC 6080 5.1.1 writes it; the
 * codec unescapes), also sent unescaped, which a URI parser reads as user `MAC` and password `001565a1b2c3`.
 */
export function macOfUri(text: string | undefined): string | undefined {
  const uri = text === undefined ? undefined : parseUri(text);
  if (uri?.kind !== 'sip' || uri.user === undefined) return undefined;
  const user = uri.password !== undefined ? `${uri.user}:${uri.password}` : uri.user;
  const m = /^mac:(.+)$/i.exec(user);
  return m ? parseMac(m[1]!) : undefined;
}

/** The device a ua-profile SUBSCRIBE names: the Request-URI's MAC, else the To header's. */
export function macOfRequest(req: SipRequest): string | undefined {
  return macOfUri(req.uri) ?? macOfUri(nameAddrUri(req.headers.get('To')));
}

function nameAddrUri(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /<([^>]*)>/.exec(value);
  return m ? m[1] : value.split(';')[0]!.trim();
}

/** What a ua-profile SUBSCRIBE says about the device (the vendor only when hometel has a template for it). */
export function identityOf(mac: string, event: UaProfileEvent): DeviceIdentity {
  const vendor = vendorOf(event.vendor);
  return { mac, ...(vendor ? { vendor } : {}), ...(event.model ? { model: event.model } : {}), ...(event.version ? { firmware: event.version } : {}) };
}

/** A vendor as phones write it (`Yealink`, `snom`, `Polycom`, `Grandstream`) mapped to hometel's names. */
export function vendorOf(text: string | undefined): Vendor | undefined {
  const v = text?.trim().toLowerCase();
  return vendors.find((known) => known !== 'generic' && v === known);
}

export interface ProfileBody {
  readonly contentType: string;
  readonly body: string;
}

/**
 * The NOTIFY body pointing at `url`: RFC 4483 content indirection when the subscriber's Accept lists
 * message/external-body explicitly (RFC 6080 6.5), else the bare URL as `application/url`.
 */
export function profileBody(url: string, accept: readonly string[]): ProfileBody {
  const explicit = accept.flatMap((v) => v.split(',')).some((v) => v.split(';')[0]!.trim().toLowerCase() === externalBodyType);
  if (!explicit) return { contentType: urlType, body: `${url}\r\n` };
  // RFC 4483 3/4: access-type URL with the URL as a parameter; the phantom body names the content's type and
  // carries the Content-ID the RFC requires. The URL names the provisioning directory, so its type is generic.
  return {
    contentType: `${externalBodyType};access-type="URL";URL="${url.replace(/["\\\r\n]/g, '')}"`,
    body: `Content-Type: application/octet-stream\r\nContent-ID: <${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@hometel>\r\n\r\n`,
  };
}
