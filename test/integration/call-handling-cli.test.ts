/**
 * `hometel cp forward|voicemail|ignore` and `cp logs --records` (issue 13) against `hometel start` in its own
 * process: SIPp calls the line, a TelCP of the test keeps a screen online and learns the CallID; the CLI ignores the
 * call, is refused a forward to garbage (802), sends it to voicemail, is refused a second decision naming itself as
 * the winner (801), and reads the full record as JSON. Every command's --help.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { TelephonyControlPoint, type CallView } from '../../src/telephony/control/index.js';
import { hometelCli, startConfiguredHometel } from '../support/hometel-process.js';
import { lo, testLogger } from '../support/net.js';
import { freeLoopbackPort, runSipp } from '../support/sipp.js';
import { lineOnlyConfig } from '../support/web.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

test('cp ignore, forward (refused garbage), voicemail, a second decision refused naming the winner, logs --records', async (t) => {
  const sipPort = await freeLoopbackPort();
  const hometel = await startConfiguredHometel('hometel-handling-cli-', (d) => ({ ...lineOnlyConfig(d, sipPort), web: false, callHandling: { noResponse: { seconds: 60 } } }));
  const telcp = new TelephonyControlPoint({ interfaces: [lo], logger: testLogger('telcp'), searchTarget: hometel.udn, mx: 1 });
  t.after(async () => {
    await telcp.stop();
    await hometel.stop();
  });
  const cp = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [...hometelCli, 'cp', ...args, '--name', 'clitest', '--state', join(hometel.dir, 'telcp.json')], { timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  for (const sub of ['forward', 'voicemail', 'ignore', 'logs']) {
    const help = await cp([sub, '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /--json/);
  }

  await telcp.start();
  const session = await telcp.openSession(await telcp.waitForServer(), { name: 'screen' });
  const ringing = new Promise<CallView>((resolve) => session.once('incoming', resolve));
  const sipp = await runSipp({ scenario: 'uac-call', remote: `${lo.address}:${sipPort}`, service: 'home', localPort: await freeLoopbackPort(), transport: 'u1', keys: { caller: '0301239876', caller_name: 'Caller' }, vars: { hangup: 'sipp', holdms: '500' }, timeoutMs: 60_000 });
  t.after(() => sipp.stop());
  const { callID } = await ringing;

  const ignored = await cp(['ignore', callID, '--json']);
  assert.equal(ignored.code, 0, ignored.stderr);
  assert.deepEqual(JSON.parse(ignored.stdout), { callID, action: 'ignore', by: 'clitest' });

  const garbage = await cp(['forward', callID, 'not-a-number', '--json']);
  assert.equal(garbage.code, 2, 'a UPnP error: exit 2');
  assert.equal((JSON.parse(garbage.stdout) as { error: { code: number } }).error.code, 802);

  const sent = await cp(['voicemail', callID]);
  assert.equal(sent.code, 0, sent.stderr);
  assert.match(sent.stdout, new RegExp(`^${callID}  voicemail \\(by clitest\\)`));

  const late = await cp(['forward', callID, '+49 30 1234567']);
  assert.equal(late.code, 2);
  assert.match(late.stderr, /Already decided by clitest \(voicemail\)/);

  const logs = await cp(['logs', '--records', '--json']);
  assert.equal(logs.code, 0, logs.stderr);
  const record = (JSON.parse(logs.stdout) as Array<{ callID: string; method: string; decidedBy: string; number: string }>).find((r) => r.callID === callID);
  assert.deepEqual([record?.method, record?.decidedBy, record?.number], ['voicemail', 'clitest', '0301239876']);
});
