/**
 * Login, first-run setup, logout, the session probe, the password, and API tokens (issue 11 "Security"). The
 * session is an HttpOnly, SameSite=Strict cookie; the accounts service decides everything else (hashing, rate
 * limits, expiry).
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AccountService, NewSession } from '../../accounts/index.js';
import { sessionCookie } from '../access.js';
import { LoginBody, NewToken, SessionState, TokenInfo, NewTokenBody, PasswordBody, SetupBody } from '../schemas.js';

const Ok = Type.Object({ ok: Type.Boolean() });
const errors = { 400: Type.Ref('Error'), 401: Type.Ref('Error'), 403: Type.Ref('Error'), 429: Type.Ref('Error') };

function setSession(reply: FastifyReply, s: NewSession): void {
  void reply.setCookie(sessionCookie, s.token, { httpOnly: true, sameSite: 'strict', path: '/', expires: new Date(s.expires) });
}

export function accountRoutes(accounts: AccountService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/session',
      { config: { public: true }, schema: { tags: ['account'], summary: 'Whether this request is logged in, and whether first-run setup is pending', response: { 200: SessionState } } },
      async (req) => ({ authenticated: req.principal !== undefined, setupNeeded: accounts.setupNeeded() }),
    );
    app.post(
      '/api/setup',
      { config: { public: true }, schema: { tags: ['account'], summary: 'Sets the admin password with the one-time setup link hometel printed', body: SetupBody, response: { 200: Ok, ...errors } } },
      async (req, reply) => {
        setSession(reply, await accounts.completeSetup(req.body.token, req.body.password));
        return { ok: true };
      },
    );
    app.post(
      '/api/login',
      { config: { public: true }, schema: { tags: ['account'], summary: 'Logs in with the admin password (failures are rate-limited per address)', body: LoginBody, response: { 200: Ok, ...errors } } },
      async (req, reply) => {
        setSession(reply, await accounts.login(req.ip, req.body.password));
        return { ok: true };
      },
    );
    app.post('/api/logout', { schema: { tags: ['account'], summary: 'Ends this session', response: { 200: Ok } } }, async (req, reply) => {
      const session = req.cookies[sessionCookie];
      if (session !== undefined) accounts.logout(session);
      void reply.clearCookie(sessionCookie, { path: '/' });
      return { ok: true };
    });
    app.post('/api/password', { schema: { tags: ['account'], summary: 'Changes the admin password; every other session ends', body: PasswordBody, response: { 200: Ok, ...errors } } }, async (req) => {
      await accounts.changePassword(req.body.current, req.body.next, req.cookies[sessionCookie]);
      return { ok: true };
    });
    app.get('/api/tokens', { schema: { tags: ['account'], summary: 'The API tokens (never their secrets)', response: { 200: Type.Array(TokenInfo) } } }, async () => accounts.listApiTokens());
    app.post('/api/tokens', { schema: { tags: ['account'], summary: 'Makes an API token; its secret is shown only in this answer', body: NewTokenBody, response: { 201: NewToken } } }, async (req, reply) => {
      return reply.code(201).send(accounts.createApiToken(req.body.label));
    });
    app.delete(
      '/api/tokens/:id',
      { schema: { tags: ['account'], summary: 'Revokes an API token', params: Type.Object({ id: Type.String({ maxLength: 100 }) }), response: { 200: Ok, 404: Type.Ref('Error') } } },
      async (req, reply) => (accounts.revokeApiToken(req.params.id) ? { ok: true } : reply.code(404).send({ error: 'accounts.not-found', message: `no token ${req.params.id}` })),
    );
  };
}
