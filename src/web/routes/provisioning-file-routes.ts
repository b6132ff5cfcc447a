/**
 * The configuration server over HTTP (issue 15): `GET /provisioning/<file>` and `GET /provisioning/<secret>/<file>`
 * (HEAD too: fastify answers it from the GET route without the body). Phones cannot log in, so these routes are
 * public to the web's access check; the files service decides — home networks only (the socket's address, never
 * X-Forwarded-For), a device's own file only to its secret path or HTTP Digest (RFC 7616). 200 with an ETag, 304
 * for a matching If-None-Match (RFC 9110 13.1.2), 401 with the Digest challenges, 403, 404.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FileAnswer, FileSource } from '../../provisioning/index.js';

/** RFC 9110 13.1.2: `*` or a list of entity tags, compared weakly (a GET may use the weak comparison). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (t: string): string => t.trim().replace(/^W\//, '');
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => bare(t) === bare(etag));
}

/** The requester as the socket has it (IPv4-mapped IPv6 as plain IPv4). */
function addressOf(req: FastifyRequest): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

async function send(req: FastifyRequest, reply: FastifyReply, answer: FileAnswer): Promise<FastifyReply> {
  switch (answer.kind) {
    case 'file':
      void reply.header('etag', answer.etag).header('cache-control', 'no-cache');
      if (matches(req.headers['if-none-match'], answer.etag)) return reply.code(304).send();
      return reply.code(200).type(answer.contentType).send(answer.body);
    case 'unauthorized':
      // One header line per challenge (SHA-256, MD5): clients read them one by one.
      return reply
        .code(401)
        .header('www-authenticate', answer.challenge.split(/, (?=Digest )/))
        .send({ error: 'provisioning.unauthorized', message: 'this device file needs its secret path or HTTP Digest credentials' });
    case 'forbidden':
      return reply.code(403).send({ error: 'provisioning.forbidden', message: answer.reason });
    case 'not-found':
      return reply.code(404).send({ error: 'provisioning.not-found', message: 'no such provisioning file' });
  }
}

export function provisioningFileRoutes(files: FileSource): FastifyPluginAsync {
  return async (app) => {
    app.get('/provisioning/*', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      const path = (req.params as { '*': string })['*'];
      const authorization = req.headers.authorization;
      const userAgent = req.headers['user-agent'];
      const answer = await files.fetch({
        path,
        protocol: 'http',
        address: addressOf(req),
        ...(userAgent !== undefined ? { userAgent } : {}),
        ...(authorization !== undefined ? { authorization: { header: authorization, method: req.method } } : {}),
      });
      return send(req, reply, answer);
    });
  };
}
