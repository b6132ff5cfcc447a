/**
 * The phones' lamps and presence (issue 14), wired: the presence service over the registrations, the calls of each
 * extension and line (a DialogBook the call parts feed) and the home's DND; the notifier answering SUBSCRIBE on the
 * phones' side; the unsolicited message-summary NOTIFYs. The sources come from the voicemail service, the call-handling
 * service and each line's CallManagement service.
 */
import { BlockList, isIPv4 } from 'node:net';
import type { Logger } from '../base/index.js';
import type { CallHandlingService } from '../callhandling/index.js';
import {
  DialogBook,
  lineTarget,
  PresenceService,
  type DndSource,
  type ExtensionPresence,
  type MessageWaitingSource,
  type PhoneDialog,
  type PhoneDialogState,
  type PhoneDirectory,
  type PresenceEvent,
  type PresenceSnapshot,
  type PresenceSource,
  type UserPresence,
} from '../phones/index.js';
import { Notifier, UnsolicitedMessageWaiting, type PhoneSide, type RequestAuthenticator } from '../sip/pbx/index.js';
import type { Call, CallStatus } from '../telephony/domain/index.js';
import type { VoiceMailService } from '../voicemail/index.js';

/** A line's Calls as they change (its CallManagement service's `onCallChange`). */
export interface LineCalls {
  readonly name: string;
  onCallChange(listener: (call: Call, from: CallStatus | undefined) => void): () => void;
}

export interface PhoneLampsOptions {
  readonly side: PhoneSide;
  readonly directory: PhoneDirectory;
  readonly authenticator: RequestAuthenticator;
  readonly messages: MessageWaitingSource;
  readonly dnd: DndSource;
  readonly lines: readonly LineCalls[];
  /** IPv4 networks (CIDR) a subscriber may be in: the registrar's `homeNetworks`. */
  readonly homeNetworks: readonly string[];
  readonly minExpires?: number;
  readonly maxExpires?: number;
  readonly logger: Logger;
}

export interface RunningLamps {
  readonly presence: PresenceService;
  /** Where the calls to and from phones report their dialogs (target: the extension number). */
  readonly dialogs: DialogBook;
  readonly notifier: Notifier;
  stop(): void;
}

export function startPhoneLamps(o: PhoneLampsOptions): RunningLamps {
  const logger = o.logger.child('lamps');
  const dialogs = new DialogBook();
  const unsubscribe = o.lines.map((l) => l.onCallChange((call) => dialogs.report(lineTarget(l.name), lineDialog(call))));
  const presence = new PresenceService({ directory: o.directory, dialogs, dnd: o.dnd, logger: logger.child('presence') });
  const notifier = new Notifier({
    side: o.side,
    authenticator: o.authenticator,
    directory: o.directory,
    presence,
    dialogs,
    messages: o.messages,
    lines: () => o.lines.map((l) => l.name),
    fromHome: inNetworks(o.homeNetworks),
    ...(o.minExpires !== undefined ? { minExpires: o.minExpires } : {}),
    ...(o.maxExpires !== undefined ? { maxExpires: o.maxExpires } : {}),
    logger,
  });
  const unsolicited = new UnsolicitedMessageWaiting({
    userAgent: o.side.userAgent,
    realm: o.side.realm,
    directory: o.directory,
    messages: o.messages,
    subscribed: () => new Set(notifier.subscriptions().filter((s) => s.event === 'message-summary').map((s) => s.source)),
    logger,
  });
  return {
    presence,
    dialogs,
    notifier,
    stop: () => {
      unsolicited.close();
      notifier.close();
      presence.close();
      for (const u of unsubscribe) u();
    },
  };
}

/**
 * The presence for the parts made before the phones' side runs (each line's Presence service, the web application):
 * empty until `attach` hands it the lamps' presence service, then that service's, and its changes.
 */
export class PresenceRelay implements PresenceSource {
  private source?: PresenceSource;
  private detach?: () => void;
  private readonly listeners = new Set<(e: PresenceEvent) => void>();

  attach(source: PresenceSource): void {
    this.detach?.();
    this.source = source;
    this.detach = source.onChange((e) => this.emit(e));
    // Everyone's presence is news to whoever listened before.
    for (const e of source.snapshot().extensions) this.emit({ type: 'extension', number: e.number, state: e.state });
  }

  /** Back to empty (the phones' side stopped). */
  release(): void {
    this.detach?.();
    this.detach = undefined;
    this.source = undefined;
  }

  extension(number: string): ExtensionPresence | undefined {
    return this.source?.extension(number);
  }

  user(name: string): UserPresence | undefined {
    return this.source?.user(name);
  }

  snapshot(): PresenceSnapshot {
    return this.source?.snapshot() ?? { extensions: [], users: [] };
  }

  onChange(listener: (e: PresenceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: PresenceEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}

/** The home's one mailbox as the lamps count it: unread messages are new, read ones old (RFC 3842 5.2). */
export function voicemailMessages(voicemail: VoiceMailService): MessageWaitingSource {
  return {
    summary: () => {
      const { unread, total } = voicemail.info();
      return { newMessages: unread, oldMessages: total - unread };
    },
    onChange: (listener) => voicemail.onChange(listener),
  };
}

/** Without voicemail there are no messages, and nothing changes. */
export const noMessages: MessageWaitingSource = { summary: () => ({ newMessages: 0, oldMessages: 0 }), onChange: () => () => undefined };

/** The home's do-not-disturb, from the call-handling service. */
export function callHandlingDnd(service: CallHandlingService): DndSource {
  return { dnd: () => service.dnd(), onChange: (listener) => service.onEvent((e) => e.type === 'dnd' && listener()) };
}

/** A line's Call as a busy lamp shows it (our mapping of CallManagement:1's statuses to RFC 4235 3.7.1's states). */
export function lineDialog(call: Call): PhoneDialog {
  return {
    id: call.callID,
    direction: call.direction === 'incoming' ? 'recipient' : 'initiator',
    state: dialogStateOf(call.status),
    remote: { identity: call.remoteParty.id, ...(call.remoteParty.name !== undefined ? { displayName: call.remoteParty.name } : {}) },
  };
}

function dialogStateOf(status: CallStatus): PhoneDialogState {
  switch (status) {
    case 'Dialing':
      return 'trying';
    case 'Calling':
    case 'Ringing':
      return 'early';
    case 'Disconnected':
      return 'terminated';
    default:
      return 'confirmed';
  }
}

/** Whether an address (IPv4, or IPv4-mapped IPv6) is in one of the IPv4 networks (CIDR). */
export function inNetworks(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const c of cidrs) {
    const [address, prefix] = c.split('/');
    list.addSubnet(address!, Number(prefix), 'ipv4');
  }
  return (address) => {
    const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
    return isIPv4(v4) && list.check(v4, 'ipv4');
  };
}
