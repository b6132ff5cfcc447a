/**
 * The render context every template sees (docs/provisioning.md lists it): hometel's data for one device — its
 * accounts with their passwords, the registrar, the time zone, the provisioning URL. Common files get the same
 * context without accounts, secret or MAC. Every string is cleaned of control characters (a newline in a display
 * name must not start a new `key = value` line of a Yealink file).
 */
import type { Vendor } from '../model.js';
import { formatMac } from '../mac.js';

export interface RegistrarContext {
  readonly host: string;
  readonly port: number;
  readonly transport: 'udp' | 'tcp';
  readonly realm: string;
}

export interface AccountContext {
  /** 1, 2, …: the phone's account (line key) number. */
  readonly index: number;
  /** The extension number: the SIP user name and the Digest user name alike. */
  readonly userName: string;
  readonly authName: string;
  readonly displayName: string;
  readonly label: string;
  readonly password: string;
}

export interface TimeZoneContext {
  /** IANA name (`Europe/Berlin`). */
  readonly name: string;
  /** The standard-time offset from UTC (phones apply summer time by their own rules). */
  readonly offsetMinutes: number;
  readonly offsetSeconds: number;
  /** `+1`, `-3.5`, `+5.75`. */
  readonly offsetHours: string;
}

export interface RenderContext {
  readonly mac?: string;
  readonly macUpper?: string;
  readonly macColons?: string;
  readonly vendor?: Vendor;
  readonly model?: string;
  /** Where the device fetches its files: with its secret path for its own file, without it for common files. */
  readonly provisioningUrl: string;
  /** The same without the scheme (Grandstream's config server path). */
  readonly provisioningPath: string;
  /** The device's provisioning secret (its Digest password); absent in common files. */
  readonly secret?: string;
  /** The home's phonebook for this device (behind its secret path); absent where hometel has none for its vendor. */
  readonly phonebookUrl?: string;
  readonly registrar: RegistrarContext & {
    readonly tcp: boolean;
    readonly yealinkTransport: number;
    readonly grandstreamTransport: number;
    readonly polycomTransport: 'UDPOnly' | 'TCPOnly';
  };
  readonly timeZone: TimeZoneContext;
  readonly accounts: readonly AccountContext[];
  /** The first account (Grandstream's and the generic file's single-account parts). */
  readonly account?: AccountContext;
}

export interface ContextInput {
  readonly device?: { readonly mac: string; readonly vendor?: Vendor; readonly model?: string };
  readonly model?: string;
  readonly provisioningUrl: string;
  readonly secret?: string;
  readonly phonebookUrl?: string;
  readonly registrar: RegistrarContext;
  readonly timeZone: string;
  readonly accounts: ReadonlyArray<Omit<AccountContext, 'index' | 'label' | 'authName'>>;
}

/** Drops control characters (CR, LF, NUL …) from every string of the context. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]/g, '');
}

/** The standard-time offset of an IANA zone: the smaller of January's and July's (summer time only adds). */
export function timeZoneOf(name: string, year = new Date().getUTCFullYear()): TimeZoneContext {
  const offsetAt = (month: number): number => {
    const text = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' }).formatToParts(Date.UTC(year, month, 1)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(text);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
  const minutes = Math.min(offsetAt(0), offsetAt(6));
  const hours = minutes / 60;
  return { name, offsetMinutes: minutes, offsetSeconds: minutes * 60, offsetHours: `${hours < 0 ? '-' : '+'}${Math.abs(hours)}` };
}

export function renderContext(i: ContextInput): RenderContext {
  const mac = i.device?.mac;
  const model = i.device?.model ?? i.model;
  const accounts = i.accounts.map((a, n) => ({
    index: n + 1,
    userName: clean(a.userName),
    authName: clean(a.userName),
    displayName: clean(a.displayName),
    label: clean(a.displayName || a.userName),
    password: clean(a.password),
  }));
  const url = clean(i.provisioningUrl);
  return {
    ...(mac !== undefined ? { mac, macUpper: mac.toUpperCase(), macColons: formatMac(mac) } : {}),
    ...(i.device?.vendor !== undefined ? { vendor: i.device.vendor } : {}),
    ...(model !== undefined ? { model: clean(model) } : {}),
    provisioningUrl: url,
    provisioningPath: url.replace(/^[a-z]+:\/\//i, ''),
    ...(i.secret !== undefined ? { secret: i.secret } : {}),
    ...(i.phonebookUrl !== undefined ? { phonebookUrl: clean(i.phonebookUrl) } : {}),
    registrar: {
      ...i.registrar,
      host: clean(i.registrar.host),
      realm: clean(i.registrar.realm),
      tcp: i.registrar.transport === 'tcp',
      yealinkTransport: i.registrar.transport === 'tcp' ? 1 : 0,
      grandstreamTransport: i.registrar.transport === 'tcp' ? 1 : 0,
      polycomTransport: i.registrar.transport === 'tcp' ? 'TCPOnly' : 'UDPOnly',
    },
    timeZone: timeZoneOf(i.timeZone),
    accounts,
    ...(accounts[0] ? { account: accounts[0] } : {}),
  };
}
