/**
 * The screening rules and do-not-disturb in the HTTP API (issue 13, seed 004 2.2 3 vi), as TypeBox schemas. The
 * shapes are checked here; what the values mean (a number pattern the number plan reads, a known action, a forward
 * target, a schedule) is the rule book's to check, so that bad input gets its clear RuleInvalid message.
 */
import { Type, type Static } from '@sinclair/typebox';

const Text = Type.String({ maxLength: 200 });

export const HandlingAction = Type.Object(
  {
    kind: Type.String({ maxLength: 20, description: 'accept, reject, forward, voicemail or ring' }),
    tc: Type.Optional(Type.String({ maxLength: 200, description: 'accept: the TC that answers (else the TS itself)' })),
    status: Type.Optional(Type.Integer({ description: 'reject: 486, 603 (default), 403 or 480' })),
    target: Type.Optional(Type.String({ maxLength: 200, description: 'forward: a telephone number or a sip:/tel: URI' })),
    targetNames: Type.Optional(Type.Array(Text, { maxItems: 100, description: 'ring: only these screens (TelCPNames)' })),
  },
  { additionalProperties: false },
);

export const RuleMatch = Type.Object(
  {
    kind: Type.String({ maxLength: 20, description: 'number, anonymous, blocked, vip, not-in-contacts or group' }),
    pattern: Type.Optional(Type.String({ maxLength: 200, description: 'number: a number, or a prefix ending in * (+4930*, 030*)' })),
    group: Type.Optional(Type.String({ maxLength: 200, description: "group: the contacts' group" })),
  },
  { additionalProperties: false },
);

export const WeeklySchedule = Type.Object(
  {
    days: Type.Array(Type.Integer(), { maxItems: 7, description: '0 Sunday … 6 Saturday' }),
    from: Type.String({ maxLength: 5, description: 'HH:MM local time' }),
    to: Type.String({ maxLength: 5, description: 'HH:MM; at or before from: until the next day' }),
  },
  { additionalProperties: false },
);

export const RuleDraft = Type.Object(
  { match: RuleMatch, action: HandlingAction, schedule: Type.Optional(WeeklySchedule), note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

export const Rule = Type.Intersect([RuleDraft, Type.Object({ id: Type.String(), created: Type.Integer() })]);

export const RuleList = Type.Object({ rules: Type.Array(Rule), total: Type.Integer({ description: 'every rule, also those not on this page' }) });

/** A page of the rules, oldest first (a home may screen 100,000 numbers): default the first 500, at most 5,000. */
export const RuleQuery = Type.Object({
  offset: Type.Optional(Type.String({ pattern: '^\\d{1,7}$' })),
  limit: Type.Optional(Type.String({ pattern: '^\\d{1,4}$' })),
});

export const RuleParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const DndChange = Type.Object(
  {
    on: Type.Optional(Type.Boolean()),
    action: Type.Optional(HandlingAction),
    vipRings: Type.Optional(Type.Boolean()),
    schedules: Type.Optional(Type.Array(WeeklySchedule, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export const Dnd = Type.Object({
  on: Type.Boolean(),
  action: HandlingAction,
  vipRings: Type.Boolean(),
  schedules: Type.Array(WeeklySchedule),
  active: Type.Boolean({ description: 'DND is in effect now (on, or in one of its schedules)' }),
});

export type HandlingActionBody = Static<typeof HandlingAction>;
export type RuleBody = Static<typeof Rule>;
export type RuleDraftBody = Static<typeof RuleDraft>;
export type RuleListBody = Static<typeof RuleList>;
export type DndBody = Static<typeof Dnd>;
export type DndChangeBody = Static<typeof DndChange>;
export type WeeklyScheduleBody = Static<typeof WeeklySchedule>;
