/**
 * A home whose line is registered at a provider, for the phones' integration tests (phone-calls.test.ts,
 * phone-transfer-outside.test.ts): Kamailio as the provider (registrar and proxy), a real `hometel start` whose line
 * registers there, its phones' registrar on a free port with the extensions added before it starts; baresip phones
 * registered there with Digest; outside parties registered at Kamailio as numbers, each a SIPp UAS (or a SIPp UAC
 * calling the line's number through Kamailio). Everything it starts is stopped by `stop()`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../../src/base/index.js';
import { phonesOver } from '../../src/app/phones-admin.js';
import { Store } from '../../src/store/index.js';
import { startBaresip, type Baresip } from './baresip.js';
import { startConfiguredHometel, type ConfiguredHometel } from './hometel-process.js';
import { startKamailio, type Kamailio } from './kamailio.js';
import { captureUdpTo, type UdpCapture } from './pcap.js';
import { RegisterClient } from './register-client.js';
import { freeLoopbackPort, startSippUas, type SippHandle, type SippOptions } from './sipp.js';

/** The line's account at the provider. */
export const LINE_USER = 'alice';
const LINE_PASSWORD = 'alice-secret';
/** The password of every outside number at the provider. */
const NUMBER_PASSWORD = 'number-secret';
export const SIPP_TIMEOUT_MS = 30_000;
/**
 * The provider's domain. Not 127.0.0.1: Kamailio takes its domain as an alias of itself on every port, and every
 * Contact on lo would then be "myself" (an ACK to SIPp's Contact looped back into Kamailio). localhost resolves to lo.
 */
export const PROVIDER = 'localhost';

export interface ProviderHomeOptions {
  /** Prefix of hometel's temporary directory. */
  readonly prefix: string;
  /** The extensions (number → password), added before hometel starts, as `hometel phones add` leaves them. */
  readonly passwords: Readonly<Record<string, string>>;
  /** The outside numbers that may register at the provider. */
  readonly numbers: readonly string[];
  /** The rest of hometel's config (name, clients, media …); the line, phones, interfaces and data dir are set here. */
  readonly config: (dir: string) => object;
}

export interface ProviderHome {
  readonly kamailio: Kamailio;
  readonly hometel: ConfiguredHometel;
  /** A baresip phone registered as `extension`, sending `toneHz`, its RTP on one even port (returned). */
  phone(extension: string, toneHz: number, o?: { answerMode?: 'manual' | 'auto'; extraArgs?: string[] }): Promise<{ phone: Baresip; rtp: number }>;
  /** An outside party at the provider: registered at Kamailio as `number` (Digest), a SIPp UAS there. */
  outsideParty(number: string, o: Omit<SippOptions, 'localPort' | 'transport' | 'calls' | 'service' | 'timeoutMs'>): Promise<SippHandle>;
  /** UDP captures on lo to each port, stopped by `stop()` when the test has not. */
  captures(...ports: number[]): Promise<UdpCapture[]>;
  stop(): Promise<void>;
}

export async function startProviderHome(o: ProviderHomeOptions): Promise<ProviderHome> {
  const users: Record<string, string> = { [LINE_USER]: LINE_PASSWORD };
  for (const n of o.numbers) users[n] = NUMBER_PASSWORD;
  const kamailio = await startKamailio({ udpPort: await freeLoopbackPort(), users, domain: PROVIDER });
  const cleanups: Array<() => Promise<void>> = [];
  const phones: Baresip[] = [];
  let started: ConfiguredHometel | undefined;
  try {
    const registrarPort = await freeLoopbackPort();
    const linePort = await freeLoopbackPort();
    const hometel = await startConfiguredHometel(o.prefix, (dir) => {
      const store = Store.open(join(dir, 'data'));
      const admin = phonesOver(store, 'hometel', systemClock, silentLogger);
      for (const [number, password] of Object.entries(o.passwords)) admin.add({ number, password, displayName: `Phone ${number}` });
      store.close();
      return {
        ...o.config(dir),
        interfaces: ['lo'],
        dataDir: join(dir, 'data'),
        web: false,
        echo: false,
        lines: [{ name: 'home', sip: { mode: 'registered', user: LINE_USER, password: LINE_PASSWORD, registrar: `sip:${PROVIDER}:${kamailio.udpPort}`, host: '127.0.0.1', port: linePort, transports: ['udp'] } }],
        // baresip 1.0 gives up on a SHA-256 challenge instead of skipping it: MD5 only (as phones-registrar.test.ts).
        phones: { registrar: { port: registrarPort, host: '127.0.0.1', transports: ['udp'], digestAlgorithms: ['MD5'] } },
      };
    });
    started = hometel;
    await kamailio.waitForRegistrations(LINE_USER, 1);
    const home: ProviderHome = {
      kamailio,
      hometel,
      async phone(extension, toneHz, p = {}) {
        const base = await freeLoopbackPort(4);
        const rtp = base % 2 === 0 ? base : base + 1;
        const phone = await startBaresip({
          port: await freeLoopbackPort(3),
          user: extension,
          toneHz,
          answerMode: p.answerMode ?? 'manual',
          rtpPorts: `${rtp}-${rtp + 1}`,
          registrar: { domain: 'hometel', host: '127.0.0.1', port: registrarPort, password: o.passwords[extension]! },
          ...(p.extraArgs ? { extraArgs: p.extraArgs } : {}),
        });
        phones.push(phone);
        await phone.waitForRegistration();
        return { phone, rtp };
      },
      async outsideParty(number, p) {
        const sipPort = await freeLoopbackPort();
        const reg = await RegisterClient.open('127.0.0.1', { host: '127.0.0.1', port: kamailio.udpPort, domain: PROVIDER });
        cleanups.push(() => reg.close());
        const registered = await reg.register({ user: number, password: NUMBER_PASSWORD, contacts: [`<sip:${number}@127.0.0.1:${sipPort}>`], expires: 300 });
        assert.equal(registered.status, 200, `${number} is registered at Kamailio`);
        return startSippUas({ ...p, localPort: sipPort, transport: 'u1', calls: 1, service: number, timeoutMs: SIPP_TIMEOUT_MS });
      },
      async captures(...ports) {
        const all = await Promise.all(ports.map((p) => captureUdpTo(p)));
        cleanups.push(async () => void (await Promise.all(all.map((c) => c.stop()))));
        return all;
      },
      async stop() {
        for (const c of cleanups.splice(0)) await c().catch(() => undefined);
        for (const p of phones.splice(0)) await p.stop();
        await hometel.stop();
        await kamailio.stop();
      },
    };
    return home;
  } catch (e) {
    await started?.stop();
    await kamailio.stop();
    throw e;
  }
}
