/** Plays a message on a Telephony Client (UPnP PlayVoiceMail, `hometel voicemail play --tc`): the app implements it. */
export interface VoiceMailPlayer {
  /**
   * Plays the WAV file at `path` on the Telephony Client `tc` (its UDN or friendly name, or a TC name hometel knows)
   * and resolves once it has started; the media session ends when the file has played.
   */
  play(path: string, tc: string): Promise<void>;
}
