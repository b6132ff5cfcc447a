/**
 * A page's own channel: its live-event stream (every console event, and the WebRTC offers for its browser) and
 * "use this browser for calls" with the WebRTC answers that come back.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { BrowserClients } from '../browser-clients.js';
import type { EventStreams } from '../event-stream.js';
import { BrowserClient, BrowserClientBody, WebRtcAnswerBody, WebRtcAnswerParams } from '../schemas.js';

export function browserRoutes(browsers: BrowserClients, streams: EventStreams): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/events',
      { schema: { tags: ['events'], summary: 'Server-Sent Events: hello (the stream id), home, call, incoming, answered, ended, operation, webrtc-offer, webrtc-close' } },
      async (req, reply) => {
        reply.hijack();
        await streams.open(reply.raw, req.principal?.label ?? req.principal?.kind ?? 'unknown');
      },
    );
    app.post(
      '/api/browser-clients',
      { schema: { tags: ['browser'], summary: 'Makes this page a Telephony Client (until its event stream closes)', body: BrowserClientBody, response: { 201: BrowserClient, 404: Type.Ref('Error') } } },
      async (req, reply) => {
        if (!streams.has(req.body.stream)) return reply.code(404).send({ error: 'request.not-found', message: 'no such event stream: open /api/events first' });
        return reply.code(201).send(await browsers.enable(req.body.stream, req.body.friendlyName));
      },
    );
    app.delete(
      '/api/browser-clients/:udn',
      { schema: { tags: ['browser'], summary: 'This page stops being a Telephony Client', params: Type.Object({ udn: Type.String({ maxLength: 200 }) }), response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
      async (req) => {
        await browsers.remove(req.params.udn);
        return { ok: true };
      },
    );
    app.post(
      '/api/browser-clients/:udn/sessions/:session/answer',
      { schema: { tags: ['browser'], summary: "The page's WebRTC answer to a webrtc-offer event", params: WebRtcAnswerParams, body: WebRtcAnswerBody, response: { 200: Type.Object({ ok: Type.Boolean() }), 404: Type.Ref('Error') } } },
      async (req, reply) =>
        browsers.answer(req.params.udn, req.params.session, req.body.sdp)
          ? { ok: true }
          : reply.code(404).send({ error: 'request.not-found', message: 'no offer waits for this answer' }),
    );
  };
}
