/**
 * "Play my messages on the TV" (issue 13): hometel acts as a control point to a Telephony Client's MediaManagement —
 * StartMediaSession with an SDP offer of an RTP sender (sendonly) that plays the message's WAV file, and
 * StopMediaSession once the file has played (or after the longest a message may last, should the end never come).
 */
import { errorMessage, type Clock, type Logger, type NetworkInterface } from '../base/index.js';
import { codecByName, pcma, pcmu, RtpEndpoint, WavFileSource, type PortPool } from '../media/index.js';
import { parseStreams, writeStreams } from '../media/sdp/index.js';
import { TelephonyControlPoint, type TelephonyClient } from '../telephony/control/index.js';
import { NoSuchTelephonyClient } from '../telephony/voicemail/index.js';
import type { VoiceMailPlayer } from '../voicemail/index.js';

export interface TcVoiceMailPlayerOptions {
  readonly interfaces: readonly NetworkInterface[];
  /** The address RTP is sent from (the TS's media address). */
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Other names of TCs (hometel's own clients' config names → their friendly names). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** How long a TC may take to be found; default 5 s. */
  readonly findMs?: number;
}

/** Plays past the file's end by this much before stopping, so the TC's jitter buffer plays out. */
const tailMs = 300;

export class TcVoiceMailPlayer implements VoiceMailPlayer {
  private cp?: Promise<TelephonyControlPoint>;
  private readonly playing = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: TcVoiceMailPlayerOptions) {}

  async play(path: string, tcRef: string): Promise<void> {
    if (this.stopped) throw new Error('hometel is stopping');
    const source = new WavFileSource(path);
    const tc = await this.find(tcRef);
    const endpoint = await RtpEndpoint.open({ address: this.opts.address, ports: this.opts.ports, clock: this.opts.clock, logger: this.opts.logger, codec: pcmu, receiveCodecs: [pcma], telephoneEventPayloadType: null });
    let session: { id: string; sdp: string };
    try {
      const offer = writeStreams({ address: this.opts.address, sessionId: Date.now(), version: 1 }, [
        { type: 'audio', port: endpoint.localPort, protocol: 'RTP/AVP', codecs: [pcmu, pcma].map((c) => ({ pt: c.payloadType, encodingName: c.encodingName, clockRate: c.clockRate, channels: 1 })), direction: 'sendonly' },
      ]);
      session = await tc.startMediaSession(offer);
      const answer = parseStreams(session.sdp).find((s) => s.type === 'audio' && s.port !== 0);
      const chosen = answer?.codecs.map((c) => codecByName(c.encodingName, c.clockRate, c.pt)).find((c) => c !== undefined);
      if (!answer || !chosen) throw new Error('the Telephony Client accepted no G.711 audio');
      endpoint.setCodec(chosen);
      endpoint.setRemote({ address: answer.address ?? this.opts.address, port: answer.port });
    } catch (e) {
      await endpoint.close();
      throw e;
    }
    this.opts.logger.info('playing a voicemail message on a Telephony Client', { tc: tc.friendlyName, path, session: session.id });
    const done = new Promise<void>((resolve) => {
      const stop = (): void => {
        timer.cancel();
        void tc
          .stopMediaSession(session.id)
          .catch((e: unknown) => this.opts.logger.warn('StopMediaSession failed', { tc: tc.friendlyName, error: errorMessage(e) }))
          .then(() => endpoint.close())
          .then(resolve, resolve);
      };
      const timer = this.opts.clock.setTimer(source.durationMs + 10_000, stop);
      endpoint.onSourceEnd = () => void this.opts.clock.setTimer(tailMs, stop);
    });
    this.playing.add(done);
    void done.finally(() => this.playing.delete(done));
    endpoint.setSource(source);
  }

  /** Ends every playback (StopMediaSession) and the control point. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.playing]);
    const cp = await this.cp?.catch(() => undefined);
    await cp?.stop();
  }

  private async find(name: string): Promise<TelephonyClient> {
    const ref = this.opts.aliases?.[name] ?? name;
    const cp = await (this.cp ??= this.startControlPoint());
    try {
      return await cp.waitForClient((c) => c.udn === ref || c.friendlyName === ref, this.opts.findMs ?? 5000);
    } catch {
      throw new NoSuchTelephonyClient(`no Telephony Client ${JSON.stringify(name)} answers`);
    }
  }

  private async startControlPoint(): Promise<TelephonyControlPoint> {
    const cp = new TelephonyControlPoint({ interfaces: this.opts.interfaces, logger: this.opts.logger.child('voicemail-cp'), clock: this.opts.clock });
    await cp.start();
    return cp;
  }
}
