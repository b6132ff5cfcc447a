/**
 * What makes a rule usable: its match (a number pattern the number plan reads, a group name), its action (a forward
 * target that is a number or a sip:/tel: URI, a SIP status of the list, screens to ring) and its schedule. A bad
 * rule is refused with RuleInvalid and a message that says what is wrong; nothing is stored.
 */
import { HometelError } from '../../base/index.js';
import type { HandlingAction, RuleDraft, RuleMatch } from './model.js';
import { scheduleProblem } from './schedule.js';
import { forwardTarget } from '../forward-target.js';

export class RuleInvalid extends HometelError {
  readonly code = 'callhandling.rule-invalid';
  constructor(message: string) {
    super(message);
    this.name = 'RuleInvalid';
  }
}

/** The number key function the rule book is given (E.164 by the home's number plan, SIP URIs canonical). */
export type NumberKey = (address: string) => string | undefined;

const rejectStatuses = [486, 603, 403, 480];
const matchKinds = ['number', 'anonymous', 'blocked', 'vip', 'not-in-contacts', 'group'];
const actionKinds = ['accept', 'reject', 'forward', 'voicemail', 'ring'];
const MAX_TEXT = 200;
/** Filler digits appended to a prefix so that the number plan reads it as a whole number (see prefixKey). */
const fillers = ['5555555', '55555555', '555555', '555555555', '55555', '5555555555'];

/**
 * The key of a number pattern: an exact number's key, or for a prefix (`+4930*`, `030*`, `0049 30*`, `1234*`) the
 * leading part of the key every number it covers has. The prefix is read the way the number plan reads a whole
 * number: filler digits are appended, the result keyed, and the filler cut off again — so `030*` in DE becomes
 * `+4930`, `00441*` `+441`, and `1234*` (no prefix, area 30) the local `+49301234`. A prefix that already starts
 * with `+` and that the plan cannot complete stays `+` and its digits.
 */
export function patternKey(pattern: string, numberKey: NumberKey): MatchKey | string {
  const text = pattern.trim();
  if (text.length === 0) return 'a number pattern must not be empty';
  if (text.length > MAX_TEXT) return `the number pattern is longer than ${MAX_TEXT} characters`;
  const star = text.indexOf('*');
  if (star === -1) {
    const key = numberKey(text);
    return key === undefined ? `the number pattern ${JSON.stringify(pattern)} is neither a telephone number nor a SIP URI` : { key, prefix: false };
  }
  const head = text.slice(0, -1);
  if (star !== text.length - 1 || !/^\+?[\d\s\-./()]*\d[\d\s\-./()]*$/.test(head)) {
    return `the number pattern ${JSON.stringify(pattern)} is malformed: a prefix is digits (optionally with a leading +) followed by one * at the end, e.g. +4930* or 030*`;
  }
  const digits = head.replace(/[^\d+]/g, '');
  for (const filler of fillers) {
    const key = numberKey(`${digits}${filler}`);
    if (key?.startsWith('+') && key.endsWith(filler) && key.length > filler.length + 1) return { key: key.slice(0, -filler.length), prefix: true };
  }
  if (digits.startsWith('+') && digits.length > 1) return { key: digits, prefix: true };
  return `the number pattern ${JSON.stringify(pattern)} is not a prefix the number plan can read (write it internationally, e.g. +4930*)`;
}

/** Whether a forward target can be called: a number the plan reads, or a sip:/sips:/tel: URI. */
function targetProblem(target: unknown, numberKey: NumberKey): string | undefined {
  if (typeof target !== 'string' || target.trim().length === 0) return 'a forward needs a target (a telephone number or a sip:/tel: URI)';
  if (target.length > MAX_TEXT) return `the forward target is longer than ${MAX_TEXT} characters`;
  try {
    forwardTarget(target, numberKey);
    return undefined;
  } catch {
    return `cannot forward to ${JSON.stringify(target)}: it is neither a telephone number nor a sip:/tel: URI`;
  }
}

function matchProblem(match: RuleMatch | undefined): string | undefined {
  if (!match || typeof match !== 'object' || !matchKinds.includes(match.kind)) {
    return `unknown match ${JSON.stringify((match as { kind?: unknown } | undefined)?.kind)} (one of ${matchKinds.join(', ')})`;
  }
  if (match.kind === 'number' && typeof match.pattern !== 'string') return 'a number rule needs a pattern';
  if (match.kind === 'group') {
    if (typeof match.group !== 'string' || match.group.trim().length === 0) return 'a group rule needs the name of a contact group';
    if (match.group.length > MAX_TEXT) return `the group name is longer than ${MAX_TEXT} characters`;
  }
  return undefined;
}

/** Why an action cannot be carried out, or undefined when it can (also for DND's action). */
export function actionProblem(action: HandlingAction | undefined, numberKey: NumberKey): string | undefined {
  if (!action || typeof action !== 'object' || !actionKinds.includes(action.kind)) {
    return `unknown action ${JSON.stringify((action as { kind?: unknown } | undefined)?.kind)} (one of ${actionKinds.join(', ')})`;
  }
  switch (action.kind) {
    case 'reject':
      return action.status === undefined || rejectStatuses.includes(action.status) ? undefined : `a rejection's SIP status is one of ${rejectStatuses.join(', ')}, not ${JSON.stringify(action.status)}`;
    case 'forward':
      return targetProblem(action.target, numberKey);
    case 'ring': {
      const names = action.targetNames;
      if (!Array.isArray(names) || names.length === 0) return 'ring needs the screens to ring (TelCPNames)';
      return names.some((n) => typeof n !== 'string' || n.trim().length === 0 || n.length > MAX_TEXT) ? 'a screen to ring needs a name' : undefined;
    }
    case 'accept':
      return action.tc === undefined || (typeof action.tc === 'string' && action.tc.trim().length > 0) ? undefined : 'accept names a TC, or none for the TS';
    default:
      return undefined;
  }
}

/** A number pattern's key (patternKey) as the index files it. */
export interface MatchKey {
  readonly key: string;
  readonly prefix: boolean;
}

/** Checks a draft and returns its number pattern's key (undefined for other matches); throws RuleInvalid naming the first problem. */
export function checkRule(draft: RuleDraft, numberKey: NumberKey): MatchKey | undefined {
  if (!draft || typeof draft !== 'object') throw new RuleInvalid('a rule needs a match and an action');
  const keyed = draft.match?.kind === 'number' && typeof draft.match.pattern === 'string' ? patternKey(draft.match.pattern, numberKey) : undefined;
  const problem =
    (typeof keyed === 'string' ? keyed : matchProblem(draft.match)) ??
    actionProblem(draft.action, numberKey) ??
    (draft.schedule === undefined ? undefined : scheduleProblem(draft.schedule)) ??
    (draft.note !== undefined && (typeof draft.note !== 'string' || draft.note.length > 1000) ? 'a note is text of at most 1000 characters' : undefined);
  if (problem) throw new RuleInvalid(problem);
  return typeof keyed === 'string' ? undefined : keyed;
}
