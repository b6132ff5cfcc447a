/**
 * Acceptance 1 of the SIP line issue: the Telephony Server, driven by a TelCP over real UPnP, places and
 * receives calls through its SipLine (direct mode, 127.0.0.1) with SIPp as the remote party. Each test checks
 * the CallInfo events the TelCP receives (design.md, "Protocol mapping") and SIPp's own verdict (exit code,
 * message counts, the messages it logged).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectSippSuccess, freeLoopbackPort, runSipp, sippCount, startSippUas, type SippLoggedMessage, type SippResult, type SippScenario } from '../support/sipp.js';
import { mediaInfo, tcAudioSdp } from '../support/telephony-server.js';
import { bodyOf, headerOf, notSubsetReason, sdpStreams, sippLogged, startSipTs } from '../support/sip-acceptance.js';

const SIPP_TIMEOUT_MS = 15_000;
const host = '127.0.0.1';

const line = await startSipTs({ mode: 'direct', user: 'home' });
test.after(() => line.stop());

type Transport = 'u1' | 't1';
const transportName = (t: Transport): string => (t === 'u1' ? 'UDP' : 'TCP');

/** A SIPp UAS for one call the line places; returns it with the callee URI to dial. */
async function sippUas(scenario: SippScenario, transport: Transport, vars: Record<string, string> = {}) {
  const port = await freeLoopbackPort();
  const sipp = await startSippUas({ scenario, localPort: port, transport, calls: 1, vars, timeoutMs: SIPP_TIMEOUT_MS });
  return { sipp, callee: `sip:service@${host}:${port}${transport === 't1' ? ';transport=tcp' : ''}` };
}

/** A SIPp UAC calling the line once, as `caller`. */
async function sippUac(scenario: SippScenario, transport: Transport, caller: string, vars: Record<string, string> = {}) {
  return runSipp({
    scenario,
    remote: `${host}:${line.port}`,
    localPort: await freeLoopbackPort(),
    transport,
    service: 'home',
    keys: { caller, caller_name: `Caller ${caller}` },
    vars,
    timeoutMs: SIPP_TIMEOUT_MS,
  });
}

/** The To tag of a logged message. */
function toTag(m: SippLoggedMessage): string | undefined {
  return /;\s*tag=([^;\s]+)/i.exec((headerOf(m, 'To')[0] ?? '').replace(/^[^>]*>/, ''))?.[1];
}

function expectOneSuccessfulCall(result: SippResult, what: string): void {
  expectSippSuccess(result, what);
  assert.equal(result.exitCode, 0, result.report());
  assert.equal(result.stats?.successful, 1, result.report());
  assert.equal(result.stats?.failed, 0, result.report());
}

// ------------------------------------------------------------------------------------------ outgoing

for (const transport of ['u1', 't1'] as const) {
  test(`outgoing over ${transportName(transport)}: answered → Dialing, Calling, Connected, Talking; StopCall → BYE, Disconnected`, async () => {
    const { sipp, callee } = await sippUas('uas-answer', transport, { hangup: 'peer', ringms: '200' });
    const id = await line.startCall(callee, mediaInfo(tcAudioSdp));
    const connected = await line.waitStatus(id, 'Connected');
    assert.deepEqual(sdpStreams(connected.mediaCapability?.content ?? '').map((s) => s.codecs), [['PCMU/8000', 'PCMA/8000', 'TELEPHONE-EVENT/8000']], 'Connected carries SIPp\'s answer');
    await line.startMediaTransfer(id);
    await line.waitStatus(id, 'Talking');
    await line.stopCall(id);
    await line.waitStatus(id, 'Disconnected');
    const result = await sipp.done;
    expectOneSuccessfulCall(result, 'SIPp UAS uas-answer');
    assert.equal(sippCount(result, 'ACK', 'Recv'), 1, 'the 200 was ACKed');
    assert.equal(sippCount(result, 'BYE', 'Recv'), 1, 'SIPp saw the BYE');
    const [invite] = sippLogged(result, 'received', 'INVITE ', 'INVITE');
    assert.ok(invite, result.report());
    assert.match(invite.firstLine, new RegExp(`^INVITE sip:service@127\\.0\\.0\\.1:\\d+(;transport=tcp)? SIP/2\\.0$`));
    assert.match(headerOf(invite, 'Via')[0] ?? '', new RegExp(`^SIP/2\\.0/${transportName(transport)} 127\\.0\\.0\\.1:${line.port};`, 'i'));
    assert.deepEqual(sdpStreams(bodyOf(invite)), [{ media: 'audio', port: 41000, codecs: ['PCMU/8000'] }], 'the INVITE offers the TC\'s media');
    assert.deepEqual(line.history(id), ['Dialing', 'Calling', 'Connected', 'Talking', 'Disconnected'], 'each transition evented once');
  });
}

for (const [scenario, status, reason] of [
  ['uas-busy', 486, 'Busy'],
  ['uas-notfound', 404, 'Not Found'],
  ['uas-decline', 603, 'Rejected'],
] as const) {
  test(`outgoing over UDP: the callee answers ${status} → Disconnected, reason ${reason}`, async () => {
    const { sipp, callee } = await sippUas(scenario, 'u1', { ringms: '200' });
    const id = await line.startCall(callee, mediaInfo(tcAudioSdp));
    await line.waitStatus(id, `Disconnected/${reason}`);
    const result = await sipp.done;
    expectOneSuccessfulCall(result, `SIPp UAS ${scenario}`);
    assert.equal(sippCount(result, 'ACK', 'Recv'), 1, `the ${status} was ACKed`);
    const expected = scenario === 'uas-decline' ? ['Dialing', 'Calling', `Disconnected/${reason}`] : ['Dialing', `Disconnected/${reason}`];
    assert.deepEqual(line.history(id), expected);
  });
}

test('outgoing over UDP: no answer, StopCall while Calling → CANCEL, 487 → Disconnected, reason Cancelled', async () => {
  const { sipp, callee } = await sippUas('uas-noanswer', 'u1');
  const id = await line.startCall(callee, mediaInfo(tcAudioSdp));
  await line.waitStatus(id, 'Calling');
  await line.stopCall(id);
  await line.waitStatus(id, 'Disconnected/Cancelled');
  const result = await sipp.done;
  expectOneSuccessfulCall(result, 'SIPp UAS uas-noanswer');
  assert.equal(sippCount(result, 'CANCEL', 'Recv'), 1, 'SIPp saw the CANCEL');
  assert.equal(sippCount(result, 'ACK', 'Recv'), 1, 'the 487 was ACKed');
  assert.deepEqual(line.history(id), ['Dialing', 'Calling', 'Disconnected/Cancelled']);
});

test('outgoing over UDP: the callee hangs up (BYE) while Talking → Disconnected', async () => {
  const { sipp, callee } = await sippUas('uas-answer', 'u1', { hangup: 'sipp', holdms: '1000' });
  const id = await line.startCall(callee, mediaInfo(tcAudioSdp));
  await line.waitStatus(id, 'Connected');
  await line.startMediaTransfer(id);
  await line.waitStatus(id, 'Talking');
  await line.waitStatus(id, 'Disconnected');
  const result = await sipp.done;
  expectOneSuccessfulCall(result, 'SIPp UAS uas-answer (hangup=sipp)');
  assert.equal(sippCount(result, 'BYE', 'Sent'), 1);
  assert.equal(sippLogged(result, 'received', 'SIP/2.0 200', 'BYE').length, 1, 'the line answered the BYE 200');
  assert.deepEqual(line.history(id), ['Dialing', 'Calling', 'Connected', 'Talking', 'Disconnected']);
});

test('outgoing over UDP: the callee\'s re-INVITE → ReceivingModifyRequest; AcceptModifyCall → Modified (SIPp gets 200); StartMediaTransfer → Talking', async () => {
  const { sipp, callee } = await sippUas('uas-reinvite', 'u1', { expect_reinvite: '200', reinvitems: '800', holdms: '1200' });
  const id = await line.startCall(callee, mediaInfo(tcAudioSdp));
  await line.waitStatus(id, 'Connected');
  await line.startMediaTransfer(id);
  await line.waitStatus(id, 'Talking');
  const receiving = await line.waitStatus(id, 'ReceivingModifyRequest');
  assert.ok(receiving);
  await line.acceptModifyCall(id, mediaInfo(tcAudioSdp));
  await line.waitStatus(id, 'Modified');
  await line.startMediaTransfer(id);
  await line.waitStatus(id, 'Disconnected');
  const result = await sipp.done;
  expectOneSuccessfulCall(result, 'SIPp UAS uas-reinvite (expect 200)');
  const [reinvite] = sippLogged(result, 'sent', 'INVITE ', 'INVITE');
  const [ok] = sippLogged(result, 'received', 'SIP/2.0 200', 'INVITE');
  assert.ok(reinvite && ok, result.report());
  assert.equal(notSubsetReason(bodyOf(ok), bodyOf(reinvite)), undefined, `the 200's SDP answers the re-INVITE's offer:\n${bodyOf(ok)}`);
  assert.deepEqual(line.history(id), ['Dialing', 'Calling', 'Connected', 'Talking', 'ReceivingModifyRequest', 'Modified', 'Talking', 'Disconnected']);
});

test('outgoing over UDP: the callee\'s re-INVITE refused with RejectCall → ModifyFailed, reason Rejected (SIPp gets 488)', async () => {
  const { sipp, callee } = await sippUas('uas-reinvite', 'u1', { expect_reinvite: '488', reinvitems: '800', holdms: '1200' });
  const id = await line.startCall(callee, mediaInfo(tcAudioSdp));
  await line.waitStatus(id, 'Connected');
  await line.startMediaTransfer(id);
  await line.waitStatus(id, 'Talking');
  await line.waitStatus(id, 'ReceivingModifyRequest');
  await line.rejectCall(id, 'not now');
  await line.waitStatus(id, 'ModifyFailed/Rejected');
  await line.startMediaTransfer(id);
  await line.waitStatus(id, 'Disconnected');
  const result = await sipp.done;
  expectOneSuccessfulCall(result, 'SIPp UAS uas-reinvite (expect 488)');
  assert.equal(sippCount(result, '488', 'Recv'), 1, result.report());
  assert.deepEqual(line.history(id), ['Dialing', 'Calling', 'Connected', 'Talking', 'ReceivingModifyRequest', 'ModifyFailed/Rejected', 'Talking', 'Disconnected']);
});

// ------------------------------------------------------------------------------------------ incoming

for (const transport of ['u1', 't1'] as const) {
  test(`incoming over ${transportName(transport)}: Ringing with the caller and its offer; AcceptCall → 200 with a subset, Connected; SIPp hangs up → Disconnected`, async () => {
    const caller = `alice-${transport}`;
    const sipp = await sippUac('uac-call', transport, caller, { hangup: 'sipp', holdms: '700' });
    const ringing = await line.waitIncoming(caller);
    assert.deepEqual(ringing.remoteParty, { id: caller, name: `Caller ${caller}` });
    assert.deepEqual(ringing.targetNames, { type: 'TelCPName', names: '*' });
    const offered = sdpStreams(ringing.mediaCapability?.content ?? '');
    assert.equal(offered.length, 1, `the Ringing CallInfo carries SIPp's offer: ${ringing.mediaCapability?.content}`);
    assert.deepEqual(offered[0]!.codecs, ['PCMU/8000', 'PCMA/8000', 'TELEPHONE-EVENT/8000']);
    await line.acceptCall(ringing.callID, mediaInfo(tcAudioSdp));
    const connected = await line.waitStatus(ringing.callID, 'Connected');
    assert.match(connected.mediaCapability?.content ?? '', /m=audio 41000 RTP\/AVP 0\r\n/);
    await line.waitStatus(ringing.callID, 'Disconnected');
    const result = await sipp.done;
    expectOneSuccessfulCall(result, 'SIPp UAC uac-call');
    assert.equal(sippCount(result, '180', 'Recv'), 1, 'the line rang (180)');
    const [invite] = sippLogged(result, 'sent', 'INVITE ', 'INVITE');
    const [ok] = sippLogged(result, 'received', 'SIP/2.0 200', 'INVITE');
    assert.ok(invite && ok, result.report());
    assert.match(headerOf(ok, 'Content-Type')[0] ?? '', /^application\/sdp/i);
    assert.equal(notSubsetReason(bodyOf(ok), bodyOf(invite)), undefined, `the 200's SDP is a subset of SIPp's offer:\n${bodyOf(ok)}`);
    assert.equal(sippLogged(result, 'received', 'SIP/2.0 200', 'BYE').length, 1, 'the line answered SIPp\'s BYE 200');
    assert.deepEqual(line.history(ringing.callID), ['Ringing', 'Connected', 'Disconnected']);
  });
}

for (const [reason, status] of [
  ['', 603],
  ['User Busy', 486],
] as const) {
  test(`incoming over UDP: RejectCall${reason ? ` with RejectReason "${reason}"` : ''} → SIPp gets ${status}; Disconnected, reason Rejected`, async () => {
    const caller = `bob-${status}`;
    const sipp = await sippUac('uac-rejected', 'u1', caller, { expect_final: String(status) });
    const ringing = await line.waitIncoming(caller);
    await line.rejectCall(ringing.callID, reason);
    await line.waitStatus(ringing.callID, 'Disconnected/Rejected');
    const result = await sipp.done;
    expectOneSuccessfulCall(result, `SIPp UAC uac-rejected (expect ${status})`);
    assert.equal(sippCount(result, String(status), 'Recv'), 1, result.report());
    assert.deepEqual(line.history(ringing.callID), ['Ringing', 'Disconnected/Rejected']);
  });
}

test('incoming over UDP: SIPp cancels while Ringing → 200 (CANCEL), 487 → Disconnected, reason Cancelled', async () => {
  const caller = 'carol-cancel';
  const sipp = await sippUac('uac-cancel', 'u1', caller, { ringms: '600' });
  const ringing = await line.waitIncoming(caller);
  await line.waitStatus(ringing.callID, 'Disconnected/Cancelled');
  const result = await sipp.done;
  expectOneSuccessfulCall(result, 'SIPp UAC uac-cancel');
  assert.equal(sippCount(result, '487', 'Recv'), 1, result.report());
  const [cancelOk] = sippLogged(result, 'received', 'SIP/2.0 200', 'CANCEL');
  const [terminated] = sippLogged(result, 'received', 'SIP/2.0 487', 'INVITE');
  assert.ok(cancelOk && terminated, result.report());
  assert.deepEqual(line.history(ringing.callID), ['Ringing', 'Disconnected/Cancelled']);
  // RFC 3261 8.2.6.2: a UAS MUST add a To tag to every response to a request without one (100 excepted);
  // 9.2: the To tag of the CANCEL's response SHOULD be that of the INVITE's response.
  assert.equal(toTag(cancelOk), toTag(terminated), `the 200 (CANCEL) carries the INVITE's To tag:\n${cancelOk.text}`);
});

test('the line is still idle and answering after all that', async () => {
  assert.deepEqual(await line.ts.cm.invoke('GetTelephonyIdentity'), { TelephonyIdentity: `sip:home@127.0.0.1:${line.port}` });
  assert.equal(line.ts.sip?.userAgent?.sessions.length, 0, 'no SIP session left over');
});
