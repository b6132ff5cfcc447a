/**
 * `hometel rules …`, `hometel dnd …` and `hometel forward …`: the home's automatic call processing (seed 004 2.2 3 vi) from the shell —
 * screening rules by caller number (exact or a prefix such as `+4930*`), withheld number, blocked, VIP, contact group
 * or not in the contacts, and do-not-disturb with its action, VIPs that ring and weekly schedules. Every command has
 * --json; they work next to a running `hometel start`, which notices the change within about a second.
 */
import { Command, Option } from 'commander';
import { describeDnd, describeRule, openForwardAllStore, openRulesStore, parseSchedule, RuleInvalid, type DndSettings, type HandlingAction, type OpenForwardAll, type OpenRules, type RuleMatch, type WeeklySchedule } from '../../app/index.js';
import { onStore, withStoreOptions, type StoreOptions } from './store-command.js';

const withRules = (opts: StoreOptions, f: (r: OpenRules) => unknown): Promise<void> => onStore('rules', opts, (config, clock) => openRulesStore(config, clock), f);

interface ActionOptions {
  action?: string;
  status?: string;
  target?: string;
  targets?: string;
  tc?: string;
}

interface MatchOptions {
  number?: string;
  anonymous?: boolean;
  blocked?: boolean;
  vip?: boolean;
  notInContacts?: boolean;
  group?: string;
}

function withActionOptions(c: Command, what: string): Command {
  return c
    .option('--action <action>', `what ${what} does: accept, reject, forward, voicemail or ring`)
    .option('--status <code>', 'reject with this SIP status: 486, 603 (default), 403 or 480')
    .option('--target <number>', 'forward to this number or sip:/tel: URI')
    .option('--targets <names>', 'ring only these screens (TelCPNames, comma-separated)')
    .option('--tc <name>', 'accept on this TC (default: the Telephony Server answers itself)');
}

/** The action the options describe; the rule book checks it (an unknown one gets its clear refusal). */
function actionOf(o: ActionOptions): HandlingAction {
  const kind = o.action;
  if (kind === undefined) throw new RuleInvalid('give --action accept|reject|forward|voicemail|ring');
  if (kind === 'reject') {
    if (o.status === undefined) return { kind };
    return { kind, status: (/^\d{3}$/.test(o.status) ? Number(o.status) : o.status) as 486 };
  }
  if (kind === 'forward') return { kind, target: o.target ?? '' };
  if (kind === 'ring') return { kind, targetNames: (o.targets ?? '').split(',').filter((n) => n.trim() !== '') };
  if (kind === 'accept') return o.tc !== undefined ? { kind, tc: o.tc } : { kind };
  return { kind } as HandlingAction;
}

function matchOf(o: MatchOptions): RuleMatch {
  const given: RuleMatch[] = [
    ...(o.number !== undefined ? [{ kind: 'number' as const, pattern: o.number }] : []),
    ...(o.anonymous ? [{ kind: 'anonymous' as const }] : []),
    ...(o.blocked ? [{ kind: 'blocked' as const }] : []),
    ...(o.vip ? [{ kind: 'vip' as const }] : []),
    ...(o.notInContacts ? [{ kind: 'not-in-contacts' as const }] : []),
    ...(o.group !== undefined ? [{ kind: 'group' as const, group: o.group }] : []),
  ];
  const [match] = given;
  if (!match || given.length > 1) throw new RuleInvalid('give exactly one of --number, --anonymous, --blocked, --vip, --not-in-contacts, --group');
  return match;
}

function scheduleOf(text: string): WeeklySchedule {
  const s = parseSchedule(text);
  if (typeof s === 'string') throw new RuleInvalid(s);
  return s;
}

export function rulesCommand(): Command {
  const rules = new Command('rules').description('screening rules: what happens to a call before any screen rings (seed 004 2.2 3 vi)');
  rules.addCommand(
    withStoreOptions(new Command('list'))
      .description('the rules, oldest first')
      .action((opts: StoreOptions) =>
        withRules(opts, ({ rules: book }) => {
          const all = book.list();
          return opts.json ? { rules: all } : [...all.map(describeRule), `${all.length} rule${all.length === 1 ? '' : 's'}`].join('\n');
        }),
      ),
  );
  rules.addCommand(
    withActionOptions(withStoreOptions(new Command('add')), 'the rule')
      .description("add a rule, e.g. hometel rules add --number '+4930*' --action reject --status 486")
      .option('--number <pattern>', 'a caller number, or a prefix ending in * (+4930*, 030*)')
      .option('--anonymous', 'callers that withhold their number')
      .option('--blocked', 'contacts marked blocked')
      .option('--vip', 'contacts marked VIP')
      .option('--not-in-contacts', 'callers not in the contacts')
      .option('--group <name>', 'contacts of this group')
      .option('--schedule <days@from-to>', 'only at these times, e.g. mon-fri@18:00-08:00 (local time)')
      .option('--note <text>', 'a note')
      .action((opts: StoreOptions & MatchOptions & ActionOptions & { schedule?: string; note?: string }) =>
        withRules(opts, ({ rules: book }) => {
          const rule = book.add({
            match: matchOf(opts),
            action: actionOf(opts),
            ...(opts.schedule !== undefined ? { schedule: scheduleOf(opts.schedule) } : {}),
            ...(opts.note !== undefined ? { note: opts.note } : {}),
          });
          return opts.json ? rule : `added ${describeRule(rule)}`;
        }),
      ),
  );
  rules.addCommand(
    withStoreOptions(new Command('remove'))
      .description('remove a rule by its id (from `hometel rules list`)')
      .argument('<id>', 'the rule id')
      .action((id: string, opts: StoreOptions) =>
        withRules(opts, ({ rules: book }) => {
          if (!book.remove(id)) throw new Error(`no rule ${id}`);
          return opts.json ? { removed: id } : `removed ${id}`;
        }),
      ),
  );
  return rules;
}

type DndOptions = StoreOptions & ActionOptions & { vipRings?: boolean; schedule?: string[] | false };

function dndChange(opts: DndOptions): Partial<DndSettings> {
  return {
    ...(opts.action !== undefined ? { action: actionOf(opts) } : {}),
    ...(opts.vipRings !== undefined ? { vipRings: opts.vipRings } : {}),
    ...(opts.schedule === false ? { schedules: [] } : opts.schedule !== undefined ? { schedules: opts.schedule.map(scheduleOf) } : {}),
  };
}

function dndSwitch(name: 'on' | 'off'): Command {
  return withActionOptions(withStoreOptions(new Command(name)), 'DND')
    .description(name === 'on' ? 'DND on now (until `dnd off`)' : 'DND off (it is still on during its schedules)')
    .addOption(new Option('--vip-rings', 'VIP contacts still ring'))
    .addOption(new Option('--no-vip-rings', 'VIP contacts get the DND action too'))
    .option('--schedule <days@from-to...>', 'DND is also on at these times (replaces the list), e.g. mon-fri@22:00-07:00')
    .option('--no-schedule', 'no DND schedules')
    .action((opts: DndOptions) =>
      withRules(opts, ({ rules: book }) => {
        const settings = book.setDnd({ ...dndChange(opts), on: name === 'on' });
        const active = book.dndActive(Date.now());
        return opts.json ? { ...settings, active } : describeDnd(settings, active);
      }),
    );
}

export function dndCommand(): Command {
  const dnd = new Command('dnd').description('do-not-disturb: one action for every call, VIPs that still ring, weekly schedules');
  dnd.addCommand(dndSwitch('on'));
  dnd.addCommand(dndSwitch('off'));
  dnd.addCommand(
    withStoreOptions(new Command('status'))
      .description('whether DND is on, its action and schedules')
      .action((opts: StoreOptions) =>
        withRules(opts, ({ rules: book }) => {
          const settings = book.dnd();
          const active = book.dndActive(Date.now());
          return opts.json ? { ...settings, active } : describeDnd(settings, active);
        }),
      ),
  );
  return dnd;
}

const withForwardAll = (opts: StoreOptions, f: (r: OpenForwardAll) => unknown): Promise<void> => onStore('forward', opts, (config) => openForwardAllStore(config), f);

const forwardText = (target: string | undefined): string => (target === undefined ? 'forward all: off' : `forward all: every call goes to ${target}`);

/** `hometel forward …`: forward all (a PBX's unconditional forward; the phones' *72 / *73). */
export function forwardCommand(): Command {
  const forward = new Command('forward').description('forward all: every incoming call of the home goes to one number (the rules still refuse blocked callers)');
  forward.addCommand(
    withStoreOptions(new Command('on'))
      .description('forward every call to NUMBER (a phone number or a sip:/tel: URI)')
      .argument('<number>', 'where the calls go')
      .action((number: string, opts: StoreOptions) =>
        withForwardAll(opts, ({ forwardAll }) => {
          const target = forwardAll.set(number);
          return opts.json ? { target } : forwardText(target);
        }),
      ),
  );
  forward.addCommand(
    withStoreOptions(new Command('off'))
      .description('calls ring again')
      .action((opts: StoreOptions) =>
        withForwardAll(opts, ({ forwardAll }) => {
          forwardAll.set(undefined);
          return opts.json ? { target: null } : forwardText(undefined);
        }),
      ),
  );
  forward.addCommand(
    withStoreOptions(new Command('status'))
      .description('where calls are forwarded, if anywhere')
      .action((opts: StoreOptions) =>
        withForwardAll(opts, ({ forwardAll }) => {
          const target = forwardAll.target();
          return opts.json ? { target: target ?? null } : forwardText(target);
        }),
      ),
  );
  return forward;
}
