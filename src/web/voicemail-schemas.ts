/**
 * Voicemail's shapes in the HTTP API (issue 13), as TypeBox schemas: they validate requests and make the OpenAPI
 * document, and the web application imports their types.
 */
import { Type, type Static } from '@sinclair/typebox';

export const VoiceMessage = Type.Object({
  id: Type.String(),
  line: Type.String(),
  callID: Type.String(),
  callerNumber: Type.String({ description: "the caller's number or SIP URI ('' when withheld)" }),
  callerName: Type.Optional(Type.String()),
  receivedAt: Type.Integer({ description: 'ms since the epoch' }),
  durationMs: Type.Integer(),
  bytes: Type.Integer(),
  read: Type.Boolean(),
});

export const VoiceMailRefusal = Type.Object({
  line: Type.String(),
  callID: Type.String(),
  callerNumber: Type.String(),
  at: Type.Integer(),
  reason: Type.Union([Type.Literal('messages-per-line'), Type.Literal('disk')]),
});

export const VoiceMailList = Type.Object({
  messages: Type.Array(VoiceMessage, { description: 'newest first' }),
  unread: Type.Integer(),
  total: Type.Integer(),
  refusals: Type.Array(VoiceMailRefusal, { description: 'callers who found the mailbox full, newest first' }),
});

export const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const ReadBody = Type.Object({ read: Type.Boolean() }, { additionalProperties: false });

export const GreetingParams = Type.Object({ line: Type.String({ minLength: 1, maxLength: 32 }) });
export const FromMessageBody = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, description: 'the message that becomes the greeting' }) }, { additionalProperties: false });
export const GreetingInfo = Type.Object({
  line: Type.String(),
  source: Type.Union([Type.Literal('uploaded'), Type.Literal('config'), Type.Literal('default')]),
  durationMs: Type.Integer(),
});

export type VoiceMessageBody = Static<typeof VoiceMessage>;
export type VoiceMailListBody = Static<typeof VoiceMailList>;
export type GreetingInfoBody = Static<typeof GreetingInfo>;
