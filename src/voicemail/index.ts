/**
 * The home's voicemail (issue 13): greetings, recording, the messages in the store and as WAV files, limits.
 */
export { GreetingRefused, NoSuchLine, NoSuchMessage } from './model.js';
export type { DepositRefusal, RefusalReason, VoiceMailRepository, VoiceMessage } from './model.js';
export { beep, defaultGreeting, mailboxFullAnnouncement, maxGreetingBytes, maxGreetingSeconds, normalizeGreeting, pcmWav, SamplesSource } from './greeting.js';
export { Deposit, FullAnnouncement, silenceRms, type DepositEnd, type RecordedDeposit } from './deposit.js';
export { VoiceMailService, type DepositCall, type GreetingInfo, type VoiceMailInfo, type VoiceMailLimits, type VoiceMailServiceOptions } from './voicemail-service.js';
export type { VoiceMailPlayer } from './player.js';
export { MailboxMenu, type Mailbox, type MenuPrompt } from './mailbox-menu.js';
export { menuSignal } from './menu-prompts.js';
