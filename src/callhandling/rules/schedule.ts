/**
 * Weekly schedules (seed 004 2.2 3 vi: "time schedules" for rules and do-not-disturb) in the home's local time:
 * checking one against a moment, validating one, and the short text form the CLI reads and prints
 * (`mon-fri@18:00-08:00`, `sat,sun@00:00-24:00`, `daily@22:00-07:00`).
 */
import type { WeeklySchedule } from './model.js';

const dayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const clockTime = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A moment as a schedule sees it: the weekday (0 Sunday) and the minute of the day, in local time. */
export interface LocalMoment {
  readonly day: number;
  readonly minute: number;
}

/** Minutes since midnight of `HH:MM` (`24:00` as the end of the day); undefined when malformed. */
function minutes(text: string, end: boolean): number | undefined {
  if (end && text === '24:00') return 24 * 60;
  const m = clockTime.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** Why a schedule cannot be used, or undefined when it can. */
export function scheduleProblem(s: WeeklySchedule): string | undefined {
  if (!s || typeof s !== 'object') return 'a schedule is days, a start and an end';
  if (!Array.isArray(s.days) || s.days.length === 0) return 'a schedule needs at least one day';
  const bad: unknown = (s.days as readonly unknown[]).find((d) => !Number.isInteger(d) || (d as number) < 0 || (d as number) > 6);
  if (bad !== undefined) return `the day ${JSON.stringify(bad)} is not 0 (Sunday) … 6 (Saturday)`;
  if (typeof s.from !== 'string' || minutes(s.from, false) === undefined) return `the start ${JSON.stringify(s.from)} is not a time HH:MM (00:00 … 23:59)`;
  if (typeof s.to !== 'string' || minutes(s.to, true) === undefined) return `the end ${JSON.stringify(s.to)} is not a time HH:MM (00:00 … 24:00)`;
  return undefined;
}

/**
 * Whether the schedule applies at this moment. The span starts on each of its days; an end at or before the start
 * runs past midnight into the next day (`22:00-07:00` on Friday covers Saturday until 07:00); an equal start and end
 * is the whole day.
 */
export function scheduleApplies(s: WeeklySchedule, at: LocalMoment): boolean {
  const from = minutes(s.from, false) ?? 0;
  const to = minutes(s.to, true) ?? 0;
  const today = s.days.includes(at.day);
  if (from === to) return today;
  if (from < to) return today && at.minute >= from && at.minute < to;
  const yesterday = s.days.includes((at.day + 6) % 7);
  return (today && at.minute >= from) || (yesterday && at.minute < to);
}

/** The CLI's text form: days (`mon-fri`, `sat,sun`, `daily`, `weekdays`, `weekend`) `@` `HH:MM-HH:MM`. */
export function parseSchedule(text: string): WeeklySchedule | string {
  const m = /^([a-z,-]+)@(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/i.exec(text.trim());
  if (!m) return `the schedule ${JSON.stringify(text)} is not DAYS@HH:MM-HH:MM (e.g. mon-fri@18:00-08:00)`;
  const days = new Set<number>();
  for (const part of m[1]!.toLowerCase().split(',')) {
    const named = { daily: [0, 1, 2, 3, 4, 5, 6], weekdays: [1, 2, 3, 4, 5], weekend: [0, 6] }[part];
    if (named) {
      named.forEach((d) => days.add(d));
      continue;
    }
    const [a, b] = part.split('-').map((d) => dayNames.indexOf(d as (typeof dayNames)[number]));
    if (a === undefined || a < 0 || (b !== undefined && b < 0) || part.split('-').length > 2) {
      return `the schedule ${JSON.stringify(text)} has an unknown day ${JSON.stringify(part)} (${dayNames.join(', ')}, daily, weekdays, weekend)`;
    }
    // A range may wrap the week: fri-mon is Friday to Monday.
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === (b ?? a)) break;
    }
  }
  const pad = (t: string): string => t.padStart(5, '0');
  const schedule = { days: [...days].sort((x, y) => x - y), from: pad(m[2]!), to: pad(m[3]!) };
  return scheduleProblem(schedule) ?? schedule;
}

/** The text form of a schedule (parseSchedule reads it back). */
export function formatSchedule(s: WeeklySchedule): string {
  return `${s.days.map((d) => dayNames[d]).join(',')}@${s.from}-${s.to}`;
}

/**
 * The local moment of a time: the machine's time zone, or the IANA `timeZone` given (the home's, when the machine
 * runs in UTC).
 */
export function localMomentOf(timeZone: string | undefined): (at: number) => LocalMoment {
  if (timeZone === undefined) {
    return (at) => {
      const d = new Date(at);
      return { day: d.getDay(), minute: d.getHours() * 60 + d.getMinutes() };
    };
  }
  const format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return (at) => {
    const parts = format.formatToParts(at);
    const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
    const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
    return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
  };
}
