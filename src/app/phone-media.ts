/**
 * hometel answering a phone's call with its own media (issue 14: the voicemail menu, feature-code confirmations):
 * an RTP endpoint of its own per call (G.711, RFC 4733 telephone-events), prompts played one after another, the
 * keys the caller presses, and the hang-up either way.
 */
import { errorMessage, type Clock, type Logger } from '../base/index.js';
import { frameSamples, type AudioSource, type PortPool } from '../media/index.js';
import { RtpMediaSessions } from '../media/bridge/index.js';
import { intersectCapabilities, parseSdpMedia } from '../media/sdp/index.js';
import type { InviteSession } from '../sip/index.js';

export interface PhoneMediaOptions {
  /** hometel's media address and the ports its endpoints may take. */
  readonly address: string;
  readonly ports: PortPool;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A call hometel answered: what it plays, and its end. */
export interface AnsweredCall {
  /** Plays `samples` (8 kHz) after nothing else; `done` once they have played. */
  play(samples: Int16Array, done?: () => void): void;
  /** Ends the call (BYE). */
  hangUp(why: string): void;
}

export interface AnsweredCallEvents {
  /** A key the caller pressed (0–9, *, #, A–D). */
  key?(digit: string): void;
  /** The call ended, by either side. */
  ended?(why: string): void;
}

/** Plays one prompt after another: samples, then silence until the next prompt (it never ends by itself). */
class PromptSource implements AudioSource {
  private samples: Int16Array = new Int16Array(0);
  private at = 0;
  private done?: () => void;

  play(samples: Int16Array, done?: () => void): void {
    this.samples = samples;
    this.at = 0;
    this.done = done;
  }

  nextFrame(): Int16Array {
    const out = new Int16Array(frameSamples);
    if (this.at < this.samples.length) {
      out.set(this.samples.subarray(this.at, this.at + frameSamples));
      this.at += frameSamples;
    } else if (this.done) {
      const done = this.done;
      this.done = undefined;
      queueMicrotask(done);
    }
    return out;
  }
}

interface Live {
  readonly session: InviteSession;
  readonly source: PromptSource;
  readonly events: AnsweredCallEvents;
}

export class PhoneMedia {
  private readonly media: RtpMediaSessions;
  private readonly calls = new Map<string, Live>();
  private next = 1;

  constructor(private readonly o: PhoneMediaOptions) {
    this.media = new RtpMediaSessions({
      address: o.address,
      ports: o.ports,
      clock: o.clock,
      logger: o.logger.child('media'),
      source: (id) => this.calls.get(id)?.source ?? new PromptSource(),
      onDtmf: (id, e) => {
        if (e.digit !== undefined) this.calls.get(id)?.events.key?.(e.digit);
      },
    });
    this.media.setListener({ ended: (id, reason) => this.end(id, reason) });
  }

  /** Answers a phone's call with audio both sides have; undefined when it cannot (the call is then refused: 488, 500). */
  async answer(session: InviteSession, events: AnsweredCallEvents): Promise<AnsweredCall | undefined> {
    const offer = session.remoteSdp;
    const offered = offer === undefined ? undefined : parseSdpMedia(offer);
    const own = parseSdpMedia(this.media.capabilities());
    const audio = offered?.ok && own.ok ? intersectCapabilities(offered.value, own.value).find((m) => m.type === 'audio') : undefined;
    if (offer === undefined || !audio) {
      this.o.logger.info('phone call refused: no audio both sides have');
      session.reject(488);
      return undefined;
    }
    const id = `phone-${this.next++}`;
    const live: Live = { session, source: new PromptSource(), events };
    this.calls.set(id, live);
    session.delegate = {
      onCancelled: () => this.end(id, 'the phone cancelled'),
      onEnded: () => this.end(id, 'the phone hung up'),
    };
    try {
      const answer = await this.media.open({ id, remoteSdp: offer, media: [audio] });
      if (!this.calls.has(id)) return undefined;
      session.answer(answer);
    } catch (e) {
      this.o.logger.warn('phone call could not be answered', { error: errorMessage(e) });
      this.calls.delete(id);
      session.reject(500);
      return undefined;
    }
    return {
      play: (samples, done) => live.source.play(samples, done),
      hangUp: (why) => this.end(id, why),
    };
  }

  async close(): Promise<void> {
    for (const id of [...this.calls.keys()]) this.end(id, 'hometel stops');
    await this.media.closeAll();
  }

  private end(id: string, why: string): void {
    const live = this.calls.get(id);
    if (!live) return;
    this.calls.delete(id);
    const s = live.session;
    if (s.state === 'confirmed' || s.state === 'accepted') s.bye();
    else if (s.state === 'ringing') s.reject(480);
    void this.media.close(id);
    live.events.ended?.(why);
  }
}
