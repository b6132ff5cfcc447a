/**
 * A phone transfers the call it answered (issue 14 "Transfer"): the phones' line (src/sip/pbx/phone-line.ts) takes
 * the REFER (RFC 3515) on the answered call's dialog, sends its Refer-To's user part through the dial plan and
 * reports an extension or outside number as `transferRequested`; the listener's outcome is the last NOTIFY's sipfrag.
 * The phone is played by the test on the in-memory SIP network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DialPlan, type Binding, type PhoneDirectory } from '../../src/phones/index.js';
import { PhoneLine } from '../../src/sip/pbx/index.js';
import type { SipRequest, SipResponse } from '../../src/sip/message/index.js';
import type { LineListener, TransferProgress, TransferTarget } from '../../src/telephony/domain/index.js';
import { agent, answer, FakeClock, host, MemoryNet, offer, RawPeer, settle, stopped } from '../support/sip-ua-fixture.js';
import { testLogger } from '../support/net.js';

const realm = 'home.arpa';
const extensions = ['21', '22'];

function directory(): PhoneDirectory {
  const b: Binding = { extension: '21', contact: `sip:21@${host}:5081`, expiresAt: 1e15, callId: 'r1', cseq: 1, source: { transport: 'udp', address: host, port: 5081 }, registeredAt: 0 };
  const view = (number: string) => ({ number, registrations: number === '21' ? 1 : 0 });
  return {
    extension: (n) => (extensions.includes(n) ? view(n) : undefined),
    extensions: () => extensions.map(view),
    bindings: (n) => (n === '21' ? [b] : []),
    credentials: () => undefined,
    onChange: () => () => {},
  };
}

/** The hub's phones' side on 5070 (taking REFERs as PhoneSide does) has called 21, played by the test on 5081, which answered. */
async function answeredCall(routed = true) {
  const net = new MemoryNet();
  const clock = new FakeClock();
  const hub = agent(net, clock, 5070, 'hometel', { acceptsUser: () => true, extraMethods: ['REFER'] });
  const phone = new RawPeer(net, 5081);
  const line = new PhoneLine({ side: { userAgent: hub, realm, clock }, directory: directory(), logger: testLogger('phone-line') });
  const asked: Array<{ id: string; target: TransferTarget; progress: TransferProgress }> = [];
  const none = (): void => {};
  const l: LineListener = {
    incoming: none, provisional: none, answered: none, failed: none, remoteCancelled: none, remoteHangUp: none,
    remoteModify: none, remoteModifyCancelled: none, modifyAccepted: none, modifyRejected: none, availability: none,
    transferRequested: (id, target, progress) => void asked.push({ id, target, progress }),
  };
  line.setListener(l);
  if (routed) line.routeTransfers(new DialPlan({ line: 'home', outsidePrefix: '0', addPrefix: '+49' }, { isExtension: (n) => extensions.includes(n), isHomeName: (n) => n === 'Kitchen' }));
  const id = line.place({ callee: '21', priority: 'Normal', sdpOffer: offer });
  await settle();
  const invite = phone.last('INVITE');
  phone.respond(invite, 200, [['Contact', `<sip:21@${host}:5081>`]], { toTag: 'ph', body: answer });
  await settle();
  let seq = 1;
  /** The phone's REFER in the dialog; its final response. */
  const refer = async (referTo: string): Promise<SipResponse> => {
    const inv = invite.message;
    const req = phone.request('REFER', 5070, [['From', `${inv.headers.get('To')!};tag=ph`], ['To', inv.headers.get('From')!], ['Refer-To', referTo]], {
      uri: `sip:hometel@${host}:5070`,
      callId: inv.headers.get('Call-ID')!,
      cseq: seq++,
    });
    const before = phone.responses().length;
    phone.send(req, 5070);
    await settle();
    const r = phone.responses().slice(before).find((x) => x.status >= 200);
    assert.ok(r, 'a final response to the REFER');
    return r;
  };
  /** The NOTIFYs' sipfrag status lines and subscription states so far (each answered 200 once). */
  const seen = new Set<string>();
  const notifies = async (): Promise<string[]> => {
    await settle();
    const out: string[] = [];
    for (const n of phone.requests('NOTIFY')) {
      const m: SipRequest = n.message;
      const key = m.headers.get('CSeq')!;
      if (seen.has(key)) continue;
      seen.add(key);
      phone.respond(n, 200);
      out.push(`${m.body.trim()} | ${m.headers.get('Subscription-State')}`);
    }
    await settle();
    return out;
  };
  return { id, asked, refer, notifies, stop: () => stopped(hub) };
}

test('REFER to an extension: 202, 100 Trying, the line reports the extension; its success is NOTIFY 200 OK ending the subscription', async () => {
  const c = await answeredCall();
  assert.equal((await c.refer(`<sip:22@${realm}>`)).status, 202);
  assert.deepEqual(await c.notifies(), ['SIP/2.0 100 Trying | active;expires=180']);
  assert.equal(c.asked.length, 1);
  assert.equal(c.asked[0]!.id, c.id);
  assert.deepEqual(c.asked[0]!.target, { kind: 'extension', number: '22' });
  c.asked[0]!.progress.succeeded();
  assert.deepEqual(await c.notifies(), ['SIP/2.0 200 OK | terminated;reason=noresource']);
  await c.stop();
});

test('REFER to an outside number goes by the dial plan (outside prefix stripped, the added one put in front); a busy target is NOTIFY 486', async () => {
  const c = await answeredCall();
  await c.refer(`sip:030123456@${realm}`);
  assert.deepEqual(c.asked[0]!.target, { kind: 'outside', number: '+4930123456' });
  c.asked[0]!.progress.failed('Busy');
  assert.deepEqual(await c.notifies(), ['SIP/2.0 100 Trying | active;expires=180', 'SIP/2.0 486 Busy Here | terminated;reason=noresource']);
  await c.stop();
});

test('a feature code, a name of the home or nothing the plan knows is no transfer target: NOTIFY 403 / 404, the TS never asked', async () => {
  const c = await answeredCall();
  await c.refer(`<sip:*78@${realm}>`);
  await c.refer(`<sip:Kitchen@${realm}>`);
  await c.refer(`<sip:nobody@${realm}>`);
  const sent = await c.notifies();
  assert.deepEqual(
    sent.filter((n) => !n.startsWith('SIP/2.0 100')),
    [
      'SIP/2.0 403 Forbidden (a feature code is no transfer target) | terminated;reason=noresource',
      'SIP/2.0 403 Forbidden (a name of the home is no transfer target) | terminated;reason=noresource',
      'SIP/2.0 404 Not Found | terminated;reason=noresource',
    ],
  );
  assert.equal(c.asked.length, 0);
  await c.stop();
});

test('without a dial plan for transfers the phones\' line takes no REFER: 405', async () => {
  const c = await answeredCall(false);
  assert.equal((await c.refer(`<sip:22@${realm}>`)).status, 405);
  await c.stop();
});
