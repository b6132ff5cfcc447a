/**
 * Writing the XML-fragment state variables of CallManagement:1 (section 2.4, Appendix B schema "cams",
 * Appendix A peerType): one pure `build…` per fragment type.
 *
 * Building writes what the schema requires: an XML declaration, the cams (and, where the spec asks for
 * it, peer) namespace declarations, the root in the cams namespace, unqualified children in schema
 * order, `peer:`-qualified peer fields. SDP is written verbatim with CR escaped as `&#13;`, so its CRLF
 * line ends survive any XML parser's line-end normalisation.
 */
import { escapeXml } from '../../../upnp/index.js';
import {
  type CallBackAvailability,
  type CallBackInfoList,
  type CallInfo,
  type CallInfoList,
  type CallLogs,
  camsNamespace,
  camsSchemaLocation,
  type GeneralCallInfo,
  type MediaCapability,
  type MediaCapabilityInfo,
  type Peer,
  peerNamespace,
  peerSchemaLocation,
  type SupportedMediaCapabilityInfo,
  type TargetNames,
  type TCList,
  type TelCPNameList,
} from './cams-types.js';

/** Which elements of a CallInfo to write: everything, or only the general information of 2.3.3. */
export type CallInfoView = 'full' | 'general';
export interface CallInfoBuildOptions {
  view?: CallInfoView;
}

const xmlDeclaration = '<?xml version="1.0" encoding="utf-8"?>';
const xsiNamespace = 'http://www.w3.org/2001/XMLSchema-instance';

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

/** mediaCapability and nativeMediaCapability, which callInfo and both mediaCapabilityInfo forms end with. */
function mediaCapabilityElements(info: MediaCapabilityInfo): XmlNode[] {
  const out: XmlNode[] = [];
  if (info.mediaCapability !== undefined) out.push(mediaCapabilityElement('mediaCapability', info.mediaCapability));
  if (info.nativeMediaCapability !== undefined) {
    out.push(mediaCapabilityElement('nativeMediaCapability', info.nativeMediaCapability));
  }
  return out;
}

/** The media elements of 2.4.9 (also the tail of callInfoType): mixing or sharing, then the capabilities. */
function mediaUseElements(info: MediaCapabilityInfo): XmlNode[] {
  const out: XmlNode[] = [];
  if (info.enableMediaMixing !== undefined) out.push(leaf('enableMediaMixing', info.enableMediaMixing ? '1' : '0'));
  if (info.shareMedia !== undefined) out.push(leaf('shareMedia', info.shareMedia));
  return [...out, ...mediaCapabilityElements(info)];
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
  return [...out, ...mediaUseElements(ci)];
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
  return document('mediaCapabilityInfo', mediaUseElements(info), false);
}

/** 2.4.9 / 2.6.6 SupportedMediaCapabilityInfo, GetMediaCapabilities()'s output. */
export function buildSupportedMediaCapabilityInfo(info: SupportedMediaCapabilityInfo): string {
  const out: XmlNode[] = [];
  if (info.mediaMixingCapability === true) out.push(leaf('mediaMixingCapability', ''));
  if (info.mediaSharingCapability === true) out.push(leaf('mediaSharingCapability', ''));
  return document('mediaCapabilityInfo', [...out, ...mediaCapabilityElements(info)], false);
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
