/**
 * Who may use the API, checked before any route runs: a session cookie (the web UI) or an API token
 * (`Authorization: Bearer`, automation); without either every route but login, first-run setup and the session
 * probe answers 401. State-changing requests carried by the session cookie must come from hometel's own pages:
 * the cookie is SameSite=Strict, and the request's Origin must be hometel's own (browsers send Origin on every
 * POST, PUT and DELETE), so a foreign page cannot act with the user's session (CSRF). A foreign Origin is refused
 * on every request, GET included — that covers the live-event stream, which a foreign page could otherwise read.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, Principal } from '../accounts/index.js';
import type { Logger } from '../base/index.js';

export const sessionCookie = 'hometel_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Reachable without a session or token (login, setup, the session probe, the UI's files). */
    public?: boolean;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h === undefined ? null : /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/** The request's Origin is hometel's own (the scheme and Host it was asked with), or absent. */
function originAllowed(req: FastifyRequest): { present: boolean; ok: boolean } {
  const origin = req.headers.origin;
  if (origin === undefined) return { present: false, ok: true };
  return { present: true, ok: origin === `${req.protocol}://${req.headers.host ?? ''}` };
}

export function accessCheck(accounts: AccountService, logger: Logger) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const origin = originAllowed(req);
    if (!origin.ok) {
      logger.warn('foreign origin refused', { origin: req.headers.origin, route: req.routeOptions.url, source: req.ip });
      return void (await reply.code(403).send({ error: 'auth.origin', message: 'requests from other sites are refused' }));
    }
    const token = bearerOf(req);
    const session = req.cookies[sessionCookie];
    const principal = accounts.authenticate({ ...(token !== undefined ? { token } : {}), ...(session !== undefined ? { session } : {}) });
    if (principal) req.principal = principal;
    if (!safeMethods.has(req.method) && principal?.kind === 'session' && !origin.present) {
      return void (await reply.code(403).send({ error: 'auth.origin', message: 'a state-changing request with a session needs its Origin' }));
    }
    if (req.routeOptions.config.public) return;
    if (!principal) return void (await reply.code(401).send({ error: 'auth.required', message: 'log in, or send an API token' }));
  };
}
