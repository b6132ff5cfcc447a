/**
 * The XML fragments of MediaManagement:1 (namespace urn:schemas-upnp-org:phone:mms, see mms-types.ts): one
 * pure `build…` and one `parse…` per fragment type.
 *
 * Building writes the form the printed fragments have: an XML declaration, the root in the mms namespace
 * (prefix `mms`, declared as such), xsi:schemaLocation, unqualified children. SDP is written with CR escaped
 * as `&#13;`, so its CRLF line ends survive any XML parser.
 *
 * Parsing is lenient the way the spec's own examples need (docs/decisions.md), like the cams codecs:
 * white space before the declaration; a root prefix the document never declares while it declares the mms
 * namespace under another prefix (47 printed fragments write `<mms:… xmlns:cams="urn:schemas-upnp-org:phone:mms">`)
 * is read in the mms namespace; a root without namespace; for mediaCapabilityInfo also a root in the cams
 * namespace (a TelCP may pass on what the TS gave it); white space inside namespace URIs; element names in any
 * letter case; white space, quotes and letter case around enumerated values; SDP given CRLF line ends back.
 * It is strict where a value would be meaningless: a missing mediaSessionID or a status outside
 * Started/Stopped gives `{ ok: false }`. Parsing never throws; only safe-xml's parseXml reads the text.
 */
import { escapeXml, type Element } from '../../../upnp/index.js';
import { child, decodeEach, enumValue, fail, parseFragment, type FragmentParseResult } from '../fragment-decoding.js';
import { camsNamespace } from '../call-management/cams-types.js';
import { decodeMediaCapability } from '../call-management/cams-parse.js';
import {
  mediaCapabilityFormats,
  mediaSessionStatusValues,
  mmsNamespace,
  mmsSchemaLocation,
  type MediaCapability,
  type MediaSessionInfo,
  type MediaSessionInfoList,
  type MmsMediaCapabilityInfo,
} from './mms-types.js';

export type MmsParseResult<T> = FragmentParseResult<T>;

const xmlDeclaration = '<?xml version="1.0" encoding="utf-8"?>';
const xsiNamespace = 'http://www.w3.org/2001/XMLSchema-instance';

// ---------------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------------

function leaf(name: string, text: string, attrs = ''): string {
  return `<${name}${attrs}>${escapeXml(text)}</${name}>`;
}

function mediaCapabilityElement(m: MediaCapability): string {
  return leaf('mediaCapability', m.content, m.format !== undefined ? ` format="${escapeXml(m.format)}"` : '');
}

function indent(lines: string[], depth: number): string {
  const pad = '  '.repeat(depth);
  return lines.map((l) => `${pad}${l}`).join('\n');
}

function document(root: string, children: string[]): string {
  const attrs =
    ` xmlns:mms="${mmsNamespace}"` + ` xmlns:xsi="${xsiNamespace}"` + ` xsi:schemaLocation="${mmsNamespace} ${mmsSchemaLocation}"`;
  const body = children.length ? `\n${indent(children, 1)}\n` : '';
  return `${xmlDeclaration}\n<mms:${root}${attrs}>${body}</mms:${root}>\n`;
}

function sessionChildren(s: MediaSessionInfo): string[] {
  const out = [leaf('mediaSessionID', s.mediaSessionID), leaf('mediaSessionStatus', s.mediaSessionStatus)];
  if (s.mediaCapability !== undefined) out.push(mediaCapabilityElement(s.mediaCapability));
  return out;
}

/** TS/TC/Supported/NewMediaCapabilityInfo. */
export function buildMmsMediaCapabilityInfo(info: MmsMediaCapabilityInfo): string {
  return document('mediaCapabilityInfo', info.mediaCapability !== undefined ? [mediaCapabilityElement(info.mediaCapability)] : []);
}

/** The evented MediaSessionInfo. */
export function buildMediaSessionInfo(info: MediaSessionInfo): string {
  return document('mediaSessionInfo', sessionChildren(info));
}

/** GetMediaSessionInfo's MediaSessionInfoList. */
export function buildMediaSessionInfoList(list: MediaSessionInfoList): string {
  return document(
    'mediaSessionInfoList',
    list.map((s) => `<mediaSessionInfo>\n${indent(sessionChildren(s), 2)}\n  </mediaSessionInfo>`),
  );
}

// ---------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------

function validateMediaCapability(m: MediaCapability | undefined, where: string): string[] {
  if (m === undefined) return [];
  const problems: string[] = [];
  if (m.format !== undefined && !(mediaCapabilityFormats as readonly string[]).includes(m.format)) {
    problems.push(`${where}: format "${m.format}" is not one of ${mediaCapabilityFormats.join(', ')}`);
  }
  if (typeof m.content !== 'string') problems.push(`${where}: content must be a string`);
  return problems;
}

export function validateMmsMediaCapabilityInfo(info: MmsMediaCapabilityInfo): string[] {
  return validateMediaCapability(info.mediaCapability, 'mediaCapability');
}

export function validateMediaSessionInfo(s: MediaSessionInfo, where = 'mediaSessionInfo'): string[] {
  const problems: string[] = [];
  if (typeof s.mediaSessionID !== 'string' || s.mediaSessionID.trim() === '') problems.push(`${where}: mediaSessionID is REQUIRED`);
  if (!(mediaSessionStatusValues as readonly string[]).includes(s.mediaSessionStatus)) {
    problems.push(`${where}: mediaSessionStatus "${String(s.mediaSessionStatus)}" is not one of ${mediaSessionStatusValues.join(', ')}`);
  }
  problems.push(...validateMediaCapability(s.mediaCapability, `${where}/mediaCapability`));
  return problems;
}

export function validateMediaSessionInfoList(list: MediaSessionInfoList): string[] {
  return list.flatMap((s, i) => validateMediaSessionInfo(s, `mediaSessionInfo[${i}]`));
}

// ---------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------

function decodeMediaCapabilityInfo(root: Element): MmsMediaCapabilityInfo {
  const m = child(root, 'mediaCapability');
  return m ? { mediaCapability: decodeMediaCapability(m, 'mediaCapability/@format') } : {};
}

function decodeSession(el: Element): MediaSessionInfo {
  const idEl = child(el, 'mediaSessionID') ?? fail(`<${el.localName}> has no <mediaSessionID>`);
  const id = (idEl.textContent ?? '').trim();
  if (id === '') fail('<mediaSessionID> is empty');
  const statusEl = child(el, 'mediaSessionStatus') ?? fail(`<${el.localName}> has no <mediaSessionStatus>`);
  const s: MediaSessionInfo = {
    mediaSessionID: id,
    mediaSessionStatus: enumValue(statusEl.textContent ?? '', mediaSessionStatusValues, 'mediaSessionStatus'),
  };
  const m = child(el, 'mediaCapability');
  if (m) s.mediaCapability = decodeMediaCapability(m, 'mediaCapability/@format');
  return s;
}

/** The namespace URIs a document declares for prefixes (`xmlns:p="…"`), white space removed. */
function declaredPrefixes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/xmlns:([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out.set(m[1]!, (m[2] ?? m[3] ?? '').replace(/\s+/g, ''));
  }
  return out;
}

/**
 * The printed quirk `<mms:root … xmlns:cams="urn:schemas-upnp-org:phone:mms">`: the root's prefix is declared
 * nowhere while the mms namespace is declared under another prefix. Declares the root's prefix for the mms
 * namespace; undefined when the document does not have exactly this problem.
 */
function bindUndeclaredRootPrefix(text: string): string | undefined {
  const root = /<([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)/.exec(text.replace(/^\s*<\?xml[^>]*\?>/, (d) => ' '.repeat(d.length)));
  if (!root) return undefined;
  const prefix = root[1]!;
  const declared = declaredPrefixes(text);
  if (declared.has(prefix) || prefix === 'xml') return undefined;
  if (![...declared.values()].includes(mmsNamespace)) return undefined;
  const at = root.index + root[0].length;
  return `${text.slice(0, at)} xmlns:${prefix}="${mmsNamespace}"${text.slice(at)}`;
}

function parseDocument<T>(
  input: unknown,
  rootName: string,
  namespaces: readonly string[],
  decode: (root: Element) => T,
  validate: (value: T) => string[],
): MmsParseResult<T> {
  return parseFragment(input, { rootNames: [rootName], namespaces, decode, validate, repair: bindUndeclaredRootPrefix });
}

/**
 * TS/TC/Supported/NewMediaCapabilityInfo (root `mediaCapabilityInfo` in the mms namespace, in none, or in the
 * cams namespace, whose `<mediaCapability>` is the same element). Only `<mediaCapability>` is read (the first
 * one); other children (cams' nativeMediaCapability, enableMediaMixing …) are ignored.
 */
export function parseMmsMediaCapabilityInfo(text: string): MmsParseResult<MmsMediaCapabilityInfo> {
  return parseDocument(text, 'mediaCapabilityInfo', [mmsNamespace, camsNamespace], decodeMediaCapabilityInfo, validateMmsMediaCapabilityInfo);
}

/** The evented MediaSessionInfo. */
export function parseMediaSessionInfo(text: string): MmsParseResult<MediaSessionInfo> {
  return parseDocument(text, 'mediaSessionInfo', [mmsNamespace], decodeSession, (s) => validateMediaSessionInfo(s));
}

/** GetMediaSessionInfo's MediaSessionInfoList. */
export function parseMediaSessionInfoList(text: string): MmsParseResult<MediaSessionInfoList> {
  return parseDocument(
    text,
    'mediaSessionInfoList',
    [mmsNamespace],
    (root) => decodeEach(root, 'mediaSessionInfo', decodeSession),
    validateMediaSessionInfoList,
  );
}
