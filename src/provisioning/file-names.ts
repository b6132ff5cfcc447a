/**
 * The file names phones really ask for (their vendors' provisioning guides; docs/provisioning.md), and what each
 * one is: a vendor's common file (no account, no secret) or a device's own file (its MAC in the name). Nothing here
 * touches a file system: a name either is one of these forms or it is nothing.
 *
 * - Yealink: `y000000000000.cfg` (every model) and `y0000000000NN.cfg` (one model) are common; `{mac}.cfg` is the
 *   device's own.
 * - Snom: `snom{model}.xml` (`snomD735.xml`, `snom320.xml`) is common; `{MAC}.xml` and `snom{model}-{MAC}.xml` are the
 *   device's own.
 * - Grandstream: `cfg.xml` and `cfg{model}.xml` (`cfggxp2170.xml`), the generic files a phone falls back to, are
 *   common; `cfg{mac}.xml` and `cfg{mac}` are the device's own.
 * - Polycom: `000000000000.cfg` is the master file (common); `{mac}.cfg` is a device's own master file, which names
 *   no secret either and is served as the common one; `{mac}-phone.cfg` is the device's own.
 * - hometel's generic XML: `{mac}.xml`. It clashes with Snom's `{MAC}.xml`: the User-Agent's vendor, else the known
 *   device's template or vendor, decides (Snom when either says Snom, the generic XML otherwise).
 * MACs are matched case-insensitively, with or without separators (`parseMac`).
 */
import { commonMac, parseMac } from './mac.js';
import type { Vendor } from './model.js';

/** The built-in templates, by what they render; a user template is `<id>.<extension>.mustache` (templateFileName). */
export const templateIds = ['yealink-common', 'yealink-device', 'snom-common', 'snom-device', 'grandstream-common', 'grandstream-device', 'polycom-master', 'polycom-device', 'generic-device'] as const;
export type TemplateId = (typeof templateIds)[number];

/** What a requested file name is. */
export type RequestedFile =
  /** A vendor's common file; `mac` when the name carries the requester's MAC (Polycom's `{mac}.cfg`). */
  | { readonly kind: 'common'; readonly vendor: Vendor; readonly template: TemplateId; readonly model?: string; readonly mac?: string }
  /** A device's own file: it carries the device's accounts. */
  | { readonly kind: 'device'; readonly vendor: Vendor; readonly template: TemplateId; readonly mac: string; readonly model?: string };

/** The device template of each vendor, and the common one (Polycom's master; generic has none). */
export const deviceTemplate: Readonly<Record<Vendor, TemplateId>> = {
  yealink: 'yealink-device',
  snom: 'snom-device',
  grandstream: 'grandstream-device',
  polycom: 'polycom-device',
  generic: 'generic-device',
};
export const commonTemplate: Readonly<Record<Vendor, TemplateId | undefined>> = {
  yealink: 'yealink-common',
  snom: 'snom-common',
  grandstream: 'grandstream-common',
  polycom: 'polycom-master',
  generic: undefined,
};

/** The name a device asks for its own file by (`{mac}.cfg`, `{MAC}.xml`, `cfg{mac}.xml`, `{mac}-phone.cfg`, `{mac}.xml`). */
export function deviceFileName(vendor: Vendor, mac: string): string {
  switch (vendor) {
    case 'yealink':
      return `${mac}.cfg`;
    case 'snom':
      return `${mac.toUpperCase()}.xml`;
    case 'grandstream':
      return `cfg${mac}.xml`;
    case 'polycom':
      return `${mac}-phone.cfg`;
    case 'generic':
      return `${mac}.xml`;
  }
}

/** The common file a device of this vendor (and model) asks for, if the vendor has one. */
export function commonFileName(vendor: Vendor, model?: string): string | undefined {
  switch (vendor) {
    case 'yealink':
      return `y${commonMac}.cfg`;
    case 'snom':
      return model ? `snom${model}.xml` : undefined;
    case 'grandstream':
      return 'cfg.xml';
    case 'polycom':
      return `${commonMac}.cfg`;
    case 'generic':
      return undefined;
  }
}

/** The user template file that overrides a built-in one, in `provisioning.templatesDir`. */
export function templateFileName(id: TemplateId): string {
  return `${id}.${id.startsWith('yealink') ? 'cfg' : id.startsWith('polycom') ? 'cfg' : 'xml'}.mustache`;
}

/** Which vendor settles the `{mac}.xml` (Snom or generic) and `{mac}.cfg` (Yealink or Polycom) clashes. */
export type VendorHint = Vendor | undefined;

const snomModel = /^snom([a-z]*\d+[a-z0-9]*)$/i;
const gsModel = /^[a-z]{2,4}\d{3,4}[a-z]?$/i;

/** What `name` (one path segment, no directory) is, or undefined when it is none of the forms above. */
export function parseFileName(name: string, hint: VendorHint): RequestedFile | undefined {
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  const ext = dot >= 0 ? lower.slice(dot + 1) : '';
  const stem = dot >= 0 ? name.slice(0, dot) : name;
  if (ext === 'cfg') return cfgFile(stem, hint);
  if (ext === 'xml') return xmlFile(stem, hint);
  if (ext === '' && /^cfg/i.test(name)) {
    const mac = parseMac(name.slice(3));
    return mac !== undefined && mac !== commonMac ? device('grandstream', mac) : undefined;
  }
  return undefined;
}

function device(vendor: Vendor, mac: string, model?: string): RequestedFile {
  return { kind: 'device', vendor, template: deviceTemplate[vendor], mac, ...(model ? { model } : {}) };
}

function cfgFile(stem: string, hint: VendorHint): RequestedFile | undefined {
  if (/^y\d{12}$/i.test(stem)) {
    const code = stem.slice(1);
    return { kind: 'common', vendor: 'yealink', template: 'yealink-common', ...(code !== commonMac ? { model: code } : {}) };
  }
  const phone = /^(.+)-phone$/i.exec(stem);
  if (phone) {
    const mac = parseMac(phone[1]!);
    return mac !== undefined && mac !== commonMac ? device('polycom', mac) : undefined;
  }
  const mac = parseMac(stem);
  if (mac === undefined) return undefined;
  if (mac === commonMac) return { kind: 'common', vendor: 'polycom', template: 'polycom-master' };
  return hint === 'polycom' ? { kind: 'common', vendor: 'polycom', template: 'polycom-master', mac } : device('yealink', mac);
}

function xmlFile(stem: string, hint: VendorHint): RequestedFile | undefined {
  const mac = parseMac(stem);
  if (mac !== undefined) return mac === commonMac ? undefined : device(hint === 'snom' ? 'snom' : 'generic', mac);
  const snomDevice = /^snom([a-z0-9]+)-(.+)$/i.exec(stem);
  if (snomDevice) {
    const m = parseMac(snomDevice[2]!);
    return m !== undefined && m !== commonMac ? device('snom', m, snomDevice[1]!.toUpperCase()) : undefined;
  }
  const snom = snomModel.exec(stem);
  if (snom) return { kind: 'common', vendor: 'snom', template: 'snom-common', model: snom[1]!.toUpperCase() };
  if (/^cfg/i.test(stem)) {
    const rest = stem.slice(3);
    if (rest === '') return { kind: 'common', vendor: 'grandstream', template: 'grandstream-common' };
    const m = parseMac(rest);
    if (m !== undefined) return m === commonMac ? undefined : device('grandstream', m);
    if (gsModel.test(rest)) return { kind: 'common', vendor: 'grandstream', template: 'grandstream-common', model: rest.toUpperCase() };
  }
  return undefined;
}
