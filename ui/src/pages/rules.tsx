// Rules: the home's automatic call processing (seed 004 2.2 3 vi) — screening rules by caller (a number or prefix,
// withheld numbers, blocked, VIP, a contact group, callers not in the contacts) and do-not-disturb with its action,
// VIPs that still ring and weekly schedules. The hub checks every value and says what is wrong.
import { useEffect, useState } from 'preact/hooks';
import { api, type Dnd, type Rule, type RuleDraft } from '../api.js';
import { attempt, useAction } from '../live.js';

type Action = RuleDraft['action'];
type Schedule = NonNullable<RuleDraft['schedule']>;
const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const matchKinds = [
  ['number', 'Number or prefix (+4930*)'],
  ['anonymous', 'Withheld number'],
  ['blocked', 'Blocked contacts'],
  ['vip', 'VIP contacts'],
  ['group', 'A contact group'],
  ['not-in-contacts', 'Not in the contacts'],
] as const;
const actionKinds = ['voicemail', 'reject', 'forward', 'ring', 'accept'] as const;

function describeAction(a: Action): string {
  if (a.kind === 'reject') return `reject (${a.status ?? 603})`;
  if (a.kind === 'forward') return `forward to ${a.target ?? ''}`;
  if (a.kind === 'ring') return `ring only ${(a.targetNames ?? []).join(', ')}`;
  if (a.kind === 'accept') return a.tc ? `accept on ${a.tc}` : 'accept';
  return a.kind;
}

function describeSchedule(s: Schedule): string {
  return `${s.days.map((d) => dayNames[d]).join(' ')} ${s.from}–${s.to}`;
}

function describeMatch(r: Rule): string {
  const m = r.match;
  if (m.kind === 'number') return `number ${m.pattern ?? ''}`;
  if (m.kind === 'group') return `group ${m.group ?? ''}`;
  return matchKinds.find(([k]) => k === m.kind)?.[1] ?? m.kind;
}

/** The action fields: the kind, and what that kind needs. */
function ActionFields({ action, set }: { action: Action; set: (a: Action) => void }) {
  return (
    <div class="inline">
      <label>Action
        <select name="action" value={action.kind} onChange={(e) => set({ kind: e.currentTarget.value })}>
          {actionKinds.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
      </label>
      {action.kind === 'reject' && (
        <label>SIP status
          <select name="status" value={String(action.status ?? 603)} onChange={(e) => set({ ...action, status: Number(e.currentTarget.value) })}>
            <option value="603">603 Decline</option>
            <option value="486">486 Busy Here</option>
            <option value="480">480 Temporarily Unavailable</option>
            <option value="403">403 Forbidden</option>
          </select>
        </label>
      )}
      {action.kind === 'forward' && <label>To <input name="target" value={action.target ?? ''} placeholder="number or sip: URI" onInput={(e) => set({ ...action, target: e.currentTarget.value })} /></label>}
      {action.kind === 'ring' && (
        <label>Screens (comma separated)
          <input name="targets" value={(action.targetNames ?? []).join(',')} onInput={(e) => set({ ...action, targetNames: e.currentTarget.value.split(',').map((n) => n.trim()).filter((n) => n !== '') })} />
        </label>
      )}
      {action.kind === 'accept' && <label>On TC <input name="tc" value={action.tc ?? ''} placeholder="(the hub itself)" onInput={(e) => set(e.currentTarget.value ? { kind: 'accept', tc: e.currentTarget.value } : { kind: 'accept' })} /></label>}
    </div>
  );
}

function ScheduleFields({ schedule, set }: { schedule: Schedule; set: (s: Schedule) => void }) {
  const toggle = (d: number): void => set({ ...schedule, days: schedule.days.includes(d) ? schedule.days.filter((x) => x !== d) : [...schedule.days, d].sort() });
  return (
    <div class="inline">
      {dayNames.map((n, d) => <label key={n} class="check"><input type="checkbox" checked={schedule.days.includes(d)} onChange={() => toggle(d)} /> {n}</label>)}
      <label>From <input type="time" name="from" value={schedule.from} onInput={(e) => set({ ...schedule, from: e.currentTarget.value })} /></label>
      <label>To <input type="time" name="to" value={schedule.to} onInput={(e) => set({ ...schedule, to: e.currentTarget.value })} /></label>
    </div>
  );
}

const anyTime: Schedule = { days: [1, 2, 3, 4, 5], from: '18:00', to: '08:00' };

function NewRule({ done }: { done: () => void }) {
  const [kind, setKind] = useState<string>('number');
  const [value, setValue] = useState('');
  const [action, setAction] = useState<Action>({ kind: 'voicemail' });
  const [schedule, setSchedule] = useState<Schedule | undefined>();
  const [note, setNote] = useState('');
  const { busy, run } = useAction();
  const add = async (): Promise<void> => {
    const match = kind === 'number' ? { kind, pattern: value } : kind === 'group' ? { kind, group: value } : { kind };
    const draft: RuleDraft = { match, action, ...(schedule ? { schedule } : {}), ...(note.trim() ? { note: note.trim() } : {}) };
    if (await run(() => api.addRule(draft))) {
      setValue('');
      done();
    }
  };
  return (
    <form class="card editor" onSubmit={(e) => { e.preventDefault(); void add(); }}>
      <h2>New rule</h2>
      <div class="inline">
        <label>Callers
          <select name="match" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {matchKinds.map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          </select>
        </label>
        {kind === 'number' && <label>Number <input name="pattern" value={value} inputMode="tel" placeholder="+4930* or 030 1234567" onInput={(e) => setValue(e.currentTarget.value)} /></label>}
        {kind === 'group' && <label>Group <input name="group" value={value} onInput={(e) => setValue(e.currentTarget.value)} /></label>}
      </div>
      <ActionFields action={action} set={setAction} />
      <label class="check"><input type="checkbox" name="scheduled" checked={schedule !== undefined} onChange={(e) => setSchedule(e.currentTarget.checked ? anyTime : undefined)} /> Only at these times</label>
      {schedule && <ScheduleFields schedule={schedule} set={setSchedule} />}
      <label>Note <input name="note" value={note} maxLength={1000} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      <div class="actions"><button class="primary" disabled={busy}>Add rule</button></div>
    </form>
  );
}

function DndCard({ dnd, changed }: { dnd: Dnd; changed: (d: Dnd) => void }) {
  const { busy, run } = useAction();
  const [action, setAction] = useState<Action>(dnd.action);
  const [schedule, setSchedule] = useState<Schedule>({ days: [0, 1, 2, 3, 4, 5, 6], from: '22:00', to: '07:00' });
  const save = (change: Parameters<typeof api.setDnd>[0]): Promise<boolean> => run(async () => changed(await api.setDnd(change)));
  return (
    <section class="card dnd" aria-label="Do not disturb">
      <h2>Do not disturb <span class={dnd.active ? 'tag bad' : 'tag'}>{dnd.active ? 'active now' : 'inactive'}</span></h2>
      <label class="check"><input type="checkbox" name="dnd-on" checked={dnd.on} disabled={busy} onChange={(e) => void save({ on: e.currentTarget.checked })} /> On (until switched off)</label>
      <label class="check"><input type="checkbox" name="vip-rings" checked={dnd.vipRings} disabled={busy} onChange={(e) => void save({ vipRings: e.currentTarget.checked })} /> VIP contacts still ring</label>
      <form onSubmit={(e) => { e.preventDefault(); void save({ action }); }}>
        <ActionFields action={action} set={setAction} />
        <button disabled={busy}>Set the DND action</button> <span class="muted">now: {describeAction(dnd.action)}</span>
      </form>
      <h3>Also on at these times</h3>
      <ul class="plain">
        {dnd.schedules.map((s, i) => (
          <li key={i}>{describeSchedule(s)} <button type="button" aria-label="Remove this time" disabled={busy} onClick={() => void save({ schedules: dnd.schedules.filter((_, j) => j !== i) })}>✕</button></li>
        ))}
      </ul>
      <form onSubmit={(e) => { e.preventDefault(); void save({ schedules: [...dnd.schedules, schedule] }); }}>
        <ScheduleFields schedule={schedule} set={setSchedule} />
        <button disabled={busy}>Add these times</button>
      </form>
    </section>
  );
}

export function RulesPage() {
  const [rules, setRules] = useState<{ rules: Rule[]; total: number } | undefined>();
  const [dnd, setDnd] = useState<Dnd | undefined>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    void attempt(async () => {
      const [r, d] = await Promise.all([api.rules(), api.dnd()]);
      setRules(r);
      setDnd(d);
    });
  }, [version]);
  const reload = (): void => setVersion(version + 1);
  return (
    <>
      <h1>Rules</h1>
      <p class="muted">What happens to a call before any screen rings. The most specific rule wins: a number, then the longest prefix, blocked, VIP, a group, a withheld number, not in the contacts.</p>
      {dnd && <DndCard dnd={dnd} changed={setDnd} />}
      <NewRule done={reload} />
      {rules && <p class="muted">{rules.total} rule{rules.total === 1 ? '' : 's'}{rules.total > rules.rules.length ? ` (the first ${rules.rules.length} shown)` : ''}</p>}
      <ul class="cards rules">
        {rules?.rules.map((r) => (
          <li key={r.id} class="card rule">
            <div class="row">
              <strong>{describeMatch(r)}</strong>
              <span>{describeAction(r.action)}</span>
            </div>
            {r.schedule && <div class="muted">{describeSchedule(r.schedule)}</div>}
            {r.note && <div class="muted">{r.note}</div>}
            <button class="danger" aria-label={`Remove the rule for ${describeMatch(r)}`} onClick={() => void attempt(() => api.removeRule(r.id)).then((ok) => ok && reload())}>Remove</button>
          </li>
        ))}
      </ul>
    </>
  );
}
