/**
 * The VoiceMailInfo fragment in hometel's namespace (the shape of the AddressBook's fragments: a declaration, the root
 * in the namespace, unqualified children):
 *
 *   <vm:voiceMailInfo xmlns:vm="urn:schemas-hometel-org:phone:vm">
 *     <line/><newMessages/><totalMessages/>
 *     <message><messageID/><callID/><callerID/><callerName/>?<time/><duration/><read>0|1</read></message>*
 *   </vm:voiceMailInfo>
 *
 * time is ISO 8601 in UTC, duration whole milliseconds; messages newest first.
 */
import { childElements, elementValue, escapeXml, parseXml, sameNamespace } from '../../upnp/index.js';
import type { VoiceMessage } from '../../voicemail/index.js';

export const voiceMailNamespace = 'urn:schemas-hometel-org:phone:vm';

export interface VoiceMailInfoFragment {
  readonly line: string;
  readonly newMessages: number;
  readonly totalMessages: number;
  readonly messages: ReadonlyArray<{
    readonly messageID: string;
    readonly callID: string;
    readonly callerID: string;
    readonly callerName?: string;
    readonly time: string;
    readonly durationMs: number;
    readonly read: boolean;
  }>;
}

// eslint-disable-next-line no-control-regex -- exactly the characters XML 1.0 forbids
const notXmlChar = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const el = (name: string, value: string): string => `<${name}>${escapeXml(value.replace(notXmlChar, '\uFFFD'))}</${name}>`;

export function buildVoiceMailInfo(line: string, messages: readonly VoiceMessage[]): string {
  const items = messages
    .map(
      (m) =>
        `<message>${[
          el('messageID', m.id),
          el('callID', m.callID),
          el('callerID', m.callerNumber),
          ...(m.callerName !== undefined ? [el('callerName', m.callerName)] : []),
          el('time', new Date(m.receivedAt).toISOString()),
          el('duration', String(m.durationMs)),
          el('read', m.read ? '1' : '0'),
        ].join('')}</message>`,
    )
    .join('');
  const unread = messages.filter((m) => !m.read).length;
  return `<?xml version="1.0" encoding="utf-8"?><vm:voiceMailInfo xmlns:vm="${voiceMailNamespace}">${el('line', line)}${el('newMessages', String(unread))}${el('totalMessages', String(messages.length))}${items}</vm:voiceMailInfo>`;
}

/** Reads a VoiceMailInfo fragment (a TelCP's side); undefined when it is not one. */
export function parseVoiceMailInfo(xml: string): VoiceMailInfoFragment | undefined {
  const parsed = parseXml(xml);
  if (!parsed.ok) return undefined;
  const root = parsed.doc.documentElement;
  if (!root || root.localName !== 'voiceMailInfo' || !sameNamespace(root.namespaceURI, voiceMailNamespace)) return undefined;
  const text = (parent: Element, name: string): string | undefined => {
    const c = childElements(parent).find((e) => e.localName === name);
    return c ? elementValue(c) : undefined;
  };
  const messages = childElements(root)
    .filter((e) => e.localName === 'message')
    .map((m) => {
      const callerName = text(m, 'callerName');
      return {
        messageID: text(m, 'messageID') ?? '',
        callID: text(m, 'callID') ?? '',
        callerID: text(m, 'callerID') ?? '',
        ...(callerName !== undefined ? { callerName } : {}),
        time: text(m, 'time') ?? '',
        durationMs: Number(text(m, 'duration') ?? 0),
        read: text(m, 'read') === '1',
      };
    });
  return { line: text(root, 'line') ?? '', newMessages: Number(text(root, 'newMessages') ?? 0), totalMessages: Number(text(root, 'totalMessages') ?? 0), messages };
}

type Element = ReturnType<typeof childElements>[number];
