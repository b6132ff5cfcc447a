/**
 * What the schema (Appendix B "cams", Appendix A peerType) and section 2.4 require of a CallManagement:1
 * fragment value. Each `validate…` returns the problems found (empty when the value is valid).
 */
import { callDirections, callStatuses, callTypes } from '../../domain/index.js';
import {
  type CallBackAvailability,
  type CallBackInfoList,
  type CallInfo,
  type CallInfoList,
  type CallLogs,
  callStatusReasonStatuses,
  callStatusReasonValues,
  type MediaCapability,
  mediaCapabilityFormats,
  type MediaCapabilityInfo,
  type Peer,
  priorityValues,
  type SupportedMediaCapabilityInfo,
  type TargetNames,
  targetNamesTypes,
  type TCList,
  type TelCPNameList,
} from './cams-types.js';

const maxUnsignedInt = 4294967295;

/** xsd:unsignedInt (contactInstanceId, groupInstanceId of Appendix A). */
export function isUnsignedInt(n: number): boolean {
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
  if (!(callStatuses as readonly string[]).includes(ci.callStatus)) {
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
  problems.push(...validateMediaCapabilityInfo(ci));
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
    if (!(callTypes as readonly string[]).includes(c.type)) {
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
