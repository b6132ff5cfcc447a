/**
 * The VoiceMail service of a line's Telephony Server (contract.ts) over the voicemail application service: the
 * line's messages for TelCPs, and VoiceMailInfo evented when they change — moderated as the AddressBook's events
 * are (the first change of a quiet period schedules one event `moderationMs` later).
 */
import { errorMessage, HometelError, type Clock, type Logger, type TimerHandle } from '../../base/index.js';
import { UdaErrorCode, udaError, type ServiceHandlers, type ServiceImplementation, type ServiceState } from '../../upnp/index.js';
import { NoSuchMessage, type VoiceMailPlayer, type VoiceMailService } from '../../voicemail/index.js';
import { voiceMailContract, VoiceMailAction as A, VoiceMailErrorCode, vmError, type VoiceMailContract } from './contract.js';
import { buildVoiceMailInfo } from './voicemail-xml.js';

export interface VoiceMailUpnpServiceOptions {
  readonly lineName: string;
  readonly voicemail: VoiceMailService;
  /** Plays a message on a Telephony Client; without it PlayVoiceMail answers 602. */
  readonly player?: VoiceMailPlayer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly moderationMs?: number;
}

/** The player could not find the TC it was asked for. */
export class NoSuchTelephonyClient extends HometelError {
  readonly code = 'voicemail.no-such-tc';
}

export class VoiceMailUpnpService implements ServiceImplementation<VoiceMailContract> {
  readonly contract = voiceMailContract;
  private readonly states = new Set<ServiceState>();
  private pending?: TimerHandle;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: VoiceMailUpnpServiceOptions) {
    this.unsubscribe = opts.voicemail.onChange(() => this.changed());
  }

  attach(state: ServiceState): ServiceHandlers<VoiceMailContract> {
    this.states.add(state);
    state.set({ VoiceMailInfo: this.info() });
    return {
      [A.GetVoiceMailInfo]: () => ({ VoiceMailInfo: this.info() }),
      [A.SetMessageRead]: ({ MessageID, Read }) => {
        this.own(MessageID);
        this.opts.voicemail.markRead(MessageID, Read);
        return {};
      },
      [A.DeleteMessage]: ({ MessageID }) => {
        this.own(MessageID);
        this.opts.voicemail.delete(MessageID);
        return {};
      },
      [A.PlayVoiceMail]: async ({ MessageID, TCUDN }) => {
        this.own(MessageID);
        if (TCUDN.trim() === '') throw udaError(UdaErrorCode.InvalidArgs, 'TCUDN is empty');
        if (!this.opts.player) throw udaError(UdaErrorCode.OptionalActionNotImplemented, 'no player');
        try {
          await this.opts.player.play(this.opts.voicemail.audioPath(MessageID), TCUDN.trim());
        } catch (e) {
          if (e instanceof NoSuchTelephonyClient) throw vmError(VoiceMailErrorCode.NoSuchTelephonyClient, e.message);
          this.opts.logger.warn('PlayVoiceMail failed', { messageID: MessageID, tc: TCUDN, error: errorMessage(e) });
          throw vmError(VoiceMailErrorCode.PlaybackFailed, errorMessage(e));
        }
        return {};
      },
    };
  }

  close(): void {
    this.unsubscribe();
    this.pending?.cancel();
    this.pending = undefined;
  }

  /** A message of this line, or 701 (402 for an empty ID). */
  private own(id: string): void {
    if (id === '') throw udaError(UdaErrorCode.InvalidArgs, 'MessageID is empty');
    try {
      if (this.opts.voicemail.get(id).line === this.opts.lineName) return;
    } catch (e) {
      if (!(e instanceof NoSuchMessage)) throw e;
    }
    throw vmError(VoiceMailErrorCode.NoSuchMessage, id);
  }

  private info(): string {
    return buildVoiceMailInfo(this.opts.lineName, this.opts.voicemail.list().filter((m) => m.line === this.opts.lineName));
  }

  private changed(): void {
    this.pending ??= this.opts.clock.setTimer(this.opts.moderationMs ?? 200, () => {
      this.pending = undefined;
      const info = this.info();
      for (const state of this.states) state.set({ VoiceMailInfo: info });
    });
  }
}
