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

/**
 * The API token of a request: `Authorization: Bearer <token>`, or as the password of HTTP Basic (any user name),
 * which is what desk phones can send when they fetch their remote phonebook (`http://user:token@hub/…`).
 */
export function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(h);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(h);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
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
