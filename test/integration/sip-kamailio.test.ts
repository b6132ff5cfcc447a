/**
 * Acceptance 2 of the SIP line issue: a Telephony Server whose line is in registered mode behind Kamailio
 * (registrar and proxy with Digest, test/peers/kamailio/), driven by a TelCP over real UPnP. The line
 * registers with Digest, refreshes before the lifetime the registrar granted runs out, reports its address of
 * record as the TS's identity, receives a call SIPp places to that AOR through Kamailio, and places a call
 * through Kamailio (as its outbound proxy) that Kamailio challenges with 407 first. Kamailio's registrar is
 * asked over kamcmd what it holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startKamailio } from '../support/kamailio.js';
import { expectSippSuccess, freeLoopbackPort, runSipp, sippCount, startSippUas } from '../support/sipp.js';
import { mediaInfo, tcAudioSdp } from '../support/telephony-server.js';
import { headerOf, notSubsetReason, bodyOf, sippLogged, startSipTs } from '../support/sip-acceptance.js';

const SIPP_TIMEOUT_MS = 15_000;
const DOMAIN = 'hometel.test';
const USER = 'alice';
const PASSWORD = 'alice-secret';
/** The line asks for 1 s; Kamailio's min_expires raises it to this (min_expires_mode 0). */
const GRANTED = 3;

const kamailio = await startKamailio({
  udpPort: await freeLoopbackPort(),
  tcpPort: await freeLoopbackPort(),
  users: { [USER]: PASSWORD, bob: 'bob-secret' },
  domain: DOMAIN,
  minExpires: GRANTED,
});
const line = await startSipTs({
  mode: 'registered',
  user: USER,
  // The provider by its domain name, as a user would configure it; the test resolves the name to Kamailio.
  registrar: `sip:${DOMAIN}:${kamailio.udpPort}`,
  password: PASSWORD,
  expires: 1,
  resolveHost: async (name) => {
    if (name.toLowerCase() === DOMAIN) return '127.0.0.1';
    throw new Error(`no address for ${name} in this test`);
  },
});
test.after(async () => {
  await line.stop();
  await kamailio.stop();
});

const registerLines = (): number => kamailio.stderr().split('\n').filter((l) => l.includes('request REGISTER ')).length;
/** Kamailio's log line of each INVITE to `uri`, as {CSeq number, Call-ID} (the config's log_prefix is `{$mt $hdr(CSeq) $ci}`). */
const invitesLoggedFor = (uri: string): Array<{ cseq: number; callId: string }> =>
  kamailio
    .stderr()
    .split('\n')
    .filter((l) => l.includes(`request INVITE ${uri} `))
    .map((l) => {
      const m = /\{\d+ (\d+) INVITE (\S+)\}/.exec(l);
      return { cseq: Number(m?.[1]), callId: m?.[2] ?? '' };
    });

test('the line registers its Contact with Digest; GetTelephonyIdentity returns the address of record', async () => {
  const [contact] = await kamailio.waitForRegistrations(USER, 1);
  assert.equal(contact!.address, `sip:${USER}@127.0.0.1:${line.port}`);
  assert.equal(contact!.socket, `udp:127.0.0.1:${kamailio.udpPort}`);
  assert.ok(contact!.expires > 0 && contact!.expires <= GRANTED, `granted ${GRANTED} s (Kamailio raised the 1 s asked for), ${contact!.expires} s left`);
  assert.match(contact!.userAgent, /hometel/);
  assert.deepEqual(await line.ts.cm.invoke('GetTelephonyIdentity'), { TelephonyIdentity: `sip:${USER}@${DOMAIN}` });
  assert.equal(line.ts.sip?.userAgent?.registrationState, 'registered');
});

test(`the line refreshes at about half the ${GRANTED} s granted: still registered after the first lifetime, same Call-ID`, async () => {
  const [first] = await kamailio.waitForRegistrations(USER, 1);
  const registersBefore = registerLines();
  const deadline = Date.now() + (GRANTED + 1.5) * 1000;
  const seen: number[] = [];
  while (Date.now() < deadline) {
    const contacts = await kamailio.registrations(USER);
    assert.equal(contacts.length, 1, `exactly one binding at every moment (have ${contacts.length})\n${kamailio.stderr().slice(-4_000)}`);
    assert.ok(contacts[0]!.expires > 0, `the binding never expires (Expires: ${contacts[0]!.expires})`);
    assert.equal(contacts[0]!.callId, first!.callId, 'RFC 3261 10.2.4: a refresh keeps the Call-ID');
    seen.push(contacts[0]!.expires);
    await new Promise((r) => setTimeout(r, 250));
  }
  // Each refresh is a REGISTER that gets 401 and its retry with credentials (Kamailio logs both).
  const refreshes = registerLines() - registersBefore;
  assert.ok(refreshes >= 4, `at least two refreshes in ${GRANTED + 1.5} s, saw ${refreshes} REGISTER requests at Kamailio`);
  assert.ok(seen.some((e, i) => i > 0 && e > seen[i - 1]!), `the binding's lifetime went up again after a refresh: ${seen.join(' ')}`);
});

test('SIPp calls the AOR through Kamailio: Ringing → AcceptCall → Connected; SIPp hangs up → Disconnected', async () => {
  const caller = 'sipp-via-proxy';
  const sipp = await runSipp({
    scenario: 'uac-call',
    remote: `127.0.0.1:${kamailio.udpPort}`,
    localPort: await freeLoopbackPort(),
    transport: 'u1',
    service: USER,
    keys: { caller, caller_name: 'Proxy Caller' },
    vars: { hangup: 'sipp', holdms: '700' },
    timeoutMs: SIPP_TIMEOUT_MS,
  });
  const ringing = await line.waitIncoming(caller);
  assert.equal(ringing.remoteParty?.name, 'Proxy Caller');
  await line.acceptCall(ringing.callID, mediaInfo(tcAudioSdp));
  await line.waitStatus(ringing.callID, 'Connected');
  await line.waitStatus(ringing.callID, 'Disconnected');
  const result = await sipp.done;
  expectSippSuccess(result, 'SIPp uac-call through Kamailio');
  assert.equal(result.stats?.successful, 1);
  const [ok] = sippLogged(result, 'received', 'SIP/2.0 200', 'INVITE');
  const [invite] = sippLogged(result, 'sent', 'INVITE ', 'INVITE');
  assert.ok(ok && invite, result.report());
  assert.ok(headerOf(ok, 'Record-Route').length > 0, 'the call went through the proxy (Record-Route)');
  assert.equal(notSubsetReason(bodyOf(ok), bodyOf(invite)), undefined, bodyOf(ok));
  assert.equal(sippLogged(result, 'received', 'SIP/2.0 200', 'BYE').length, 1, 'the line answered the BYE that came through the proxy');
  assert.deepEqual(line.history(ringing.callID), ['Ringing', 'Connected', 'Disconnected']);
});

test('the line calls a SIPp UAS through Kamailio: the INVITE is challenged 407 and retried with credentials → Connected; StopCall → BYE', async () => {
  const port = await freeLoopbackPort();
  const target = `sip:service@127.0.0.1:${port}`;
  const sipp = await startSippUas({ scenario: 'uas-answer', localPort: port, transport: 'u1', calls: 1, vars: { hangup: 'peer', ringms: '200' }, timeoutMs: SIPP_TIMEOUT_MS });
  const invitesBefore = invitesLoggedFor(target).length;
  const id = await line.startCall(target, mediaInfo(tcAudioSdp));
  await line.waitStatus(id, 'Connected');
  await line.startMediaTransfer(id);
  await line.waitStatus(id, 'Talking');
  await line.stopCall(id);
  await line.waitStatus(id, 'Disconnected');
  const result = await sipp.done;
  expectSippSuccess(result, 'SIPp uas-answer behind Kamailio');
  assert.equal(result.stats?.successful, 1);
  assert.equal(sippCount(result, 'BYE', 'Recv'), 1, 'the BYE reached SIPp through the proxy');
  const [invite] = sippLogged(result, 'received', 'INVITE ', 'INVITE');
  assert.ok(invite, result.report());
  assert.ok(headerOf(invite, 'Record-Route').length > 0, 'relayed by Kamailio');
  assert.equal(headerOf(invite, 'Proxy-Authorization').length, 0, 'Kamailio consumed the credentials');
  assert.match(headerOf(invite, 'From')[0] ?? '', new RegExp(`sip:${USER}@${DOMAIN.replace('.', '\\.')}`), 'From is the AOR');
  const invites = invitesLoggedFor(target).slice(invitesBefore);
  assert.equal(invites.length, 2, `one INVITE challenged (407), one with Proxy-Authorization\n${kamailio.stderr().slice(-4_000)}`);
  assert.equal(invites[1]!.callId, invites[0]!.callId, 'the retry is the same call');
  assert.equal(invites[1]!.cseq, invites[0]!.cseq + 1, 'RFC 3261 22.2: the request resubmitted with credentials has the next CSeq');
  assert.deepEqual(line.history(id), ['Dialing', 'Calling', 'Connected', 'Talking', 'Disconnected']);
});

test('stopping the line removes its binding (REGISTER with Expires 0)', async () => {
  await line.stop();
  await kamailio.waitForRegistrations(USER, 0, 5_000);
});
