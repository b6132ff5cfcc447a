/**
 * A desk phone for the phones' tests, made of hometel's own SIP user agent and RTP endpoint (real sockets on lo):
 * it dials a number on the phones' SIP side as an extension, answers the Digest challenge itself (RFC 3261 22),
 * hears what it is sent (kept as PCM) and presses keys as RFC 4733 telephone-events. SIPp 3.6 cannot be this phone:
 * its answer to a challenge names `sip:<host>:<port>` as digest-uri, not the Request-URI (`sip:*97@…`).
 */
import { silentLogger, systemClock } from '../../src/base/index.js';
import { PcmCollector, PortPool, pcmu, RtpEndpoint } from '../../src/media/index.js';
import { parseStreams } from '../../src/media/sdp/index.js';
import { bindSipTransports, UserAgent, type InviteSession } from '../../src/sip/index.js';
import { freeLoopbackPort } from './sipp.js';

export interface PhoneCall {
  readonly session: InviteSession;
  /** The final response's status (200 when answered). */
  readonly status: number;
  /** What the phone heard so far, 8 kHz PCM. */
  heard(): Int16Array;
  press(digits: string): Promise<void>;
  /** Resolves when the call has ended. */
  readonly ended: Promise<void>;
}

export class TestPhone {
  private constructor(
    private readonly ua: UserAgent,
    private readonly close0: () => Promise<void>,
    private readonly ports: PortPool,
  ) {}

  /** A phone at 127.0.0.1 that answers challenges as `extension` with `password`. */
  static async open(extension: string, password: string): Promise<TestPhone> {
    const bound = await bindSipTransports('127.0.0.1', 0, ['udp'], silentLogger);
    const ua = new UserAgent({
      transport: bound.transports,
      host: '127.0.0.1',
      port: bound.port,
      transports: ['udp'],
      user: extension,
      aor: `sip:${extension}@127.0.0.1`,
      credentials: { username: extension, password },
      presence: false,
      logger: silentLogger,
    });
    ua.start();
    const rtp = await freeLoopbackPort(4);
    return new TestPhone(ua, async () => {
      await ua.stop();
      await bound.transports.close();
    }, new PortPool({ min: rtp, max: rtp + 3 }));
  }

  /** Dials `number` (`sip:<number>@<registrar>`); resolves with the answered (or refused) call. */
  async dial(number: string, registrar: string): Promise<PhoneCall> {
    const heard = new PcmCollector();
    const endpoint = await RtpEndpoint.open({ address: '127.0.0.1', ports: this.ports, clock: systemClock, logger: silentLogger, codec: pcmu, sink: heard, source: { nextFrame: () => new Int16Array(160) } });
    const offer = [
      'v=0', 'o=phone 1 1 IN IP4 127.0.0.1', 's=phone', 'c=IN IP4 127.0.0.1', 't=0 0',
      `m=audio ${endpoint.localPort} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:20', 'a=sendrecv', '',
    ].join('\r\n');
    let ended!: () => void;
    const endedP = new Promise<void>((r) => (ended = r));
    let session!: InviteSession;
    const status = await new Promise<number>((resolve) => {
      session = this.ua.invite(`sip:${number}@${registrar}`, {
        sdp: offer,
        delegate: {
          onAccepted: (answer) => {
            const audio = parseStreams(answer).find((s) => s.type === 'audio');
            if (audio) endpoint.setRemote({ address: audio.address ?? '127.0.0.1', port: audio.port });
            resolve(200);
          },
          onRejected: (r) => {
            resolve(r.status);
            ended();
          },
          onEnded: () => ended(),
        },
      });
    });
    void endedP.then(() => endpoint.close());
    return { session, status, heard: () => heard.samples(), press: (d) => endpoint.sendDtmf(d), ended: endedP };
  }

  async close(): Promise<void> {
    await this.close0();
  }
}
