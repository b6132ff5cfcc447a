/**
 * The home's automatic call processing (seed 004 2.2 3 vi, 3.2 5): every kind of screening rule, the most specific
 * one winning, number prefixes in several formats, schedules across midnight and days, do-not-disturb with VIPs that
 * ring, clear refusals of bad rules with nothing stored, and 100,000 rules loaded from the store and evaluated right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/base/index.js';
import { parseSchedule, RuleBook, RuleInvalid, type CallerFacts, type DndSettings, type Rule, type RuleDraft, type RuleRepository } from '../../src/callhandling/index.js';
import { addressKey } from '../../src/contacts/index.js';
import { openRules } from '../../src/app/index.js';
import { SqliteRuleRepository, Store } from '../../src/store/index.js';

const plan = { country: 'DE', areaCode: '30' };
const numberKey = (a: string): string | undefined => addressKey(a, plan);

class MemoryRules implements RuleRepository {
  rules: Rule[] = [];
  settings: DndSettings | undefined;
  list(): Rule[] {
    return [...this.rules];
  }
  add(rule: Rule): void {
    this.rules.push(rule);
  }
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }
  dnd(): DndSettings | undefined {
    return this.settings;
  }
  saveDnd(settings: DndSettings): void {
    this.settings = settings;
  }
}

function clockAt(t: number): Clock & { t: number } {
  const c = { t, now: () => c.t, setTimer: () => ({ cancel: () => undefined }) };
  return c;
}

/** Monday 7 December 2026 at hh:mm local time, plus `days`. */
const at = (hh: number, mm = 0, days = 0): number => new Date(2026, 11, 7 + days, hh, mm).getTime();
const monday = at(12);

function book(repository: RuleRepository = new MemoryRules(), timeZone?: string): RuleBook {
  return new RuleBook({ repository, numberKey, clock: clockAt(monday), ...(timeZone ? { timeZone } : {}) });
}

function caller(address: string | undefined, facts: Partial<CallerFacts> = {}): CallerFacts {
  return { address, anonymous: address === undefined, known: false, vip: false, blocked: false, groups: [], ...facts };
}

const contact = (address: string, facts: Partial<CallerFacts> = {}): CallerFacts => caller(address, { known: true, ...facts });

test('seed 004 2.2 3 vi: each kind of rule decides for its callers, and the result names the rule', () => {
  const b = book();
  const exact = b.add({ match: { kind: 'number', pattern: '030 1234567' }, action: { kind: 'reject', status: 486 } });
  const prefix = b.add({ match: { kind: 'number', pattern: '+4940*' }, action: { kind: 'forward', target: '+49891234567' } });
  const anonymous = b.add({ match: { kind: 'anonymous' }, action: { kind: 'voicemail' } });
  const blocked = b.add({ match: { kind: 'blocked' }, action: { kind: 'reject', status: 403 } });
  const vip = b.add({ match: { kind: 'vip' }, action: { kind: 'accept', tc: 'Living room TV' } });
  const group = b.add({ match: { kind: 'group', group: 'Family' }, action: { kind: 'ring', targetNames: ['tv', 'laptop'] } });
  const stranger = b.add({ match: { kind: 'not-in-contacts' }, action: { kind: 'voicemail' } });

  const decided = (f: CallerFacts): string | undefined => b.evaluate(f, monday)?.decidedBy;
  assert.equal(decided(contact('+49 30 1234567')), `rule:${exact.id}`);
  assert.equal(decided(contact('sip:+49301234567@provider.example;user=phone')), `rule:${exact.id}`, 'the same number as a SIP URI');
  assert.equal(decided(caller('040 5556667')), `rule:${prefix.id}`);
  assert.equal(decided(caller(undefined)), `rule:${anonymous.id}`);
  assert.equal(decided(caller('anonymous', { anonymous: false })), `rule:${anonymous.id}`, '"anonymous" is a withheld number');
  assert.equal(decided(contact('+49891111111', { blocked: true })), `rule:${blocked.id}`);
  assert.equal(decided(contact('+49891111112', { vip: true })), `rule:${vip.id}`);
  assert.equal(decided(contact('+49891111113', { groups: ['Friends', 'Family'] })), `rule:${group.id}`);
  assert.equal(decided(caller('+49891111114')), `rule:${stranger.id}`);
  assert.equal(b.evaluate(contact('+49891111115'), monday), undefined, 'a known caller no rule covers rings everyone');

  const result = b.evaluate(contact('+49891111113', { groups: ['Family'] }), monday)!;
  assert.deepEqual(result.action, { kind: 'ring', targetNames: ['tv', 'laptop'] });
  assert.equal(result.rule?.id, group.id);
});

test('seed 004 2.2 3 vi: the most specific rule wins — number, longest prefix, blocked, VIP, group, anonymous, not in contacts', () => {
  const b = book();
  const ids = (['not-in-contacts', 'anonymous', 'group', 'vip', 'blocked'] as const).map((kind) =>
    b.add({ match: kind === 'group' ? { kind, group: 'Family' } : { kind }, action: { kind: 'voicemail' } }).id,
  );
  const [strangerId, anonymousId, groupId, vipId, blockedId] = ids;
  const short = b.add({ match: { kind: 'number', pattern: '+49*' }, action: { kind: 'voicemail' } });
  const long = b.add({ match: { kind: 'number', pattern: '+4930*' }, action: { kind: 'voicemail' } });
  const exact = b.add({ match: { kind: 'number', pattern: '+49301234567' }, action: { kind: 'voicemail' } });
  const everything = { known: true, vip: true, blocked: true, groups: ['Family'] };
  const by = (f: CallerFacts): string | undefined => b.evaluate(f, monday)?.decidedBy;

  assert.equal(by(caller('+49301234567', everything)), `rule:${exact.id}`);
  assert.equal(by(caller('+49301234568', everything)), `rule:${long.id}`, 'the longest prefix');
  assert.equal(by(caller('+49401234568', everything)), `rule:${short.id}`);
  assert.equal(by(caller('+33123456789', everything)), `rule:${blockedId}`);
  assert.equal(by(caller('+33123456789', { ...everything, blocked: false })), `rule:${vipId}`);
  assert.equal(by(caller('+33123456789', { known: true, groups: ['Family'] })), `rule:${groupId}`);
  assert.equal(by(caller(undefined)), `rule:${anonymousId}`, 'a withheld number is more specific than not in contacts');
  assert.equal(by(caller('+33123456789')), `rule:${strangerId}`);
  assert.equal(by(caller('+33123456789', { known: true })), undefined);
  // Removing the winner hands the call to the next most specific rule.
  assert.equal(b.remove(exact.id), true);
  assert.equal(by(caller('+49301234567', everything)), `rule:${long.id}`);
  assert.equal(b.remove(exact.id), false);
});

test('seed 004 3.2 5: prefixes in several formats mean the same numbers (+4930*, 030*, 0049 30*, local 1234*)', () => {
  const b = book();
  const cases: Array<[string, string, string]> = [
    ['+4930*', '030 9876543', '+4940 1234567'],
    ['030*', '+49 30 9876543', '+49 40 1234567'],
    ['0049 30*', '030 9876543', '040 1234567'],
    ['+49 (30) 12*', '030 1234567', '030 1334567'],
    ['1234*', '030 1234567', '030 1334567'],
    ['0044 20*', '+44 20 7946 0958', '+44 161 496 0000'],
  ];
  for (const [pattern, hit, miss] of cases) {
    const r = b.add({ match: { kind: 'number', pattern }, action: { kind: 'reject' } });
    assert.equal(b.evaluate(caller(hit), monday)?.rule?.id, r.id, `${pattern} covers ${hit}`);
    assert.notEqual(b.evaluate(caller(miss), monday)?.rule?.id, r.id, `${pattern} does not cover ${miss}`);
    b.remove(r.id);
  }
  const kept = b.add({ match: { kind: 'number', pattern: ' 030* ' }, action: { kind: 'reject' } });
  assert.deepEqual(kept.match, { kind: 'number', pattern: '030*' }, 'the pattern is kept as written, trimmed');
  // Only a telephone number's key has prefixes: a SIP URI caller is never covered by one.
  assert.equal(b.evaluate(caller('sip:+4930@example.org;user=dialstring'), monday), undefined);
});

test('seed 004 2.2 3 vi schedules: a span past midnight covers the next morning, days count where the span starts', () => {
  const b = book();
  const evening = parseSchedule('mon-fri@18:00-08:00');
  assert.ok(typeof evening !== 'string');
  const night = b.add({ match: { kind: 'number', pattern: '+4930*' }, action: { kind: 'voicemail' }, schedule: evening });
  const always = b.add({ match: { kind: 'number', pattern: '+4930*' }, action: { kind: 'ring', targetNames: ['kitchen'] } });
  const who = (t: number): string | undefined => b.evaluate(caller('+49301234567'), t)?.rule?.id;
  assert.equal(who(at(17, 59)), always.id, 'Monday before 18:00');
  assert.equal(who(at(18, 0)), night.id, 'Monday 18:00: the scheduled rule is the exception while it applies');
  assert.equal(who(at(7, 59, 1)), night.id, 'Tuesday 07:59, from Monday evening');
  assert.equal(who(at(8, 0, 1)), always.id, 'Tuesday 08:00: over');
  assert.equal(who(at(7, 0, 5)), night.id, 'Saturday 07:00, from Friday evening');
  assert.equal(who(at(19, 0, 5)), always.id, 'Saturday evening: not a listed day');
  assert.equal(who(at(7, 0, 6)), always.id, 'Sunday morning: Saturday is not listed');
  assert.equal(who(at(7, 0)), always.id, 'Monday morning: Sunday is not listed');

  const weekend = b.add({ match: { kind: 'anonymous' }, action: { kind: 'reject' }, schedule: { days: [0, 6], from: '00:00', to: '24:00' } });
  assert.equal(b.evaluate(caller(undefined), at(23, 59, 5))?.rule?.id, weekend.id);
  assert.equal(b.evaluate(caller(undefined), at(0, 0, 7)), undefined, 'Monday again');
  const allDay = b.add({ match: { kind: 'vip' }, action: { kind: 'voicemail' }, schedule: { days: [1], from: '09:00', to: '09:00' } });
  assert.equal(b.evaluate(contact('+33123456789', { vip: true }), at(3, 0))?.rule?.id, allDay.id, 'an equal start and end is the whole day');
});

test('seed 004 2.2 3 vi schedules: the text form, and the home time zone when given', () => {
  assert.deepEqual(parseSchedule('mon-fri@18:00-08:00'), { days: [1, 2, 3, 4, 5], from: '18:00', to: '08:00' });
  assert.deepEqual(parseSchedule('fri-mon@9:00-17:30'), { days: [0, 1, 5, 6], from: '09:00', to: '17:30' });
  assert.deepEqual(parseSchedule('sat,sun@00:00-24:00'), { days: [0, 6], from: '00:00', to: '24:00' });
  assert.deepEqual(parseSchedule('daily@22:00-07:00'), { days: [0, 1, 2, 3, 4, 5, 6], from: '22:00', to: '07:00' });
  assert.match(parseSchedule('mon-fri 18-8') as string, /not DAYS@HH:MM-HH:MM/);
  assert.match(parseSchedule('moon@18:00-19:00') as string, /unknown day "moon"/);
  assert.match(parseSchedule('mon@25:00-08:00') as string, /the start "25:00" is not a time/);

  // 19:30 UTC on Monday is 20:30 in Berlin (winter): inside mon@20:00-21:00 there, outside in UTC.
  const t = Date.UTC(2026, 11, 7, 19, 30);
  for (const [zone, inside] of [['Europe/Berlin', true], ['UTC', false]] as const) {
    const b = book(new MemoryRules(), zone);
    const r = b.add({ match: { kind: 'anonymous' }, action: { kind: 'voicemail' }, schedule: { days: [1], from: '20:00', to: '21:00' } });
    assert.equal(b.evaluate(caller(undefined), t)?.rule?.id, inside ? r.id : undefined, zone);
  }
});

test('seed 004 2.2 3 vi DND: an unknown caller gets the DND action, a VIP rings, a blocked caller still gets its rule', () => {
  const b = book();
  const blocked = b.add({ match: { kind: 'blocked' }, action: { kind: 'reject', status: 403 } });
  const exact = b.add({ match: { kind: 'number', pattern: '+49301111111' }, action: { kind: 'forward', target: 'sip:grandma@example.org' } });
  b.add({ match: { kind: 'group', group: 'Family' }, action: { kind: 'ring', targetNames: ['tv'] } });
  const vipRule = b.add({ match: { kind: 'vip' }, action: { kind: 'ring', targetNames: ['phone'] }, schedule: { days: [0], from: '10:00', to: '11:00' } });
  assert.deepEqual(b.dnd(), { on: false, action: { kind: 'voicemail' }, vipRings: true, schedules: [] }, 'the default: off, voicemail, VIPs ring');

  b.setDnd({ on: true, action: { kind: 'reject', status: 480 } });
  assert.deepEqual(b.evaluate(caller('+33123456789'), monday), { action: { kind: 'reject', status: 480 }, decidedBy: 'dnd' });
  assert.equal(b.evaluate(contact('+33123456789', { groups: ['Family'] }), monday)?.decidedBy, 'dnd', 'DND overrides a group rule');
  assert.equal(b.evaluate(contact('+33123456780', { vip: true }), monday), undefined, 'a VIP rings (vipRings)');
  assert.equal(b.evaluate(contact('+33123456780', { vip: true }), at(10, 30, 6))?.rule?.id, vipRule.id, "a VIP's own rule still applies");
  assert.equal(b.evaluate(contact('+33123456781', { blocked: true }), monday)?.decidedBy, `rule:${blocked.id}`, 'a blocked caller does not leave a message');
  assert.equal(b.evaluate(caller('030 1111111'), monday)?.decidedBy, `rule:${exact.id}`, "a rule for the caller's own number still applies");

  b.setDnd({ vipRings: false });
  assert.equal(b.evaluate(contact('+33123456780', { vip: true }), monday)?.decidedBy, 'dnd');
  b.setDnd({ on: false });
  assert.equal(b.evaluate(caller('+33123456789'), monday), undefined);
  assert.equal(b.dndActive(monday), false);
});

test('seed 004 2.2 3 vi DND: weekly schedules switch it on without `on`', () => {
  const b = book();
  b.setDnd({ schedules: [{ days: [1, 2, 3, 4, 5], from: '22:00', to: '07:00' }, { days: [0, 6], from: '00:00', to: '24:00' }], action: { kind: 'voicemail' } });
  assert.equal(b.dnd().on, false);
  assert.equal(b.evaluate(caller('+33123456789'), at(21, 59)), undefined);
  assert.equal(b.evaluate(caller('+33123456789'), at(22, 0))?.decidedBy, 'dnd');
  assert.equal(b.evaluate(caller('+33123456789'), at(6, 59, 1))?.decidedBy, 'dnd');
  assert.equal(b.evaluate(caller('+33123456789'), at(12, 0, 5))?.decidedBy, 'dnd', 'Saturday');
  assert.equal(b.dndActive(at(12, 0, 1)), false);
});

test('issue 13 acceptance 12: bad rules are refused with a clear RuleInvalid message and nothing is stored', () => {
  const repo = new MemoryRules();
  const b = book(repo);
  const bad: Array<[unknown, RegExp]> = [
    [{ match: { kind: 'number', pattern: '+49 30 abc*' }, action: { kind: 'reject' } }, /number pattern "\+49 30 abc\*" is malformed/],
    [{ match: { kind: 'number', pattern: '+4930*1' }, action: { kind: 'reject' } }, /one \* at the end/],
    [{ match: { kind: 'number', pattern: 'hello' }, action: { kind: 'reject' } }, /"hello" is neither a telephone number nor a SIP URI/],
    [{ match: { kind: 'number', pattern: '' }, action: { kind: 'reject' } }, /must not be empty/],
    [{ match: { kind: 'group', group: ' ' }, action: { kind: 'reject' } }, /needs the name of a contact group/],
    [{ match: { kind: 'friends' }, action: { kind: 'reject' } }, /unknown match "friends"/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'forward', target: 'my neighbour' } }, /cannot forward to "my neighbour": it is neither a telephone number nor a sip:\/tel: URI/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'forward', target: '' } }, /a forward needs a target/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'hang-up' } }, /unknown action "hang-up"/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'reject', status: 500 } }, /486, 603, 403, 480, not 500/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'ring', targetNames: [] } }, /ring needs the screens/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'voicemail' }, schedule: { days: [], from: '18:00', to: '08:00' } }, /at least one day/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'voicemail' }, schedule: { days: [7], from: '18:00', to: '08:00' } }, /the day 7 is not/],
    [{ match: { kind: 'anonymous' }, action: { kind: 'voicemail' }, schedule: { days: [1], from: '18:60', to: '08:00' } }, /the start "18:60" is not a time/],
  ];
  for (const [draft, message] of bad) {
    assert.throws(
      () => b.add(draft as RuleDraft),
      (e: unknown) => e instanceof RuleInvalid && e.code === 'callhandling.rule-invalid' && message.test(e.message),
      JSON.stringify(draft),
    );
  }
  assert.throws(() => b.addMany([{ match: { kind: 'anonymous' }, action: { kind: 'voicemail' } }, bad[0]![0] as RuleDraft]), /^RuleInvalid: rule 2: the number pattern/);
  assert.throws(() => b.setDnd({ action: { kind: 'forward', target: 'nowhere' } }), /DND: cannot forward to "nowhere"/);
  assert.throws(() => b.setDnd({ schedules: [{ days: [1], from: '7', to: '8' }] }), /DND: the start "7" is not a time/);
  assert.deepEqual(repo.rules, [], 'nothing stored');
  assert.equal(repo.settings, undefined);
  assert.equal(b.list().length, 0);
  // A forward to a SIP URI or a number is fine.
  b.add({ match: { kind: 'anonymous' }, action: { kind: 'forward', target: 'sip:voicemail@provider.example' } });
  b.add({ match: { kind: 'anonymous' }, action: { kind: 'forward', target: '0170 1234567' } });
  assert.equal(repo.rules.length, 2);
});

test('store: rules and DND survive reopening the store; another process\'s change is noticed by refreshIfChanged', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = Store.open(dir);
  const server = openRules(first, { numberPlan: plan });
  const rule = server.add({ match: { kind: 'number', pattern: '030*' }, action: { kind: 'reject', status: 486 }, schedule: { days: [1, 2], from: '18:00', to: '08:00' }, note: 'Berlin at night' });
  server.setDnd({ on: true, vipRings: false, action: { kind: 'ring', targetNames: ['tv'] } });
  assert.equal(server.refreshIfChanged(), false, 'its own changes need no reload');

  // The CLI: another connection to the same file.
  const second = Store.open(dir);
  const cli = openRules(second, { numberPlan: plan });
  assert.deepEqual(cli.list(), [rule]);
  assert.deepEqual(cli.dnd(), { on: true, vipRings: false, action: { kind: 'ring', targetNames: ['tv'] }, schedules: [] });
  const added = cli.add({ match: { kind: 'group', group: 'Family' }, action: { kind: 'voicemail' } });
  assert.equal(server.refreshIfChanged(), true);
  assert.deepEqual(server.list().map((r) => r.id), [rule.id, added.id]);
  assert.equal(server.refreshIfChanged(), false);
  // A change elsewhere in the store (the contacts, the call log) is not a change of the rules.
  second.udnFor('another device');
  assert.equal(server.refreshIfChanged(), false);
  // Both change: the server's own write does not hide the CLI's.
  const fromCli = cli.add({ match: { kind: 'vip' }, action: { kind: 'voicemail' } });
  const fromServer = server.add({ match: { kind: 'blocked' }, action: { kind: 'reject' } });
  assert.equal(server.refreshIfChanged(), true);
  assert.deepEqual(server.list().map((r) => r.id).sort(), [rule.id, added.id, fromCli.id, fromServer.id].sort());
  server.remove(fromCli.id);
  server.remove(fromServer.id);
  assert.equal(server.refreshIfChanged(), false);
  cli.remove(rule.id);
  assert.equal(server.refreshIfChanged(), true);
  assert.equal(server.evaluate(caller('030 1234567'), at(19))?.decidedBy, 'dnd', 'the removed rule no longer decides');
  second.close();
  first.close();

  const reopened = Store.open(dir);
  const again = openRules(reopened, { numberPlan: plan });
  assert.deepEqual(again.list(), [added]);
  assert.equal(again.dnd().on, true);
  const local = again.add({ match: { kind: 'number', pattern: '1234*' }, action: { kind: 'voicemail' } });
  reopened.close();
  // Stored keys are reused only under the same number plan: in area 40 the local prefix means other numbers.
  const moved = Store.open(dir);
  const hamburg = openRules(moved, { numberPlan: { country: 'DE', areaCode: '40' } });
  assert.equal(hamburg.evaluate(caller('+49 40 1234567'), monday)?.rule?.id, local.id);
  assert.equal(hamburg.evaluate(caller('+49 30 1234567'), monday)?.decidedBy, 'dnd');
  moved.close();
});

test('seed 004 2.2 3 vi at scale: 100,000 rules (numbers and prefixes) load from the store and decide right', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = Store.open(dir);
  t.after(() => store.close());
  const drafts: RuleDraft[] = [];
  for (let i = 0; i < 100_000; i++) {
    // Every tenth a prefix of 3 more digits (+49301xxx*), else a number in 089.
    drafts.push(i % 10 === 0 ? { match: { kind: 'number', pattern: `+49301${String(i / 10).padStart(4, '0')}*` }, action: { kind: 'reject' } } : { match: { kind: 'number', pattern: `089 ${2000000 + i}` }, action: { kind: 'voicemail' } });
  }
  openRules(store, { numberPlan: plan }).addMany(drafts);
  const b = openRules(store, { numberPlan: plan });
  assert.equal(b.size, 100_000);
  const byPattern = new Map(b.list().map((r) => [(r.match as { pattern: string }).pattern, r.id]));
  assert.equal(b.evaluate(caller('+49 89 2000001'), monday)?.rule?.id, byPattern.get('089 2000001'));
  assert.equal(b.evaluate(caller('089 2099999'), monday)?.rule?.id, byPattern.get('089 2099999'));
  assert.equal(b.evaluate(caller('030 1999977'), monday)?.rule?.id, byPattern.get('+493019999*'));
  assert.equal(b.evaluate(caller('+49 30 10000 55'), monday)?.rule?.id, byPattern.get('+493010000*'));
  assert.equal(b.evaluate(caller('089 2000000'), monday), undefined, 'i = 0 is a prefix, not this number');
  assert.equal(b.evaluate(caller('+49 30 2000000'), monday), undefined);
  assert.equal(b.evaluate(caller('+49 89 3000000'), monday), undefined);
  // Each pattern's key is stored with the plan that made it, so the next start need not key them again.
  const repo = new SqliteRuleRepository(store);
  assert.ok(repo.keyed().every((e) => e.key?.plan === 'keys-v2/DE/30'));
});
