/**
 * The registrar's rules (RFC 3261 10.3 steps 6–8) in src/phones/registrar.ts and the phones service's register
 * and sweeper; the limits of src/phones/auth-limiter.ts; and the REGISTER handler of the phones' side
 * (src/sip/pbx/registrar.ts: steps 4 and 5, strict Contacts, home networks, the 200 of step 8).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/base/index.js';
import {
  applyRegister,
  AuthLimiter,
  PhonesService,
  RequestRateLimiter,
  type Binding,
  type BindingRepository,
  type Extension,
  type ExtensionRepository,
  type PhonesEvent,
  type RegisterRequest,
  type RegistrarPolicy,
} from '../../src/phones/index.js';
import { contacts, request as sipRequest, uriTextEquals, type SipResponse } from '../../src/sip/index.js';
import { PhoneRegistrar, type PhoneSide, type RequestAuthenticator } from '../../src/sip/pbx/index.js';
import { FakeClock } from '../support/fake-clock.js';

const policy: RegistrarPolicy = { minExpires: 60, maxExpires: 3600, defaultExpires: 3600, maxDevices: 3, sameContact: uriTextEquals };
const source = { transport: 'udp', address: '192.168.1.20', port: 5060 } as const;

function req(over: Partial<RegisterRequest> = {}): RegisterRequest {
  return { extension: '21', callId: 'c1', cseq: 1, contacts: [{ uri: 'sip:21@192.168.1.20:5060' }], source, ...over };
}

function ok(outcome: ReturnType<typeof applyRegister>): readonly Binding[] {
  assert.ok(outcome.ok, `accepted: ${JSON.stringify(outcome)}`);
  return outcome.bindings;
}

test('RFC 3261 10.3 step 6: the expiry comes from the Contact\'s expires, else the Expires header, else the default; longer ones are shortened', () => {
  const now = 1_000_000;
  assert.equal(ok(applyRegister([], req({ contacts: [{ uri: 'sip:a@192.168.1.20', expires: 120 }], expires: 600 }), policy, now))[0]!.expiresAt, now + 120_000);
  assert.equal(ok(applyRegister([], req({ expires: 600 }), policy, now))[0]!.expiresAt, now + 600_000);
  assert.equal(ok(applyRegister([], req(), policy, now))[0]!.expiresAt, now + 3_600_000);
  assert.equal(ok(applyRegister([], req({ expires: 86_400 }), policy, now))[0]!.expiresAt, now + 3_600_000);
});

test('RFC 3261 10.3 step 6: a non-zero interval below the minimum is refused with 423 and Min-Expires; 0 is not', () => {
  const r = applyRegister([], req({ expires: 30 }), policy, 0);
  assert.deepEqual(r, { ok: false, status: 423, reason: 'Interval Too Brief', minExpires: 60 });
  assert.deepEqual(ok(applyRegister([], req({ expires: 0 }), policy, 0)), []);
});

test('RFC 3261 10.3 step 6: Contact * with Expires: 0 removes every binding; * with another expiry is a 400', () => {
  const two = ok(applyRegister([], req({ contacts: [{ uri: 'sip:a@192.168.1.20' }, { uri: 'sip:b@192.168.1.21' }] }), policy, 0));
  assert.equal(two.length, 2);
  const cleared = applyRegister(two, req({ cseq: 2, contacts: '*', expires: 0 }), policy, 0);
  assert.deepEqual(cleared, { ok: true, bindings: [], write: true });
  const bad = applyRegister(two, req({ cseq: 2, contacts: '*', expires: 60 }), policy, 0);
  assert.equal(bad.ok ? 0 : bad.status, 400);
  const noExpires = applyRegister(two, req({ cseq: 2, contacts: '*' }), policy, 0);
  assert.equal(noExpires.ok ? 0 : noExpires.status, 400);
});

test('RFC 3261 10.3 step 6: without Contact the request is a query that changes nothing', () => {
  const one = ok(applyRegister([], req(), policy, 0));
  assert.deepEqual(applyRegister(one, req({ cseq: 2, contacts: [] }), policy, 0), { ok: true, bindings: one, write: false });
});

test('RFC 3261 10.3 step 7: same Call-ID with a CSeq not higher fails with 500 and changes nothing; another Call-ID updates', () => {
  const one = ok(applyRegister([], req({ cseq: 5 }), policy, 0));
  for (const seq of [5, 4]) {
    const r = applyRegister(one, req({ cseq: seq, expires: 0 }), policy, 0);
    assert.equal(r.ok ? 0 : r.status, 500, `CSeq ${seq}`);
    const star = applyRegister(one, req({ cseq: seq, contacts: '*', expires: 0 }), policy, 0);
    assert.equal(star.ok ? 0 : star.status, 500, `* with CSeq ${seq}`);
  }
  // A rebooted phone (new Call-ID, low CSeq) updates its binding, compared by URI equality (19.1.4).
  const rebooted = ok(applyRegister(one, req({ callId: 'c2', cseq: 1, contacts: [{ uri: 'sip:21@192.168.1.20:5060;line=k3' }], expires: 120 }), policy, 10));
  assert.equal(rebooted.length, 1);
  assert.deepEqual([rebooted[0]!.callId, rebooted[0]!.cseq, rebooted[0]!.expiresAt, rebooted[0]!.registeredAt], ['c2', 1, 120_010, 0]);
});

test('RFC 3261 10.3 step 7: expires 0 removes that binding only (unregister); several contacts per extension', () => {
  const two = ok(applyRegister([], req({ contacts: [{ uri: 'sip:a@192.168.1.20' }, { uri: 'sip:b@192.168.1.21' }] }), policy, 0));
  const left = ok(applyRegister(two, req({ cseq: 2, contacts: [{ uri: 'sip:a@192.168.1.20', expires: 0 }] }), policy, 0));
  assert.deepEqual(left.map((b) => b.contact), ['sip:b@192.168.1.21']);
});

test('devices per extension are capped: one more than maxDevices is a 403, a refresh of those there is not', () => {
  const three = ok(applyRegister([], req({ contacts: ['a', 'b', 'c'].map((u) => ({ uri: `sip:${u}@192.168.1.20` })) }), policy, 0));
  const fourth = applyRegister(three, req({ callId: 'c9', contacts: [{ uri: 'sip:d@192.168.1.20' }] }), policy, 0);
  assert.equal(fourth.ok ? 0 : fourth.status, 403);
  assert.equal(ok(applyRegister(three, req({ cseq: 2, contacts: [{ uri: 'sip:a@192.168.1.20' }] }), policy, 0)).length, 3);
});

class MemoryBindings implements BindingRepository {
  rows: Binding[] = [];
  failing = false;
  list(extension?: string): Binding[] {
    return this.rows.filter((b) => extension === undefined || b.extension === extension);
  }
  replace(extension: string, bindings: readonly Binding[]): void {
    if (this.failing) throw new Error('disk full');
    this.rows = [...this.rows.filter((b) => b.extension !== extension), ...bindings];
  }
  removeExpired(now: number): string[] {
    const gone = [...new Set(this.rows.filter((b) => b.expiresAt <= now).map((b) => b.extension))];
    this.rows = this.rows.filter((b) => b.expiresAt > now);
    return gone;
  }
}

class MemoryExtensions implements ExtensionRepository {
  readonly rows = new Map<string, Extension>();
  list(): Extension[] {
    return [...this.rows.values()];
  }
  get(number: string): Extension | undefined {
    return this.rows.get(number);
  }
  put(e: Extension): void {
    this.rows.set(e.number, e);
  }
  remove(number: string): boolean {
    return this.rows.delete(number);
  }
}

function service(clock: FakeClock, bindings = new MemoryBindings()): { phones: PhonesService; bindings: MemoryBindings; events: PhonesEvent[] } {
  const phones = new PhonesService({ extensions: new MemoryExtensions(), bindings, realm: 'hometel', clock, logger: silentLogger });
  const events: PhonesEvent[] = [];
  phones.onChange((e) => events.push(e));
  return { phones, bindings, events };
}

test('PhonesService.register stores the bindings, emits registrations when the contacts change, counts registered extensions', () => {
  const clock = new FakeClock(1000);
  const { phones, bindings, events } = service(clock);
  assert.ok(phones.register(req({ expires: 600 }), policy).ok);
  assert.equal(bindings.rows.length, 1);
  assert.deepEqual(events, [{ type: 'registrations', number: '21', count: 1 }]);
  // A refresh of the same contact changes no contact: no event, but the new expiry is stored.
  assert.ok(phones.register(req({ cseq: 2, expires: 900 }), policy).ok);
  assert.equal(events.length, 1);
  assert.equal(bindings.rows[0]!.expiresAt, 1000 + 900_000);
  assert.ok(phones.register(req({ extension: '22', callId: 'x', contacts: [{ uri: 'sip:22@192.168.1.22' }] }), policy).ok);
  assert.equal(phones.registeredExtensions(), 2);
  assert.deepEqual(phones.registrations('21').map((r) => [r.contact, r.source]), [['sip:21@192.168.1.20:5060', 'udp:192.168.1.20:5060']]);
  assert.ok(phones.register(req({ cseq: 3, expires: 0 }), policy).ok);
  assert.deepEqual(events.at(-1), { type: 'registrations', number: '21', count: 0 });
  assert.equal(phones.registeredExtensions(), 1);
});

test('RFC 3261 10.3 step 7: a store that fails to commit makes the REGISTER a 500 and nothing changes', () => {
  const clock = new FakeClock(0);
  const { phones, bindings, events } = service(clock);
  bindings.failing = true;
  const r = phones.register(req(), policy);
  assert.equal(r.ok ? 0 : r.status, 500);
  assert.equal(bindings.rows.length, 0);
  assert.equal(events.length, 0);
});

test('the sweeper removes bindings as they expire (also those stored before a restart) and emits registrations', () => {
  const clock = new FakeClock(0);
  const stored = new MemoryBindings();
  // A binding from an earlier run that expired while hometel was down, and one still live.
  stored.rows = [
    { ...ok(applyRegister([], req(), policy, 0))[0]!, expiresAt: -1 },
    { ...ok(applyRegister([], req({ extension: '22', contacts: [{ uri: 'sip:22@192.168.1.22' }] }), policy, 0))[0]!, expiresAt: 120_000 },
  ];
  const { phones, bindings, events } = service(clock, stored);
  const stop = phones.startSweeping();
  assert.deepEqual(bindings.rows.map((b) => b.extension), ['22']);
  assert.deepEqual(events, [{ type: 'registrations', number: '21', count: 0 }]);
  assert.ok(phones.register(req({ expires: 60 }), policy).ok);
  clock.advance(60_000);
  assert.deepEqual(bindings.rows.map((b) => b.extension), ['22']);
  assert.deepEqual(events.at(-1), { type: 'registrations', number: '21', count: 0 });
  clock.advance(60_000);
  assert.deepEqual(bindings.rows, []);
  assert.deepEqual(events.at(-1), { type: 'registrations', number: '22', count: 0 });
  stop();
  assert.equal(clock.pending, 0);
});

test('failed authentications: 5 from one address within 60 s block it for 300 s; an extension\'s block spares its registered devices', () => {
  const clock = new FakeClock(0);
  const limiter = new AuthLimiter(clock);
  for (let i = 0; i < 4; i++) assert.deepEqual(limiter.failed('10.0.0.9', '21'), []);
  assert.equal(limiter.blocked('10.0.0.9'), undefined);
  assert.deepEqual(limiter.failed('10.0.0.9', '21'), ['source']);
  assert.equal(limiter.blocked('10.0.0.9'), 'source');
  assert.equal(limiter.blocked('10.0.0.8', '21'), undefined);
  clock.advance(300_001);
  assert.equal(limiter.blocked('10.0.0.9'), undefined);
  // Failures older than the window do not add up.
  const slow = new AuthLimiter(clock);
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(slow.failed('10.0.0.7'), []);
    clock.advance(15_000);
  }
  // 20 failures for extension 21 from many addresses block the extension, not for an address it is registered from.
  const spread = new AuthLimiter(clock);
  for (let i = 0; i < 20; i++) spread.failed(`10.0.1.${i}`, '21');
  assert.equal(spread.blocked('10.0.2.1', '21'), 'extension');
  assert.equal(spread.blocked('10.0.2.1', '21', true), undefined);
  assert.equal(spread.blocked('10.0.2.1', '22'), undefined);
});

test('request budget: a burst of 60 then 20 per second per address; another address is not affected', () => {
  const clock = new FakeClock(0);
  const budget = new RequestRateLimiter(clock);
  for (let i = 0; i < 60; i++) assert.ok(budget.take('10.0.0.1').ok);
  const refused = budget.take('10.0.0.1');
  assert.ok(!refused.ok && refused.refused === 1 && refused.retryAfterMs === 50);
  assert.ok(budget.take('10.0.0.2').ok);
  clock.advance(1000);
  let granted = 0;
  for (let i = 0; i < 100; i++) if (budget.take('10.0.0.1').ok) granted++;
  assert.equal(granted, 20);
});

// -------------------------------------------------------------------------------------------------------------
// The REGISTER handler of the phones' side, on a fake side and authenticator.

function registrar(opts: { allowContactsOutside?: boolean } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 11, 7, 12));
  const { phones } = service(clock);
  let handler: ((tx: never) => boolean) | undefined;
  const side = {
    realm: 'hometel',
    host: '192.168.1.2',
    handle: (_m: string, h: (tx: never) => boolean) => (handler = h),
    userAgent: { describe: () => [['Server', 'hometel']] },
  } as unknown as PhoneSide;
  const authenticator: RequestAuthenticator = { authenticate: () => '21' };
  new PhoneRegistrar({ side, authenticator, phones, clock, config: { minExpires: 60, maxExpires: 3600, homeNetworks: ['192.168.0.0/16'], allowContactsOutside: opts.allowContactsOutside ?? false } });
  let cseq = 1;
  const send = (headers: Array<[string, string]>, from = '192.168.1.20'): SipResponse => {
    const base: Array<[string, string]> = [
      ['Via', 'SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK1'],
      ['From', '<sip:21@hometel>;tag=a'],
      ['Call-ID', 'reg-1'],
      ['CSeq', `${cseq++} REGISTER`],
    ];
    const names = new Set(headers.map(([n]) => n));
    let response: SipResponse | undefined;
    const tx = { request: sipRequest('REGISTER', 'sip:hometel', [...base.filter(([n]) => !names.has(n)), ...(names.has('To') ? [] : [['To', '<sip:21@hometel>'] as [string, string]]), ...headers]), source: { transport: 'udp', address: from, port: 5060 }, respond: (r: SipResponse) => (response = r) };
    handler!(tx as never);
    assert.ok(response, 'answered');
    return response;
  };
  return { send, phones, clock };
}

test('RFC 3261 10.3 step 8: the 200 lists every current binding with its expires and carries a Date', () => {
  const { send } = registrar();
  send([['Contact', '<sip:21@192.168.1.20:5060>;expires=600']]);
  const r = send([['Contact', '<sip:21@192.168.1.30:5062>'], ['Expires', '120']]);
  assert.equal(r.status, 200);
  assert.deepEqual(r.headers.all('Contact'), ['<sip:21@192.168.1.20:5060>;expires=600', '<sip:21@192.168.1.30:5062>;expires=120']);
  assert.equal(r.headers.get('Date'), 'Mon, 07 Dec 2026 12:00:00 GMT');
  assert.match(r.headers.get('To') ?? '', /;tag=/);
  const query = send([]);
  assert.equal(query.status, 200);
  assert.equal((contacts(query) as unknown[]).length, 2);
});

test('RFC 3261 10.3 steps 4 and 5: another extension\'s address of record is 403, another domain\'s 404', () => {
  const { send } = registrar();
  assert.equal(send([['To', '<sip:22@hometel>'], ['Contact', '<sip:22@192.168.1.20>']]).status, 403);
  assert.equal(send([['To', '<sip:21@example.com>'], ['Contact', '<sip:21@192.168.1.20>']]).status, 404);
  assert.equal(send([['To', '<sip:21@192.168.1.2>'], ['Contact', '<sip:21@192.168.1.20>']]).status, 200);
});

test('Contacts are parsed strictly: malformed, * with others, non-SIP, a bad expires, a bad Expires header are 400 naming the problem', () => {
  const { send, phones } = registrar();
  const cases: Array<[Array<[string, string]>, string]> = [
    [[['Contact', '<sip:21@192.168.1.20']], 'Malformed Contact'],
    [[['Contact', '*'], ['Contact', '<sip:21@192.168.1.20>'], ['Expires', '0']], 'Contact * Must Stand Alone'],
    [[['Contact', '<tel:+4930123>']], 'Contact Is Not A SIP URI'],
    [[['Contact', '<sip:21@192.168.1.20>;expires=soon']], 'Malformed Contact expires'],
    [[['Contact', '<sip:21@192.168.1.20>'], ['Expires', 'never']], 'Malformed Expires'],
  ];
  for (const [headers, reason] of cases) {
    const r = send(headers);
    assert.deepEqual([r.status, r.reason], [400, reason]);
  }
  assert.equal(phones.registeredExtensions(), 0);
});

test('home networks: a Contact or a source outside them is 403 (unless contacts outside are allowed); 423 carries Min-Expires', () => {
  const strict = registrar();
  assert.deepEqual([strict.send([['Contact', '<sip:21@203.0.113.5>']]).status], [403]);
  assert.deepEqual([strict.send([['Contact', '<sip:21@phone.example.com>']]).status], [403]);
  assert.equal(strict.send([['Contact', '<sip:21@192.168.1.20>']], '203.0.113.9').reason, 'Source Outside The Home Networks');
  const brief = strict.send([['Contact', '<sip:21@192.168.1.20>;expires=10']]);
  assert.deepEqual([brief.status, brief.headers.get('Min-Expires')], [423, '60']);
  const lenient = registrar({ allowContactsOutside: true });
  assert.equal(lenient.send([['Contact', '<sip:21@203.0.113.5>']]).status, 200);
});
