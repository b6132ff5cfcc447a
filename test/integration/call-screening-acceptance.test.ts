/**
 * Issue 13 acceptance 1 and 6 (seed 004 2.2 3 vi, automatic call processing) with `hometel start` in its own process,
 * SIPp as the callers, a hometel TelCP as the screen, and the rules, DND and contacts set with the `hometel` CLI on
 * the same store — before the start, and (DND) while hometel runs, which notices within a second.
 *
 * 1 — a blocked contact's call gets the blocked rule's SIP answer (403), no screen is notified, the record names the rule;
 * 6 — DND on: an unknown caller gets DND's action (486), the record says `dnd`; a VIP contact still rings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseCallRecords, type CallRecord } from '../../src/app/index.js';
import { callHandlingServiceType } from '../../src/telephony/callhandling/index.js';
import { TelephonyControlPoint, type CallView } from '../../src/telephony/control/index.js';
import { findService } from '../../src/upnp/index.js';
import { runHometel, startConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger } from '../support/net.js';
import { expectSippSuccess, freeLoopbackPort, runSipp } from '../support/sipp.js';
import { lineOnlyConfig } from '../support/web.js';

async function cli(dataDir: string, ...args: string[]): Promise<unknown> {
  const r = await runHometel([...args, '--data-dir', dataDir, '--json']);
  assert.equal(r.code, 0, `hometel ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

test('issue 13 acceptance 1 and 6 (seed 004 2.2 3 vi): a blocked caller screened by its rule, DND with a VIP that rings', async (t) => {
  const sipPort = await freeLoopbackPort();
  let dataDir = '';
  let blockedRule = '';
  const hometel = await startConfiguredHometel('hometel-screening-', async (d) => {
    dataDir = path.join(d, 'data');
    await cli(dataDir, 'contacts', 'add', 'Blocked Caller', '030 5550001', '--blocked');
    await cli(dataDir, 'contacts', 'add', 'Very Important', '+49 30 5550002', '--vip');
    blockedRule = ((await cli(dataDir, 'rules', 'add', '--blocked', '--action', 'reject', '--status', '403')) as { id: string }).id;
    // Always ring the screens (no nobody-home shortcut), so only the rules decide.
    return { ...lineOnlyConfig(d, sipPort), web: false, callHandling: { activation: 'on' } };
  });
  const telcp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp-screen'), searchTarget: hometel.udn, mx: 1 });
  t.after(async () => {
    await telcp.stop();
    await hometel.stop();
  });
  await telcp.start();
  const server = await telcp.waitForServer();
  const session = await telcp.openSession(server, { name: 'screen' });
  const handling = telcp.controlPoint.devices.map((d) => findService(d, (s) => s.device.udn === server.udn && s.serviceType === callHandlingServiceType)).find((s) => s)!;
  const notified: CallView[] = [];
  session.on('incoming', (v: CallView) => notified.push(v));
  const records = async (): Promise<CallRecord[]> => parseCallRecords(String((await handling.invoke('GetCallRecords', { SearchText: '', StartingIndex: 0, RequestedCount: 0 })).CallRecords));
  const recordOf = async (number: string): Promise<CallRecord> => {
    const end = Date.now() + 20_000;
    for (;;) {
      const found = (await records()).find((r) => r.number?.includes(number) && r.endedAt !== undefined);
      if (found) return found;
      if (Date.now() > end) throw new Error(`no ended record for ${number}: ${JSON.stringify(await records())}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const call = async (number: string, vars: Record<string, string>) =>
    runSipp({ scenario: 'uac-rejected', remote: `${lo.address}:${sipPort}`, service: 'home', localPort: await freeLoopbackPort(), transport: 'u1', keys: { caller: number, caller_name: 'Caller' }, vars, timeoutMs: 30_000 });

  // 1: the blocked contact (its number written another way) gets the rule's 403; nobody is notified.
  const blocked = await call('0305550001', { expect_final: '403' });
  expectSippSuccess(await blocked.done, 'acceptance 1: the blocked caller gets the rule\'s 403');
  const r1 = await recordOf('0305550001');
  assert.deepEqual([r1.method, r1.decidedBy, r1.name], ['reject', `rule:${blockedRule}`, 'Blocked Caller'], 'the record names the rule');
  assert.equal(notified.filter((v) => v.info.remoteParty?.id.includes('0305550001')).length, 0, 'no screen was notified');

  // 6: DND switched on from the CLI while hometel runs; an unknown caller gets DND's 486.
  await cli(dataDir, 'dnd', 'on', '--action', 'reject', '--status', '486', '--vip-rings');
  await new Promise((r) => setTimeout(r, 1500));
  const unknown = await call('0305559999', { expect_final: '486' });
  expectSippSuccess(await unknown.done, 'acceptance 6: an unknown caller gets the DND action');
  const r6 = await recordOf('0305559999');
  assert.deepEqual([r6.method, r6.decidedBy], ['reject', 'dnd']);
  assert.equal(notified.filter((v) => v.info.remoteParty?.id.includes('0305559999')).length, 0, 'DND notified nobody');

  // 6: the VIP rings the screen through DND; the screen rejects it.
  const rings = new Promise<CallView>((resolve) => session.on('incoming', (v: CallView) => v.info.remoteParty?.id.includes('0305550002') && resolve(v)));
  const vip = await call('0305550002', { expect_final: '603' });
  const rang = await rings;
  assert.equal(rang.info.remoteParty?.name, 'Very Important');
  await session.reject(rang.callID);
  expectSippSuccess(await vip.done, 'acceptance 6: the VIP rang and the screen rejected it');
  const rVip = await recordOf('0305550002');
  assert.deepEqual([rVip.method, rVip.decidedBy], ['reject', 'screen']);
});
