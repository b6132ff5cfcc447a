/**
 * A Telephony Server over scripted lines — the WAN line and the phones' line — ringing the phones with the screens
 * (src/telephony/server/phone-ringing.ts), for the phone-ringing and phone-transfer unit tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTelephonyServer } from '../../src/app/telephony-server.js';
import { silentLogger } from '../../src/base/index.js';
import { Store } from '../../src/store/index.js';
import { defaultMediaProfile } from '../../src/telephony/index.js';
import { type Call, type IncomingCall } from '../../src/telephony/domain/index.js';
import { ScriptedLine } from '../../src/telephony/testing/index.js';
import { type ActionArgs } from '../../src/upnp/index.js';
import { FakeClock } from './fake-clock.js';

export const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.9\r\ns=-\r\nc=IN IP4 127.0.0.9\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
export const phoneAnswer = 'v=0\r\no=- 2 2 IN IP4 127.0.0.21\r\ns=-\r\nc=IN IP4 127.0.0.21\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

export function ringingPhones(extensions: readonly string[] = ['21', '22']) {
  const dir = mkdtempSync(join(tmpdir(), 'hometel-phone-ringing-'));
  const store = Store.open(dir);
  const clock = new FakeClock(1_000_000);
  const line = new ScriptedLine();
  const phones = new ScriptedLine('sip:hometel@home.arpa');
  const parts = createTelephonyServer({ lineName: 'home', friendlyName: 'test', store, line, media: defaultMediaProfile('127.0.0.1'), clock, logger: silentLogger });
  const cm = parts.service.attach({ get: () => '', set: (_: ActionArgs) => {} });
  const asked: IncomingCall[] = [];
  parts.service.setPhoneRinging({ line: phones, extensionsFor: (c) => (asked.push(c), extensions) });
  const kitchen = parts.registry.register('Kitchen', '').secretKey;
  const calls: Call[] = [];
  parts.service.onCallChange((call, from) => void (from === undefined && calls.push(call)));
  const ring = (from = '+4930123'): Call => {
    line.ring({ id: from, name: 'Anna' }, offer);
    clock.advance(0);
    return calls[calls.length - 1]!;
  };
  /** The phones' line ids placed for the last Call, by extension. */
  const legs = (): Map<string, string> => {
    const placed = phones.commands.filter((c) => c.kind === 'place');
    return new Map(placed.slice(-extensions.length).map((c) => [c.request.callee, c.lineCallId]));
  };
  const invoke = (action: string, args: Record<string, string>): unknown => {
    const out = (cm as unknown as Record<string, (a: Record<string, string>) => unknown>)[action]!(args);
    clock.advance(0);
    return out;
  };
  return {
    line,
    phones,
    clock,
    service: parts.service,
    asked,
    /** Every Call the TS made, hidden legs too. */
    calls,
    /** A registered TelCP's credentials. */
    kitchen: { TelCPName: 'Kitchen', SecretKey: kitchen },
    ring,
    legs,
    invoke,
    accept: (callID: string) => invoke('AcceptCall', { TelCPName: 'Kitchen', SecretKey: kitchen, TargetCallID: callID, MediaCapabilityInfo: '', CallMode: 'Non-Monopolize' }),
    close() {
      parts.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

