/**
 * The VoiceMail service of the Telephony Server (src/telephony/voicemail) over the voicemail service on a real store:
 * the contract and its SCPD, every action through the hosting LocalService, the error codes, the VoiceMailInfo
 * fragment (built and read back), events moderated and sent for a change made elsewhere, PlayVoiceMail handing the
 * message's file to the player.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/base/logger.js';
import { ToneSource } from '../../src/media/index.js';
import { SqliteVoiceMailRepository, Store } from '../../src/store/index.js';
import { contractProblems, LocalService, UpnpError, type WireArgs } from '../../src/upnp/index.js';
import { NoSuchTelephonyClient, parseVoiceMailInfo, voiceMailContract, VoiceMailUpnpService } from '../../src/telephony/voicemail/index.js';
import { VoiceMailService } from '../../src/voicemail/index.js';
import { FakeClock } from '../support/fake-clock.js';
import { assertWellFormed, checkedScpd } from '../support/scpd-check.js';

const ctx = { remoteAddress: '127.0.0.1' };
const infoOf = (vars: WireArgs): string => vars.find(([name]) => name === 'VoiceMailInfo')?.[1] ?? '';

async function expectCode(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof UpnpError && e.errorCode === code);
}

test('the VoiceMail contract is valid and its SCPD well-formed', () => {
  assert.deepEqual(contractProblems(voiceMailContract), []);
  assertWellFormed(checkedScpd(voiceMailContract));
});

test('VoiceMail service: info, read state, delete, play, errors, and moderated events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-vm-upnp-'));
  const store = Store.open(dir);
  const clock = new FakeClock(1_700_000_000_000);
  const voicemail = new VoiceMailService({
    repository: new SqliteVoiceMailRepository(store),
    dir: join(dir, 'vm'),
    lines: ['home', 'work'],
    limits: { maxMessagesPerLine: 10, maxSecondsPerMessage: 60, silenceSeconds: 2, maxDiskBytes: 1 << 24 },
    clock,
    logger: silentLogger,
  });
  const plays: Array<[string, string]> = [];
  const player = {
    play: async (path: string, tc: string) => {
      if (tc === 'attic') throw new NoSuchTelephonyClient('no Telephony Client "attic" answers');
      if (tc === 'broken') throw new Error('StartMediaSession refused');
      plays.push([path, tc]);
    },
  };
  const service = new VoiceMailUpnpService({ lineName: 'home', voicemail, player, clock, logger: silentLogger });
  const local = new LocalService(service, silentLogger);
  const events: WireArgs[] = [];
  local.onEvent((vars) => events.push(vars));
  const invoke = async (action: string, args: Record<string, string> = {}) => Object.fromEntries(await local.invoke({ action, args: Object.entries(args) }, ctx));
  const leave = async (line: string, callID: string) => {
    const media = voicemail.deposit({ callID, line, callerNumber: '+4930123', callerName: 'A & B <Co>' }, () => undefined);
    while (media.source!.nextFrame());
    const tone = new ToneSource(440, 8000);
    for (let i = 0; i < 50; i++) media.sink!.write(tone.nextFrame()!);
    await media.close!();
  };
  try {
    const empty = parseVoiceMailInfo((await invoke('GetVoiceMailInfo')).VoiceMailInfo!);
    assert.deepEqual(empty, { line: 'home', newMessages: 0, totalMessages: 0, messages: [] });
    await leave('home', 'c1');
    await leave('work', 'c2');
    const info = parseVoiceMailInfo((await invoke('GetVoiceMailInfo')).VoiceMailInfo!)!;
    assert.deepEqual([info.newMessages, info.totalMessages], [1, 1], "only the line's own messages");
    const m = info.messages[0]!;
    assert.deepEqual([m.callID, m.callerID, m.callerName, m.durationMs, m.read], ['c1', '+4930123', 'A & B <Co>', 1000, false]);
    assert.equal(m.time, new Date(1_700_000_000_000).toISOString());
    const other = voicemail.list().find((x) => x.line === 'work')!.id;

    // Two changes in a quiet period: one event, carrying both.
    events.length = 0;
    await invoke('SetMessageRead', { MessageID: m.messageID, Read: '1' });
    voicemail.markRead(other, true);
    clock.advance(200);
    assert.equal(events.length, 1);
    const evented = parseVoiceMailInfo(infoOf(events[0]!))!;
    assert.deepEqual([evented.newMessages, evented.messages[0]!.read], [0, true]);

    await invoke('PlayVoiceMail', { MessageID: m.messageID, TCUDN: 'Living room TV' });
    assert.deepEqual(plays, [[voicemail.audioPath(m.messageID), 'Living room TV']]);
    await expectCode(invoke('PlayVoiceMail', { MessageID: m.messageID, TCUDN: 'attic' }), 702);
    await expectCode(invoke('PlayVoiceMail', { MessageID: m.messageID, TCUDN: 'broken' }), 703);
    await expectCode(invoke('PlayVoiceMail', { MessageID: m.messageID, TCUDN: ' ' }), 402);
    await expectCode(invoke('SetMessageRead', { MessageID: other, Read: '0' }), 701);
    await expectCode(invoke('DeleteMessage', { MessageID: 'nope' }), 701);
    await expectCode(invoke('DeleteMessage', { MessageID: '' }), 402);
    await invoke('DeleteMessage', { MessageID: m.messageID });
    clock.advance(200);
    assert.equal(parseVoiceMailInfo(infoOf(events.at(-1)!))!.totalMessages, 0);
  } finally {
    service.close();
    voicemail.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
