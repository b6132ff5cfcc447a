/**
 * The HTTP API's request and response shapes as TypeBox schemas: fastify validates requests with them and
 * @fastify/swagger writes the OpenAPI document from them, so the document cannot drift from what is served.
 */
import { Type, type Static } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'stable code, e.g. auth.required, console.not-found' }),
    message: Type.String({ description: 'what went wrong, for people' }),
    retryAfterMs: Type.Optional(Type.Integer()),
  },
  { $id: 'Error' },
);

const Udn = Type.String({ minLength: 1, maxLength: 200, description: 'a device UDN (uuid:…)' });
const CallID = Type.String({ minLength: 1, maxLength: 200 });

export const LineParams = Type.Object({ line: Udn, callID: CallID });

export const SessionState = Type.Object(
  { authenticated: Type.Boolean(), setupNeeded: Type.Boolean() }
);

export const Password = Type.String({ minLength: 1, maxLength: 1024 });
export const LoginBody = Type.Object({ password: Password }, { additionalProperties: false });
export const SetupBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), password: Password }, { additionalProperties: false });
export const PasswordBody = Type.Object({ current: Password, next: Password }, { additionalProperties: false });

export const TokenInfo = Type.Object(
  { id: Type.String(), label: Type.String(), created: Type.Integer(), lastUsed: Type.Optional(Type.Integer()) }
);
export const NewTokenBody = Type.Object({ label: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export const NewToken = Type.Object(
  { id: Type.String(), label: Type.String(), created: Type.Integer(), token: Type.String({ description: 'shown once' }) }
);

export const Line = Type.Object(
  {
    udn: Type.String(),
    friendlyName: Type.String(),
    identity: Type.Optional(Type.String()),
    online: Type.Boolean(),
    controlPoints: Type.Array(Type.String()),
    telCPName: Type.Optional(Type.String()),
  }
);
export const Client = Type.Object(
  { udn: Type.String(), friendlyName: Type.String(), online: Type.Boolean(), browser: Type.Optional(Type.Boolean()) }
);
export const Home = Type.Object({ lines: Type.Array(Line), clients: Type.Array(Client) });

export const LiveCall = Type.Object(
  {
    line: Type.String(),
    callID: Type.String(),
    status: Type.String({ description: 'CallManagement:1 Table 2-4' }),
    reason: Type.Optional(Type.String()),
    direction: Type.Optional(Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')])),
    remote: Type.Optional(
      Type.Object({
        id: Type.String(),
        name: Type.Optional(Type.String()),
        nameSource: Type.Optional(Type.Union([Type.Literal('contact'), Type.Literal('caller-id')], { description: "the home's address book, or what the caller's network sent" })),
        vip: Type.Optional(Type.Boolean()),
        blocked: Type.Optional(Type.Boolean()),
      }),
    ),
    clients: Type.Array(Type.String()),
    mixing: Type.Optional(Type.Boolean()),
    managed: Type.Boolean(),
    ended: Type.Boolean(),
    since: Type.Integer(),
  }
);

export const DialBody = Type.Object(
  {
    line: Udn,
    callee: Type.String({ minLength: 1, maxLength: 256, description: 'a number or a SIP URI' }),
    clients: Type.Array(Udn, { maxItems: 16, description: 'Telephony Clients for the media; none: the TS handles it' }),
  },
  { additionalProperties: false },
);
export const AnswerBody = Type.Object(
  { client: Udn, label: Type.String({ minLength: 1, maxLength: 100, description: 'who answers, told to the other screens' }) },
  { additionalProperties: false },
);
export const ClientsBody = Type.Object({ clients: Type.Array(Udn, { minItems: 1, maxItems: 16 }) }, { additionalProperties: false });
export const MixingBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });
export const Operation = Type.Object(
  { operation: Type.String({ description: 'its end arrives as an `operation` event on /api/events' }) }
);

export const LogQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), line: Type.Optional(Udn) });
export const LogEntry = Type.Object(
  {
    line: Type.String(),
    direction: Type.Optional(Type.String()),
    outcome: Type.Union([Type.Literal('answered'), Type.Literal('missed'), Type.Literal('rejected'), Type.Literal('failed')]),
    caller: Type.String(),
    callerName: Type.Optional(Type.String()),
    callee: Type.String(),
    calleeName: Type.Optional(Type.String()),
    nameSource: Type.Optional(Type.Union([Type.Literal('contact'), Type.Literal('caller-id')])),
    start: Type.String(),
    durationMs: Type.Optional(Type.Integer()),
    type: Type.String(),
  }
);

export const BrowserClientBody = Type.Object(
  {
    stream: Type.String({ minLength: 1, maxLength: 64, description: 'the id /api/events gave this page' }),
    friendlyName: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export const BrowserClient = Type.Object({ udn: Type.String(), friendlyName: Type.String() });
export const WebRtcAnswerParams = Type.Object({ udn: Udn, session: Type.String({ minLength: 1, maxLength: 200 }) });
export const WebRtcAnswerBody = Type.Object({ sdp: Type.String({ minLength: 1, maxLength: 65536 }) }, { additionalProperties: false });

/** Schemas referenced by `$ref` (registered once with fastify, listed once in the OpenAPI components). */
export const sharedSchemas = [ErrorBody];

// The shapes as types, for the server and for the web application (ui/ imports these types only).
export type HomeBody = Static<typeof Home>;
export type CallBody = Static<typeof LiveCall>;
export type LogEntryBody = Static<typeof LogEntry>;
export type TokenInfoBody = Static<typeof TokenInfo>;
export type NewTokenAnswer = Static<typeof NewToken>;
export type SessionStateBody = Static<typeof SessionState>;
