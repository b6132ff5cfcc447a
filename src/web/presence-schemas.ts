/**
 * Presence's shapes in the HTTP API (issue 14): each extension's and user's presence, as TypeBox schemas; the web
 * application imports their types.
 */
import { Type, type Static } from '@sinclair/typebox';

export const PresenceStateSchema = Type.Union(
  [Type.Literal('available'), Type.Literal('on-the-phone'), Type.Literal('ringing'), Type.Literal('dnd'), Type.Literal('offline')],
  { description: 'offline: no device registered; on-the-phone: a call confirmed; ringing: a call early; dnd: the home\'s do-not-disturb; available: registered and idle' },
);

export const PresenceDialog = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('initiator'), Type.Literal('recipient')]),
  state: Type.Union([Type.Literal('trying'), Type.Literal('early'), Type.Literal('confirmed'), Type.Literal('terminated')]),
  remote: Type.Optional(Type.Object({ identity: Type.String(), displayName: Type.Optional(Type.String()) })),
});

export const ExtensionPresence = Type.Object({
  number: Type.String(),
  displayName: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  state: PresenceStateSchema,
  registrations: Type.Integer({ description: 'devices registered now' }),
  dialogs: Type.Array(PresenceDialog, { description: 'its calls now' }),
});

export const UserPresence = Type.Object({
  user: Type.String(),
  state: PresenceStateSchema,
  extensions: Type.Array(Type.String()),
});

export const PresenceList = Type.Object({ extensions: Type.Array(ExtensionPresence), users: Type.Array(UserPresence) });

export type PresenceStateBody = Static<typeof PresenceStateSchema>;
export type ExtensionPresenceBody = Static<typeof ExtensionPresence>;
export type UserPresenceBody = Static<typeof UserPresence>;
export type PresenceListBody = Static<typeof PresenceList>;
