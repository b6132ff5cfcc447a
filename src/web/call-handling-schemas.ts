/**
 * The shapes of incoming-call handling in the HTTP API (issue 13), as TypeBox schemas: decisions from a screen,
 * the full call records and the activation. They validate requests, make the OpenAPI document, and the web
 * application imports their types.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Who is deciding, as the other screens are told ("web:<label>"); default the account's or token's label. */
const Label = Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'who decides (a person or a browser), shown to the other screens' }));

export const CallIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'the CallID' }) });
export const ForwardBody = Type.Object({ target: Type.String({ maxLength: 256, description: 'a telephone number or a sip:/tel: URI' }), label: Label }, { additionalProperties: false });
export const DecideBody = Type.Object({ label: Label }, { additionalProperties: false });
export const AcceptBody = Type.Object(
  { tc: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'the Telephony Client (friendly name or UDN); without it the Telephony Server answers with its own media' })), label: Label },
  { additionalProperties: false },
);
export const RejectBody = Type.Object(
  { status: Type.Optional(Type.Union([Type.Literal(486), Type.Literal(603), Type.Literal(403), Type.Literal(480)], { description: 'the SIP answer (default 603)' })), label: Label },
  { additionalProperties: false },
);
export const Decision = Type.Object({ callID: Type.String(), by: Type.String(), action: Type.String() });

export const CallRecord = Type.Object({
  callID: Type.String(),
  line: Type.String(),
  at: Type.Integer({ description: 'calling time, ms since the epoch' }),
  number: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  method: Type.Union(['accept', 'reject', 'forward', 'voicemail', 'unanswered', 'ringing'].map((m) => Type.Literal(m)), { description: 'the processing method' }),
  decidedBy: Type.Optional(Type.String({ description: 'a TelCPName, web:<label>, cli, rule:<id>, dnd, no-response or nobody-home' })),
  result: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('fail')])),
  forwardTarget: Type.Optional(Type.String()),
  forwardResult: Type.Optional(Type.Union(['answered', 'busy', 'no-answer', 'failed'].map((m) => Type.Literal(m)))),
  voicemailMessage: Type.Optional(Type.String()),
  answeredBy: Type.Optional(Type.String()),
  durationSec: Type.Optional(Type.Number()),
  endedAt: Type.Optional(Type.Integer()),
});
export const CallRecordPage = Type.Object({ records: Type.Array(CallRecord), total: Type.Integer() });
export const CallRecordQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  offset: Type.Optional(Type.String({ pattern: '^\\d{1,7}$' })),
  limit: Type.Optional(Type.String({ pattern: '^\\d{1,3}$' })),
});

export const Activation = Type.Object({
  activation: Type.Union([Type.Literal('auto'), Type.Literal('on'), Type.Literal('off')]),
  active: Type.Boolean({ description: 'whether an incoming Call rings the screens now' }),
  screens: Type.Array(Type.Object({ source: Type.String(), online: Type.Integer() })),
});
export const ActivationBody = Type.Object({ activation: Type.String({ description: 'auto, on or off' }) }, { additionalProperties: false });

export const ForwardAll = Type.Object({ target: Type.Union([Type.String(), Type.Null()], { description: 'where every incoming call goes; null: off' }) });
export const ForwardAllBody = Type.Object({ target: Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()], { description: 'a phone number or a sip:/tel: URI; null turns forward all off' }) }, { additionalProperties: false });

export type CallRecordView = Static<typeof CallRecord>;
export type CallRecordPageView = Static<typeof CallRecordPage>;
export type ActivationView = Static<typeof Activation>;
