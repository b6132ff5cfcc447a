/**
 * The CallHandling:1 vendor service (src/telephony/callhandling) over the call-handling service with a fake line:
 * the contract and its SCPD, TelCPName + Secret Key checked with the line's registry (the TelCPName is who decided),
 * ForwardCall / ForwardToVoiceMail / IgnoreCall and their error codes (703 unknown CallID, 801 naming the winner, 802
 * a bad target, 701 a wrong key), DND get/set evented, and GetCallRecords as XML that reads back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/base/index.js';
import { SqliteTelCPNameRepository } from '../../src/store/index.js';
import { TelCPRegistry } from '../../src/telephony/domain/index.js';
import { contractProblems, LocalService, UpnpError, type WireArgs } from '../../src/upnp/index.js';
import { callHandlingActionErrors, callHandlingContract, CallHandlingUpnpService, parseCallRecords, parseDecision, parseIgnored } from '../../src/telephony/callhandling/index.js';
import { handlingSetup } from '../support/call-handling-fakes.js';
import { assertWellFormed, checkedScpd } from '../support/scpd-check.js';

const ctx = { remoteAddress: '127.0.0.1' };

function host(t: Parameters<typeof handlingSetup>[0]) {
  const h = handlingSetup(t);
  const registry = new TelCPRegistry({ repository: new SqliteTelCPNameRepository(h.store), clock: h.clock });
  const upnp = new CallHandlingUpnpService({ lineName: 'home', handling: h.service, registry });
  t.after(() => upnp.close());
  const local = new LocalService(upnp, silentLogger);
  const events: WireArgs[] = [];
  local.onEvent((vars) => events.push(vars));
  const invoke = async (action: string, args: Record<string, string> = {}): Promise<Record<string, string>> => Object.fromEntries(await local.invoke({ action, args: Object.entries(args) }, ctx));
  const kitchen = registry.register('Kitchen', '').secretKey;
  const hall = registry.register('Hall', '').secretKey;
  return { ...h, invoke, events, kitchen, hall };
}

async function expectCode(p: Promise<unknown>, code: number, description?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UpnpError, String(e));
    assert.equal(e.errorCode, code, e.message);
    if (description) assert.match(e.errorDescription, description);
    return true;
  });
}

test('the contract is consistent, its SCPD well formed, every action has its error list', () => {
  assert.deepEqual(contractProblems(callHandlingContract), []);
  assertWellFormed(checkedScpd(callHandlingContract));
  assert.deepEqual(Object.keys(callHandlingActionErrors), callHandlingContract.actions.map((a) => a.name));
});

test('ForwardCall by one TelCP wins; the other gets 801 naming it; LastDecision is evented', async (t) => {
  const { line, invoke, events, kitchen, hall } = host(t);
  line.ring('c1', '+4930222');
  await invoke('ForwardCall', { TelCPName: 'Kitchen', SecretKey: kitchen, TargetCallID: 'c1', ForwardTarget: '+49 30 555' });
  assert.deepEqual(line.decisions[0], { callID: 'c1', decision: { action: 'forward', target: '+49 30 555'}, by: 'Kitchen' });
  await expectCode(invoke('ForwardToVoiceMail', { TelCPName: 'Hall', SecretKey: hall, TargetCallID: 'c1' }), 801, /Already decided by Kitchen \(forward\)/);
  const last = events.map((e) => e.find(([k]) => k === 'LastDecision')?.[1]).filter((v) => v).at(-1)!;
  assert.deepEqual(parseDecision(last), { callID: 'c1', by: 'Kitchen', action: 'forward' });
});

test('refusals: 701 wrong key, 703 unknown CallID, 802 bad target, 402 empty target', async (t) => {
  const { line, invoke, kitchen } = host(t);
  line.ring('c1', '+4930222');
  await expectCode(invoke('ForwardToVoiceMail', { TelCPName: 'Kitchen', SecretKey: 'wrong', TargetCallID: 'c1' }), 701);
  await expectCode(invoke('ForwardToVoiceMail', { TelCPName: 'Kitchen', SecretKey: kitchen, TargetCallID: 'nope' }), 703);
  await expectCode(invoke('ForwardCall', { TelCPName: 'Kitchen', SecretKey: kitchen, TargetCallID: 'c1', ForwardTarget: 'garbage!' }), 802);
  await expectCode(invoke('ForwardCall', { TelCPName: 'Kitchen', SecretKey: kitchen, TargetCallID: 'c1', ForwardTarget: ' ' }), 402);
  assert.equal(line.decisions.length, 0, 'nothing decided');
  await invoke('ForwardToVoiceMail', { TelCPName: 'Kitchen', SecretKey: kitchen, TargetCallID: 'c1' });
  assert.equal(line.decisions[0]!.by, 'Kitchen');
});

test('IgnoreCall events LastIgnored with the TelCPName and decides nothing', async (t) => {
  const { line, invoke, events, kitchen } = host(t);
  line.ring('c1', '+4930222');
  await invoke('IgnoreCall', { TelCPName: 'Kitchen', SecretKey: kitchen, TargetCallID: 'c1' });
  const ignored = events.flatMap((e) => e.filter(([k, v]) => k === 'LastIgnored' && v !== '').map(([, v]) => v));
  assert.deepEqual(ignored.map(parseIgnored), [{ callID: 'c1', telCPName: 'Kitchen' }]);
  assert.equal(line.decisions.length, 0);
});

test('DND: get, set by a registered TelCP, evented', async (t) => {
  const { invoke, events, kitchen } = host(t);
  assert.deepEqual(await invoke('GetDoNotDisturb'), { DoNotDisturbEnable: '0' });
  await expectCode(invoke('SetDoNotDisturb', { TelCPName: 'Kitchen', SecretKey: 'x', DoNotDisturbEnable: '1' }), 701);
  await invoke('SetDoNotDisturb', { TelCPName: 'Kitchen', SecretKey: kitchen, DoNotDisturbEnable: '1' });
  assert.deepEqual(await invoke('GetDoNotDisturb'), { DoNotDisturbEnable: '1' });
  assert.ok(events.some((e) => e.some(([k, v]) => k === 'DoNotDisturbEnable' && v === '1')));
});

test('GetCallRecords: the full records as XML, paged and searched', async (t) => {
  const { line, invoke, kitchen, clock } = host(t);
  line.ring('c1', '+4930222', 'Caller <&>');
  await invoke('ForwardCall', { TelCPName: 'Kitchen', SecretKey: kitchen, TargetCallID: 'c1', ForwardTarget: 'sip:bob@example.org' });
  line.calls.get('c1')!.forward = { target: 'sip:bob@example.org', mode: 'bridge', result: 'answered' };
  line.finish('c1', 4_000, 'sip:bob@example.org');
  clock.advance(1000);
  line.ring('c2', '+4930333');
  const all = await invoke('GetCallRecords', { SearchText: '', StartingIndex: '0', RequestedCount: '0' });
  assert.equal(all.TotalMatches, '2');
  const records = parseCallRecords(all.CallRecords!);
  assert.equal(records[0]!.callID, 'c2', 'newest first');
  assert.deepEqual(
    { n: records[1]!.name, m: records[1]!.method, by: records[1]!.decidedBy, t: records[1]!.forwardTarget, fr: records[1]!.forwardResult, r: records[1]!.result, d: records[1]!.durationSec },
    { n: 'Caller <&>', m: 'forward', by: 'Kitchen', t: 'sip:bob@example.org', fr: 'answered', r: 'success', d: 4 },
  );
  const page = await invoke('GetCallRecords', { SearchText: 'bob', StartingIndex: '0', RequestedCount: '1' });
  assert.equal(page.NumberReturned, '1');
  assert.equal(page.TotalMatches, '1');
});
