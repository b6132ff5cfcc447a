/** Rules, actions and DND as one line of text for people (the CLI's listings, log lines). */
import type { DndSettings, HandlingAction, Rule, RuleMatch } from './model.js';
import { formatSchedule } from './schedule.js';

function describeMatch(m: RuleMatch): string {
  switch (m.kind) {
    case 'number':
      return `number ${m.pattern}`;
    case 'group':
      return `group ${m.group}`;
    default:
      return m.kind;
  }
}

function describeAction(a: HandlingAction): string {
  switch (a.kind) {
    case 'accept':
      return a.tc ? `accept on ${a.tc}` : 'accept';
    case 'reject':
      return `reject ${a.status ?? 603}`;
    case 'forward':
      return `forward to ${a.target}`;
    case 'ring':
      return `ring ${a.targetNames.join(',')}`;
    default:
      return 'voicemail';
  }
}

export function describeRule(r: Rule): string {
  const schedule = r.schedule ? `  (${formatSchedule(r.schedule)})` : '';
  return `${r.id}  ${describeMatch(r.match)} -> ${describeAction(r.action)}${schedule}${r.note ? `  # ${r.note}` : ''}`;
}

export function describeDnd(d: DndSettings, active: boolean): string {
  const schedules = d.schedules.length > 0 ? `, on during ${d.schedules.map(formatSchedule).join(' ')}` : '';
  return `DND ${d.on ? 'on' : 'off'}${schedules} (now ${active ? 'active' : 'inactive'}): ${describeAction(d.action)}, VIPs ${d.vipRings ? 'ring' : 'do not ring'}`;
}
