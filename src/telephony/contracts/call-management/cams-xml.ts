/**
 * The XML-fragment state variables of CallManagement:1 (section 2.4, Appendix B schema "cams",
 * Appendix A peerType): one pure `build…` and one `parse…` per fragment type, plus `validate…`.
 *
 * Building writes what the schema requires: an XML declaration, the cams (and, where the spec asks for
 * it, peer) namespace declarations, the root in the cams namespace, unqualified children in schema
 * order, `peer:`-qualified peer fields. SDP is written verbatim with CR escaped as `&#13;`, so its CRLF
 * line ends survive any XML parser's line-end normalisation.
 *
 * Parsing is lenient the way a device must be with the spec's own examples (see docs/decisions.md):
 * white space before the XML declaration; white space inside namespace URIs; white space, surrounding
 * quotes and letter case in enumerated values; a root without namespace; element names in the spellings
 * the prose uses (`TelCPNames`, `<peer>` for `<remoteParty>`, `callbackID`, `startTime`, …) and any
 * letter case; SDP whose CRLF line ends became LF (or whose lines were indented) is given CRLF back;
 * unknown elements are ignored. It is strict where a value would be meaningless: a missing REQUIRED
 * element or an enumerated value outside its table gives `{ ok: false, reason }` (the service answers
 * 402). Parsing never throws. Only `parseXml` of safe-xml.ts reads the text (no DTDs, no entities).
 */
import { normalizeSdp } from '../../../media/sdp/index.js';
import { elementValue, escapeXml } from '../../../upnp/xml/safe-xml.js';
import { errorMessage } from '../../../base/index.js';
import { child, children, enumValue, fail, parseFragment, type FragmentParseResult } from '../fragment-decoding.js';
import type { Element } from '../../../upnp/xml/safe-xml.js';
import {
  callDirections,
  callLogTypes,
  callStatusReasonStatuses,
  callStatusReasonValues,
  callStatusValues,
  camsNamespace,
  camsSchemaLocation,
  mediaCapabilityFormats,
  peerNamespace,
  peerSchemaLocation,
  priorityValues,
  targetNamesTypes,
} from './cams-types.js';
import type {
  CallBackAvailability,
  CallBackInfo,
  CallBackInfoList,
  CallInfo,
  CallInfoList,
  CallLog,
  CallLogs,
  CallStatusReason,
  GeneralCallInfo,
  MediaCapability,
  MediaCapabilityInfo,
  NonEmptyArray,
  Peer,
  SupportedMediaCapabilityInfo,
  TargetNames,
  TC,
  TCList,
  TelCPNameList,
} from './cams-types.js';

export type CamsParseResult<T> = FragmentParseResult<T>;

/** Which elements of a CallInfo to write: everything, or only the general information of 2.3.3. */
export type CallInfoView = 'full' | 'general';
export interface CallInfoBuildOptions {
  view?: CallInfoView;
}

const xmlDeclaration = '<?xml version="1.0" encoding="utf-8"?>';
const xsiNamespace = 'http://www.w3.org/2001/XMLSchema-instance';
const maxUnsignedInt = 4294967295;

// ---------------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------------

/** An element to write: text content (escaped, never re-indented) or child elements. */
interface XmlNode {
  name: string;
  attrs?: string;
  text?: string;
  children?: XmlNode[];
}

function attr(name: string, value: string): string {
  return ` ${name}="${escapeXml(value)}"`;
}

function leaf(name: string, text: string, attrs = ''): XmlNode {
  return { name, attrs, text };
}

function branch(name: string, children: XmlNode[], attrs = ''): XmlNode {
  return { name, attrs, children };
}

/** Two spaces per level between elements; text content is written exactly (SDP keeps its line starts). */
function serialize(node: XmlNode, depth: number): string {
  const pad = '  '.repeat(depth);
  const open = `${node.name}${node.attrs ?? ''}`;
  if (node.text !== undefined) return `${pad}<${open}>${escapeXml(node.text)}</${node.name}>`;
  const kids = node.children ?? [];
  if (kids.length === 0) return `${pad}<${open}/>`;
  return `${pad}<${open}>\n${kids.map((k) => serialize(k, depth + 1)).join('\n')}\n${pad}</${node.name}>`;
}

/** A whole document: declaration, the cams root with its namespace declarations, children in order. */
function document(root: string, children: XmlNode[], withPeer: boolean): string {
  const attrs =
    attr('xmlns:cams', camsNamespace) +
    (withPeer ? attr('xmlns:peer', peerNamespace) : '') +
    attr('xmlns:xsi', xsiNamespace) +
    attr('xsi:schemaLocation', `${camsNamespace} ${camsSchemaLocation}`);
  return `${xmlDeclaration}\n${serialize(branch(`cams:${root}`, children, attrs), 0)}\n`;
}

/** The fields of a peerType, in schema order (id, name, contactInstanceId | groupInstanceId). */
function peerFields(p: Peer): XmlNode[] {
  const out = [leaf('peer:id', p.id)];
  if (p.name !== undefined) out.push(leaf('peer:name', p.name));
  if (p.contactInstanceId !== undefined) out.push(leaf('peer:contactInstanceId', String(p.contactInstanceId)));
  else if (p.groupInstanceId !== undefined) out.push(leaf('peer:groupInstanceId', String(p.groupInstanceId)));
  return out;
}

function mediaCapabilityElement(name: string, m: MediaCapability): XmlNode {
  return leaf(name, m.content, m.format !== undefined ? attr('format', m.format) : '');
}

function targetNamesText(t: TargetNames): string {
  return t.names === '*' ? '*' : t.names.join(',');
}

function tcElements(list: TCList): XmlNode[] {
  return list.map((tc) => {
    const fields: XmlNode[] = [];
    if (tc.udn !== undefined) fields.push(leaf('UDN', tc.udn));
    if (tc.mediaSessionID !== undefined) fields.push(leaf('mediaSessionID', tc.mediaSessionID));
    return branch('TC', fields);
  });
}

/** Selective Information Delivery (2.3.3, 2.6.7.3): only callID, targetNames and callStatus (with its reason). */
export function toGeneralCallInfo(ci: GeneralCallInfo): GeneralCallInfo {
  const g: GeneralCallInfo = { callID: ci.callID, targetNames: ci.targetNames, callStatus: ci.callStatus };
  if (ci.reason !== undefined) g.reason = ci.reason;
  return g;
}

/** The children of a callInfo element in callInfoType order. */
function callInfoChildren(ci: CallInfo, view: CallInfoView): XmlNode[] {
  const out = [
    leaf('callID', ci.callID),
    leaf('targetNames', targetNamesText(ci.targetNames), attr('type', ci.targetNames.type)),
    leaf('callStatus', ci.callStatus, ci.reason !== undefined ? attr('reason', ci.reason) : ''),
  ];
  if (view === 'general') return out;
  if (ci.priority !== undefined) out.push(leaf('priority', ci.priority));
  if (ci.remoteParty !== undefined) out.push(branch('remoteParty', peerFields(ci.remoteParty)));
  if (ci.tcList !== undefined) out.push(branch('TCList', tcElements(ci.tcList)));
  if (ci.enableMediaMixing !== undefined) out.push(leaf('enableMediaMixing', ci.enableMediaMixing ? '1' : '0'));
  if (ci.shareMedia !== undefined) out.push(leaf('shareMedia', ci.shareMedia));
  if (ci.mediaCapability !== undefined) out.push(mediaCapabilityElement('mediaCapability', ci.mediaCapability));
  if (ci.nativeMediaCapability !== undefined) {
    out.push(mediaCapabilityElement('nativeMediaCapability', ci.nativeMediaCapability));
  }
  return out;
}

/** 2.4.2 CallInfo. `view: 'general'` writes only callID, targetNames and callStatus (2.3.3). */
export function buildCallInfo(ci: CallInfo, options: CallInfoBuildOptions = {}): string {
  return document('callInfo', callInfoChildren(ci, options.view ?? 'full'), true);
}

/** 2.4.2 CallInfo as evented for a Monopolization Mode Call or to unauthorised identities (2.3.3, 2.6.7.3). */
export function buildGeneralCallInfo(ci: GeneralCallInfo): string {
  return document('callInfo', callInfoChildren(ci, 'general'), true);
}

/** 2.4.17 A_ARG_TYPE_CallInfoList. `view` applies to every entry; mixed lists pass entries through toGeneralCallInfo. */
export function buildCallInfoList(list: CallInfoList, options: CallInfoBuildOptions = {}): string {
  const view = options.view ?? 'full';
  return document(
    'callInfoList',
    list.map((ci) => branch('callInfo', callInfoChildren(ci, view))),
    true,
  );
}

/** 2.4.16 A_ARG_TYPE_TCList. */
export function buildTCList(list: TCList): string {
  return document('TCList', tcElements(list), false);
}

/** 2.4.9 A_ARG_TYPE_MediaCapabilityInfo (the input of StartCall, AcceptCall, ModifyCall, StartMediaTransfer, …). */
export function buildMediaCapabilityInfo(info: MediaCapabilityInfo): string {
  const out: XmlNode[] = [];
  if (info.enableMediaMixing !== undefined) out.push(leaf('enableMediaMixing', info.enableMediaMixing ? '1' : '0'));
  if (info.shareMedia !== undefined) out.push(leaf('shareMedia', info.shareMedia));
  if (info.mediaCapability !== undefined) out.push(mediaCapabilityElement('mediaCapability', info.mediaCapability));
  if (info.nativeMediaCapability !== undefined) {
    out.push(mediaCapabilityElement('nativeMediaCapability', info.nativeMediaCapability));
  }
  return document('mediaCapabilityInfo', out, false);
}

/** 2.4.9 / 2.6.6 SupportedMediaCapabilityInfo, GetMediaCapabilities()'s output. */
export function buildSupportedMediaCapabilityInfo(info: SupportedMediaCapabilityInfo): string {
  const out: XmlNode[] = [];
  if (info.mediaMixingCapability === true) out.push(leaf('mediaMixingCapability', ''));
  if (info.mediaSharingCapability === true) out.push(leaf('mediaSharingCapability', ''));
  if (info.mediaCapability !== undefined) out.push(mediaCapabilityElement('mediaCapability', info.mediaCapability));
  if (info.nativeMediaCapability !== undefined) {
    out.push(mediaCapabilityElement('nativeMediaCapability', info.nativeMediaCapability));
  }
  return document('mediaCapabilityInfo', out, false);
}

/** 2.4.18 A_ARG_TYPE_CallLogs. */
export function buildCallLogs(logs: CallLogs): string {
  return document(
    'callLogs',
    logs.map((c) => {
      let attrs = '';
      if (c.direction !== undefined) attrs += attr('direction', c.direction);
      if (c.success !== undefined) attrs += attr('success', c.success ? 'true' : 'false');
      const fields = [leaf('type', c.type)];
      for (const p of c.caller) fields.push(branch('caller', peerFields(p)));
      for (const p of c.callee) fields.push(branch('callee', peerFields(p)));
      fields.push(leaf('startDateTime', c.startDateTime));
      if (c.durationMs !== undefined) fields.push(leaf('duration', String(c.durationMs)));
      return branch('call', fields, attrs);
    }),
    true,
  );
}

/** 2.4.20 A_ARG_TYPE_CallBackInfoList. */
export function buildCallBackInfoList(list: CallBackInfoList): string {
  return document(
    'callBackInfoList',
    list.map((c) =>
      branch('callBackInfo', [leaf('callBackID', c.callBackID), ...c.callee.map((p) => branch('callee', peerFields(p)))]),
    ),
    true,
  );
}

/** 2.4.4 CallBackAvailability (evented). */
export function buildCallBackAvailability(a: CallBackAvailability): string {
  return document(
    'CallBackAvailability',
    a.callBackIDs.map((id) => branch('callBack', [leaf('callBackID', id)])),
    false,
  );
}

/** Appendix A.2: a Peer as a document of its own (root `peer:peer`). */
export function buildPeer(p: Peer): string {
  const attrs =
    attr('xmlns:peer', peerNamespace) +
    attr('xmlns:xsi', xsiNamespace) +
    attr('xsi:schemaLocation', `${peerNamespace} ${peerSchemaLocation}`);
  return `${xmlDeclaration}\n${serialize(branch('peer:peer', peerFields(p), attrs), 0)}\n`;
}

/** 2.4.3 / 2.4.7: comma separated TelCPNames (not XML; no space after the comma). */
export function buildTelCPNameList(names: TelCPNameList): string {
  return names.join(',');
}

// ---------------------------------------------------------------------------------------------------
// Validation: what the schema and section 2.4 require of a value. Each returns the problems found.
// ---------------------------------------------------------------------------------------------------

function isUnsignedInt(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= maxUnsignedInt;
}

export function validatePeer(p: Peer, where = 'peer'): string[] {
  const problems: string[] = [];
  if (typeof p.id !== 'string' || p.id.trim() === '') problems.push(`${where}: peer:id is REQUIRED and must not be empty`);
  if (p.contactInstanceId !== undefined && p.groupInstanceId !== undefined) {
    problems.push(`${where}: contactInstanceId and groupInstanceId are mutually exclusive`);
  }
  if (p.contactInstanceId !== undefined && !isUnsignedInt(p.contactInstanceId)) {
    problems.push(`${where}: contactInstanceId must be an unsignedInt`);
  }
  if (p.groupInstanceId !== undefined && !isUnsignedInt(p.groupInstanceId)) {
    problems.push(`${where}: groupInstanceId must be an unsignedInt`);
  }
  return problems;
}

function validateMediaCapability(m: MediaCapability, where: string): string[] {
  const problems: string[] = [];
  if (m.format !== undefined && !(mediaCapabilityFormats as readonly string[]).includes(m.format)) {
    problems.push(`${where}: format "${m.format}" is not one of ${mediaCapabilityFormats.join(', ')} (Table 2-7)`);
  }
  if (typeof m.content !== 'string') problems.push(`${where}: content must be a string`);
  return problems;
}

function validateTargetNames(t: TargetNames): string[] {
  if (!(targetNamesTypes as readonly string[]).includes(t.type)) {
    return [`targetNames: type "${t.type}" is not one of ${targetNamesTypes.join(', ')} (Table 2-3)`];
  }
  if (t.names === '*') return [];
  if (!Array.isArray(t.names)) return ['targetNames: names must be "*" or a list'];
  const problems: string[] = [];
  for (const n of t.names) {
    if (typeof n !== 'string' || n.trim() === '') problems.push('targetNames: an identifier must not be empty');
    else if (n.includes(',')) problems.push(`targetNames: identifier "${n}" contains a comma (2.4.2.2)`);
    else if (n.trim() === '*') problems.push('targetNames: "*" stands alone, not in a list');
  }
  return problems;
}

/** 2.4.2.2: REQUIRED elements, Tables 2-3…2-7, reason/status pairs of Table 2-5, mixing vs sharing. */
export function validateCallInfo(ci: CallInfo): string[] {
  const problems: string[] = [];
  if (typeof ci.callID !== 'string' || ci.callID.trim() === '') problems.push('callID is REQUIRED and must not be empty');
  if (ci.targetNames === undefined || ci.targetNames === null) problems.push('targetNames is REQUIRED');
  else problems.push(...validateTargetNames(ci.targetNames));
  if (!(callStatusValues as readonly string[]).includes(ci.callStatus)) {
    problems.push(`callStatus "${String(ci.callStatus)}" is not one of Table 2-4`);
  }
  if (ci.reason !== undefined) {
    if (!(callStatusReasonValues as readonly string[]).includes(ci.reason)) {
      problems.push(`reason "${ci.reason}" is not one of Table 2-5`);
    } else if (!(callStatusReasonStatuses[ci.reason] as readonly string[]).includes(ci.callStatus)) {
      problems.push(`reason "${ci.reason}" does not go with callStatus "${ci.callStatus}" (Table 2-5)`);
    }
  }
  if (ci.priority !== undefined && !(priorityValues as readonly string[]).includes(ci.priority)) {
    problems.push(`priority "${ci.priority}" is not one of Table 2-6`);
  }
  if (ci.remoteParty !== undefined) problems.push(...validatePeer(ci.remoteParty, 'remoteParty'));
  if (ci.enableMediaMixing !== undefined && ci.shareMedia !== undefined) {
    problems.push('enableMediaMixing and shareMedia are mutually exclusive (2.4.2.2)');
  }
  if (ci.mediaCapability !== undefined) problems.push(...validateMediaCapability(ci.mediaCapability, 'mediaCapability'));
  if (ci.nativeMediaCapability !== undefined) {
    problems.push(...validateMediaCapability(ci.nativeMediaCapability, 'nativeMediaCapability'));
  }
  return problems;
}

export function validateCallInfoList(list: CallInfoList): string[] {
  return list.flatMap((ci, i) => validateCallInfo(ci).map((p) => `callInfo[${i}]: ${p}`));
}

/** 2.4.16.2: in the A_ARG_TYPE_TCList argument every TC names its Media Session. */
export function validateTCList(list: TCList): string[] {
  const problems: string[] = [];
  list.forEach((tc, i) => {
    if (tc.mediaSessionID === undefined || tc.mediaSessionID.trim() === '') {
      problems.push(`TC[${i}]: mediaSessionID is REQUIRED in A_ARG_TYPE_TCList (2.4.16.2)`);
    }
  });
  return problems;
}

export function validateMediaCapabilityInfo(info: MediaCapabilityInfo | SupportedMediaCapabilityInfo): string[] {
  const problems: string[] = [];
  if (info.mediaCapability !== undefined) problems.push(...validateMediaCapability(info.mediaCapability, 'mediaCapability'));
  if (info.nativeMediaCapability !== undefined) {
    problems.push(...validateMediaCapability(info.nativeMediaCapability, 'nativeMediaCapability'));
  }
  return problems;
}

/** ISO 8601 date-time, extended or basic format, with optional fraction and zone. */
const iso8601 =
  /^(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}([.,]\d+)?)?)?|\d{8}(T\d{2}(\d{2}(\d{2}([.,]\d+)?)?)?)?)(Z|[+-]\d{2}(:?\d{2})?)?$/;

export function isIso8601DateTime(text: string): boolean {
  return iso8601.test(text);
}

export function validateCallLogs(logs: CallLogs): string[] {
  const problems: string[] = [];
  logs.forEach((c, i) => {
    const where = `call[${i}]`;
    if (c.direction !== undefined && !(callDirections as readonly string[]).includes(c.direction)) {
      problems.push(`${where}: direction "${c.direction}" is not incoming or outgoing`);
    }
    if (!(callLogTypes as readonly string[]).includes(c.type)) {
      problems.push(`${where}: type "${String(c.type)}" is not audio, video or data`);
    }
    if (!Array.isArray(c.caller) || c.caller.length === 0) problems.push(`${where}: caller is REQUIRED`);
    else c.caller.forEach((p) => problems.push(...validatePeer(p, `${where}/caller`)));
    if (!Array.isArray(c.callee) || c.callee.length === 0) problems.push(`${where}: callee is REQUIRED`);
    else c.callee.forEach((p) => problems.push(...validatePeer(p, `${where}/callee`)));
    if (typeof c.startDateTime !== 'string' || !isIso8601DateTime(c.startDateTime)) {
      problems.push(`${where}: startDateTime "${String(c.startDateTime)}" is not ISO 8601`);
    }
    if (c.durationMs !== undefined && !(Number.isFinite(c.durationMs) && c.durationMs >= 0)) {
      problems.push(`${where}: duration must be a non-negative number of milliseconds`);
    }
  });
  return problems;
}

export function validateCallBackInfoList(list: CallBackInfoList): string[] {
  const problems: string[] = [];
  list.forEach((c, i) => {
    const where = `callBackInfo[${i}]`;
    if (typeof c.callBackID !== 'string' || c.callBackID.trim() === '') problems.push(`${where}: callBackID is REQUIRED`);
    if (!Array.isArray(c.callee) || c.callee.length === 0) problems.push(`${where}: callee is REQUIRED`);
    else c.callee.forEach((p) => problems.push(...validatePeer(p, `${where}/callee`)));
  });
  return problems;
}

export function validateCallBackAvailability(a: CallBackAvailability): string[] {
  if (!Array.isArray(a.callBackIDs) || a.callBackIDs.length === 0) return ['CallBackAvailability needs at least one callBack'];
  return a.callBackIDs.some((id) => typeof id !== 'string' || id.trim() === '') ? ['callBackID must not be empty'] : [];
}

export function validateTelCPNameList(names: TelCPNameList): string[] {
  return names.flatMap((n) =>
    n.trim() === '' ? ['a TelCPName must not be empty'] : n.includes(',') ? [`TelCPName "${n}" contains a comma`] : [],
  );
}

// ---------------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------------

function text(el: Element): string {
  return (el.textContent ?? '').trim();
}

function requiredText(parent: Element, what: string, ...names: string[]): string {
  const el = child(parent, ...names);
  if (!el) fail(`<${parent.localName}> has no <${what}>`);
  const v = text(el);
  if (v === '') fail(`<${what}> is empty`);
  return v;
}

function optionalText(parent: Element, ...names: string[]): string | undefined {
  const el = child(parent, ...names);
  return el ? text(el) : undefined;
}

function optionalAttr(el: Element, name: string): string | undefined {
  if (!el.hasAttribute(name)) return undefined;
  const v = (el.getAttribute(name) ?? '').trim();
  return v === '' ? undefined : v;
}

function unsignedInt(raw: string, what: string): number {
  const v = raw.trim();
  if (!/^\+?\d+$/.test(v)) fail(`${what} "${raw}" is not an unsignedInt`);
  const n = Number(v);
  if (n > maxUnsignedInt) fail(`${what} "${raw}" is not an unsignedInt`);
  return n;
}

/** xsd:integer restricted to the "1 or 0" of 2.4.2.2 / 2.4.9.2. */
function zeroOrOne(raw: string, what: string): boolean {
  const v = raw.trim();
  if (!/^[+-]?\d+$/.test(v)) fail(`${what} "${raw}" is not 1 or 0`);
  const n = Number(v);
  if (n !== 0 && n !== 1) fail(`${what} "${raw}" is not 1 or 0`);
  return n === 1;
}

function decodePeer(el: Element, where: string): Peer {
  const id = child(el, 'id');
  if (!id) fail(`<${where}> has no peer:id`);
  const p: Peer = { id: text(id) };
  if (p.id === '') fail(`<${where}> has an empty peer:id`);
  const name = child(el, 'name');
  if (name) p.name = text(name);
  const contact = child(el, 'contactInstanceId');
  if (contact) p.contactInstanceId = unsignedInt(text(contact), 'contactInstanceId');
  const group = child(el, 'groupInstanceId');
  if (group) p.groupInstanceId = unsignedInt(text(group), 'groupInstanceId');
  return p;
}

function decodeMediaCapability(el: Element): MediaCapability {
  const formatAttr = optionalAttr(el, 'format');
  const format = formatAttr === undefined ? undefined : enumValue(formatAttr, mediaCapabilityFormats, `${el.localName}/@format`);
  const raw = elementValue(el);
  const isSdp = format === 'SDP' || (format === undefined && /^\s*v=/.test(raw));
  const m: MediaCapability = { content: isSdp ? normalizeSdp(raw) : raw.trim() };
  if (format !== undefined) m.format = format;
  return m;
}

function decodeTargetNames(el: Element): TargetNames {
  const typeAttr = optionalAttr(el, 'type');
  // <TelCPNames> (2.3.3, 2.6.7.3, the GetCallInfo examples) carries no type; it can only name TelCPNames.
  const type = typeAttr === undefined ? 'TelCPName' : enumValue(typeAttr, targetNamesTypes, 'targetNames/@type');
  const v = text(el);
  if (v === '*') return { type, names: '*' };
  return {
    type,
    names: v
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
  };
}

function decodeTCs(el: Element): TCList {
  return children(el, 'TC').map((tcEl) => {
    const tc: TC = {};
    const udn = optionalText(tcEl, 'UDN');
    if (udn !== undefined) tc.udn = udn;
    const ms = optionalText(tcEl, 'mediaSessionID');
    if (ms !== undefined) tc.mediaSessionID = ms;
    return tc;
  });
}

function decodeCallInfo(el: Element): CallInfo {
  const callID = requiredText(el, 'callID', 'callID');
  const tn = child(el, 'targetNames', 'TelCPNames');
  if (!tn) fail('<callInfo> has no <targetNames>');
  const statusEl = child(el, 'callStatus');
  if (!statusEl) fail('<callInfo> has no <callStatus>');
  const ci: CallInfo = {
    callID,
    targetNames: decodeTargetNames(tn),
    callStatus: enumValue(text(statusEl), callStatusValues, 'callStatus'),
  };
  const reason = optionalAttr(statusEl, 'reason');
  if (reason !== undefined) ci.reason = enumValue<CallStatusReason>(reason, callStatusReasonValues, 'callStatus/@reason');
  const priority = optionalText(el, 'priority');
  if (priority !== undefined && priority !== '') ci.priority = enumValue(priority, priorityValues, 'priority');
  const remote = child(el, 'remoteParty', 'peer');
  if (remote) ci.remoteParty = decodePeer(remote, 'remoteParty');
  const tcList = child(el, 'TCList');
  if (tcList) ci.tcList = decodeTCs(tcList);
  const mixing = optionalText(el, 'enableMediaMixing');
  if (mixing !== undefined) ci.enableMediaMixing = zeroOrOne(mixing, 'enableMediaMixing');
  const share = optionalText(el, 'shareMedia');
  if (share !== undefined) ci.shareMedia = share;
  const media = child(el, 'mediaCapability');
  if (media) ci.mediaCapability = decodeMediaCapability(media);
  const native = child(el, 'nativeMediaCapability');
  if (native) ci.nativeMediaCapability = decodeMediaCapability(native);
  return ci;
}

function decodeMediaCapabilityInfo(el: Element): MediaCapabilityInfo {
  const info: MediaCapabilityInfo = {};
  const mixing = optionalText(el, 'enableMediaMixing');
  if (mixing !== undefined) info.enableMediaMixing = zeroOrOne(mixing, 'enableMediaMixing');
  const share = optionalText(el, 'shareMedia');
  if (share !== undefined) info.shareMedia = share;
  const media = child(el, 'mediaCapability');
  if (media) info.mediaCapability = decodeMediaCapability(media);
  const native = child(el, 'nativeMediaCapability');
  if (native) info.nativeMediaCapability = decodeMediaCapability(native);
  return info;
}

function decodeSupportedMediaCapabilityInfo(el: Element): SupportedMediaCapabilityInfo {
  const info: SupportedMediaCapabilityInfo = {};
  if (child(el, 'mediaMixingCapability')) info.mediaMixingCapability = true;
  if (child(el, 'mediaSharingCapability')) info.mediaSharingCapability = true;
  const media = child(el, 'mediaCapability');
  if (media) info.mediaCapability = decodeMediaCapability(media);
  const native = child(el, 'nativeMediaCapability');
  if (native) info.nativeMediaCapability = decodeMediaCapability(native);
  return info;
}

function nonEmpty<T>(items: T[], what: string): NonEmptyArray<T> {
  const [first, ...rest] = items;
  if (first === undefined) fail(`no <${what}>`);
  return [first, ...rest];
}

function decodeCallLog(el: Element, i: number): CallLog {
  const where = `call[${i}]`;
  const typeText = optionalText(el, 'type');
  if (typeText === undefined) fail(`${where} has no <type>`);
  const start = optionalText(el, 'startDateTime', 'startTime', 'startDataTime');
  if (start === undefined || start === '') fail(`${where} has no <startDateTime>`);
  const log: CallLog = {
    type: enumValue(typeText, callLogTypes, `${where}/type`),
    caller: nonEmpty(children(el, 'caller').map((c) => decodePeer(c, 'caller')), `caller> in ${where}`),
    callee: nonEmpty(children(el, 'callee').map((c) => decodePeer(c, 'callee')), `callee> in ${where}`),
    startDateTime: start,
  };
  const direction = optionalAttr(el, 'direction');
  if (direction !== undefined) log.direction = enumValue(direction, callDirections, `${where}/@direction`);
  const success = optionalAttr(el, 'success');
  if (success !== undefined) {
    const s = success.toLowerCase();
    if (s === 'true' || s === '1') log.success = true;
    else if (s === 'false' || s === '0') log.success = false;
    else fail(`${where}/@success "${success}" is not true or false`);
  }
  const duration = optionalText(el, 'duration');
  if (duration !== undefined && duration !== '') {
    if (!/^\d+(\.\d+)?$/.test(duration)) fail(`${where}/duration "${duration}" is not a number of milliseconds`);
    log.durationMs = Number(duration);
  }
  return log;
}

/** callBackInfo entries; the printed schema nests callBackInfo inside callBackInfo, so nesting is flattened. */
function decodeCallBackInfos(parent: Element): CallBackInfo[] {
  return children(parent, 'callBackInfo').flatMap((el) => {
    if (!child(el, 'callBackID') && children(el, 'callBackInfo').length > 0) return decodeCallBackInfos(el);
    return [
      {
        callBackID: requiredText(el, 'callBackID', 'callBackID'),
        callee: nonEmpty(children(el, 'callee').map((c) => decodePeer(c, 'callee')), 'callee> in <callBackInfo'),
      },
    ];
  });
}

function decodeCallBackAvailability(el: Element): CallBackAvailability {
  const ids = children(el, 'callBack').map((cb) => requiredText(cb, 'callBackID', 'callBackID'));
  // 2.4.4.2's example puts the ID straight under the root.
  for (const direct of children(el, 'callBackID')) ids.push(text(direct));
  return { callBackIDs: nonEmpty(ids.filter((id) => id !== ''), 'callBack>') };
}

/** Parse `text` as a cams document whose root is one of `rootNames` in `namespace` (or in none). Never throws. */
function parseDocument<T>(
  input: unknown,
  rootNames: readonly string[],
  decode: (root: Element) => T,
  validate: (value: T) => string[],
  namespace = camsNamespace,
): CamsParseResult<T> {
  return parseFragment(input, { rootNames, namespaces: [namespace], decode, validate });
}

/** 2.4.2 CallInfo (full or general). */
export function parseCallInfo(text: string): CamsParseResult<CallInfo> {
  return parseDocument(text, ['callInfo'], decodeCallInfo, validateCallInfo);
}

/** 2.4.17 A_ARG_TYPE_CallInfoList. */
export function parseCallInfoList(text: string): CamsParseResult<CallInfoList> {
  return parseDocument(
    text,
    ['callInfoList'],
    (root) =>
      children(root, 'callInfo').map((el, i) => {
        try {
          return decodeCallInfo(el);
        } catch (e) {
          return fail(`callInfo[${i}]: ${errorMessage(e)}`);
        }
      }),
    validateCallInfoList,
  );
}

/** 2.4.16 A_ARG_TYPE_TCList: every TC must name its mediaSessionID. */
export function parseTCList(text: string): CamsParseResult<TCList> {
  return parseDocument(text, ['TCList'], decodeTCs, validateTCList);
}

/** 2.4.9 A_ARG_TYPE_MediaCapabilityInfo (mediaMixing/SharingCapability, if present, are ignored). */
export function parseMediaCapabilityInfo(text: string): CamsParseResult<MediaCapabilityInfo> {
  return parseDocument(text, ['mediaCapabilityInfo'], decodeMediaCapabilityInfo, validateMediaCapabilityInfo);
}

/** GetMediaCapabilities()'s SupportedMediaCapabilityInfo (enableMediaMixing/shareMedia, if present, are ignored). */
export function parseSupportedMediaCapabilityInfo(text: string): CamsParseResult<SupportedMediaCapabilityInfo> {
  return parseDocument(text, ['mediaCapabilityInfo'], decodeSupportedMediaCapabilityInfo, validateMediaCapabilityInfo);
}

/** 2.4.18 A_ARG_TYPE_CallLogs. */
export function parseCallLogs(text: string): CamsParseResult<CallLogs> {
  return parseDocument(text, ['callLogs'], (root) => children(root, 'call').map(decodeCallLog), validateCallLogs);
}

/** 2.4.20 A_ARG_TYPE_CallBackInfoList. */
export function parseCallBackInfoList(text: string): CamsParseResult<CallBackInfoList> {
  return parseDocument(text, ['callBackInfoList'], decodeCallBackInfos, validateCallBackInfoList);
}

/** 2.4.4 CallBackAvailability. */
export function parseCallBackAvailability(text: string): CamsParseResult<CallBackAvailability> {
  return parseDocument(text, ['CallBackAvailability'], decodeCallBackAvailability, validateCallBackAvailability);
}

/** Appendix A.2: a `peer:peer` document. */
export function parsePeer(text: string): CamsParseResult<Peer> {
  return parseDocument(text, ['peer'], (root) => decodePeer(root, 'peer'), (p) => validatePeer(p), peerNamespace);
}

/** 2.4.3 / 2.4.7: comma separated TelCPNames; blanks around names (C.10 prints "a, b") are dropped. */
export function parseTelCPNameList(text: string): CamsParseResult<TelCPNameList> {
  if (typeof text !== 'string') return { ok: false, reason: 'not a string' };
  return {
    ok: true,
    value: text
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
  };
}
