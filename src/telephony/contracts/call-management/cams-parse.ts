/**
 * Reading the XML-fragment state variables of CallManagement:1 (section 2.4, Appendix B schema "cams",
 * Appendix A peerType): one `parse…` per fragment type, checked with the matching `validate…`.
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
import { callDirections, callStatuses, callTypes } from '../../domain/index.js';
import { normalizeSdp } from '../../../media/sdp/index.js';
import { elementValue, type Element } from '../../../upnp/index.js';
import { child, children, decodeEach, enumValue, fail, parseFragment, type FragmentParseResult } from '../fragment-decoding.js';
import {
  type CallBackAvailability,
  type CallBackInfo,
  type CallBackInfoList,
  type CallInfo,
  type CallInfoList,
  type CallLog,
  type CallLogs,
  type CallStatusReason,
  callStatusReasonValues,
  camsNamespace,
  type MediaCapability,
  mediaCapabilityFormats,
  type MediaCapabilityInfo,
  type NonEmptyArray,
  type Peer,
  peerNamespace,
  priorityValues,
  type SupportedMediaCapabilityInfo,
  type TargetNames,
  targetNamesTypes,
  type TC,
  type TCList,
  type TelCPNameList,
} from './cams-types.js';
import {
  isUnsignedInt,
  validateCallBackAvailability,
  validateCallBackInfoList,
  validateCallInfo,
  validateCallInfoList,
  validateCallLogs,
  validateMediaCapabilityInfo,
  validatePeer,
  validateTCList,
} from './cams-validate.js';

export type CamsParseResult<T> = FragmentParseResult<T>;

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
  const n = Number(v);
  if (!/^\+?\d+$/.test(v) || !isUnsignedInt(n)) fail(`${what} "${raw}" is not an unsignedInt`);
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

/** A `<mediaCapability>` or `<nativeMediaCapability>` (Table 2-7); MediaManagement's fragments carry it too. */
export function decodeMediaCapability(el: Element, formatWhat = `${el.localName}/@format`): MediaCapability {
  const formatAttr = optionalAttr(el, 'format');
  const format = formatAttr === undefined ? undefined : enumValue(formatAttr, mediaCapabilityFormats, formatWhat);
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
    callStatus: enumValue(text(statusEl), callStatuses, 'callStatus'),
  };
  const reason = optionalAttr(statusEl, 'reason');
  if (reason !== undefined) ci.reason = enumValue<CallStatusReason>(reason, callStatusReasonValues, 'callStatus/@reason');
  const priority = optionalText(el, 'priority');
  if (priority !== undefined && priority !== '') ci.priority = enumValue(priority, priorityValues, 'priority');
  const remote = child(el, 'remoteParty', 'peer');
  if (remote) ci.remoteParty = decodePeer(remote, 'remoteParty');
  const tcList = child(el, 'TCList');
  if (tcList) ci.tcList = decodeTCs(tcList);
  decodeMediaUse(el, ci);
  return ci;
}

/** mediaCapability and nativeMediaCapability, which callInfo and both mediaCapabilityInfo forms end with. */
function decodeMediaCapabilities(el: Element, info: MediaCapabilityInfo): void {
  const media = child(el, 'mediaCapability');
  if (media) info.mediaCapability = decodeMediaCapability(media);
  const native = child(el, 'nativeMediaCapability');
  if (native) info.nativeMediaCapability = decodeMediaCapability(native);
}

/** The media elements of 2.4.9 (also the tail of callInfoType): mixing or sharing, then the capabilities. */
function decodeMediaUse(el: Element, info: MediaCapabilityInfo): void {
  const mixing = optionalText(el, 'enableMediaMixing');
  if (mixing !== undefined) info.enableMediaMixing = zeroOrOne(mixing, 'enableMediaMixing');
  const share = optionalText(el, 'shareMedia');
  if (share !== undefined) info.shareMedia = share;
  decodeMediaCapabilities(el, info);
}

function decodeMediaCapabilityInfo(el: Element): MediaCapabilityInfo {
  const info: MediaCapabilityInfo = {};
  decodeMediaUse(el, info);
  return info;
}

function decodeSupportedMediaCapabilityInfo(el: Element): SupportedMediaCapabilityInfo {
  const info: SupportedMediaCapabilityInfo = {};
  if (child(el, 'mediaMixingCapability')) info.mediaMixingCapability = true;
  if (child(el, 'mediaSharingCapability')) info.mediaSharingCapability = true;
  decodeMediaCapabilities(el, info);
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
    type: enumValue(typeText, callTypes, `${where}/type`),
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
  return parseDocument(text, ['callInfoList'], (root) => decodeEach(root, 'callInfo', decodeCallInfo), validateCallInfoList);
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
