/**
 * The web application's files, served from memory (static-ui.ts). Reachable without login — the page itself
 * asks for the login — and with headers that keep it to itself: nothing from other origins, no framing.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { UiFile } from '../static-ui.js';

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function uiRoutes(files: ReadonlyMap<string, UiFile>): FastifyPluginAsync {
  const send = async (file: UiFile, req: FastifyRequest, reply: FastifyReply, cache: string): Promise<FastifyReply> => {
    void reply.headers({ ...securityHeaders, 'content-type': file.type, etag: file.etag, 'cache-control': cache, vary: 'accept-encoding' });
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(file.gzip);
    return reply.send(file.body);
  };
  const index = files.get('/index.html')!;
  return async (app) => {
    for (const [name, file] of files) {
      if (name === '/index.html') continue;
      app.get(name, { config: { public: true }, schema: { hide: true } }, (req, reply) => send(file, req, reply, 'no-cache'));
    }
    // The application's own pages: every path outside /api gets the page, which routes itself.
    for (const path of ['/', '/calls', '/dial', '/log', '/contacts', '/rules', '/voicemail', '/phones', '/settings', '/setup', '/login']) {
      app.get(path, { config: { public: true }, schema: { hide: true } }, (req, reply) => send(index, req, reply, 'no-cache'));
    }
  };
}
