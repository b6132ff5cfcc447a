/** Presence over HTTP (issue 14): every extension's and user's presence, one call of the presence service. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PresenceSource } from '../../phones/index.js';
import { PresenceList } from '../presence-schemas.js';

export function presenceRoutes(presence: PresenceSource): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/presence', { schema: { tags: ['presence'], summary: "Each extension's and user's presence (available, on the phone, ringing, DND, offline)", response: { 200: PresenceList } } }, async () => {
      const { extensions, users } = presence.snapshot();
      return { extensions: extensions.map((e) => ({ ...e, dialogs: [...e.dialogs] })), users: users.map((u) => ({ ...u, extensions: [...u.extensions] })) };
    });
  };
}
