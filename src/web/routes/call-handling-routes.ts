/**
 * Incoming-call handling over HTTP (issue 13): a screen's decisions about a ringing Call (accept, reject, forward,
 * voicemail) and ignore, the full call records, the activation, and forward all. Each route is one call of the call-handling
 * service; the web's decider is `web:<label>`. 404 an unknown CallID, 409 another decision came first (the message
 * names it), 400 a bad target.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { CallHandlingService, LivenessStatus, ScreenAction } from '../../callhandling/index.js';
import { AcceptBody, Activation, ActivationBody, CallIdParams, CallRecordPage, DecideBody, ForwardAll, ForwardAllBody, ForwardBody, RejectBody } from '../call-handling-schemas.js';

const refused = { 400: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') };
const done = { 204: Type.Null(), ...refused };

const view = (s: LivenessStatus) => ({ ...s, screens: [...s.screens] });

const decider = (req: FastifyRequest, label: string | undefined): string => `web:${label ?? req.principal?.label ?? 'browser'}`;

export function callHandlingRoutes(handling: CallHandlingService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const decide = (id: string, req: FastifyRequest, action: ScreenAction, label: string | undefined): void => handling.decide(id, action, decider(req, label));
    const tags = ['incoming calls'];
    app.post('/api/calls/:id/forward', { schema: { tags, summary: 'Forwards a ringing Call to another number', params: CallIdParams, body: ForwardBody, response: done } }, async (req, reply) => {
      decide(req.params.id, req, { action: 'forward', target: req.body.target }, req.body.label);
      return reply.code(204).send(null);
    });
    app.post('/api/calls/:id/voicemail', { schema: { tags, summary: 'Sends a ringing Call to voicemail', params: CallIdParams, body: DecideBody, response: done } }, async (req, reply) => {
      decide(req.params.id, req, { action: 'voicemail' }, req.body.label);
      return reply.code(204).send(null);
    });
    app.post('/api/calls/:id/accept', { schema: { tags, summary: 'Accepts a ringing Call on a Telephony Client, or with the Telephony Server\'s own media', params: CallIdParams, body: AcceptBody, response: done } }, async (req, reply) => {
      decide(req.params.id, req, req.body.tc !== undefined ? { action: 'accept', tc: req.body.tc } : { action: 'accept' }, req.body.label);
      return reply.code(204).send(null);
    });
    app.post('/api/calls/:id/reject', { schema: { tags, summary: 'Rejects a ringing Call', params: CallIdParams, body: RejectBody, response: done } }, async (req, reply) => {
      decide(req.params.id, req, req.body.status !== undefined ? { action: 'reject', status: req.body.status } : { action: 'reject' }, req.body.label);
      return reply.code(204).send(null);
    });
    app.post('/api/calls/:id/ignore', { schema: { tags, summary: 'Stops the ringing on this screen only (not a decision)', params: CallIdParams, body: DecideBody, response: done } }, async (req, reply) => {
      handling.ignore(req.params.id, decider(req, req.body.label));
      return reply.code(204).send(null);
    });
    app.get('/api/call-records', { schema: { tags, summary: 'The full record of each incoming Call, newest first', querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), offset: Type.Optional(Type.String({ pattern: '^\\d{1,7}$' })), limit: Type.Optional(Type.String({ pattern: '^\\d{1,3}$' })) }), response: { 200: CallRecordPage } } }, async (req) =>
      handling.records({ ...(req.query.q ? { query: req.query.q } : {}), offset: Number(req.query.offset ?? 0), limit: Number(req.query.limit ?? 50) }),
    );
    app.get('/api/call-handling/activation', { schema: { tags, summary: 'The activation (auto, on, off) and the screens online', response: { 200: Activation } } }, async () => view(handling.status()));
    app.put('/api/call-handling/activation', { schema: { tags, summary: 'Sets the activation: auto (liveness), on, off', body: ActivationBody, response: { 200: Activation, ...refused } } }, async (req) => view(handling.setActivation(req.body.activation)));
    app.get('/api/forward-all', { schema: { tags, summary: 'Forward all: where every incoming call goes, if anywhere', response: { 200: ForwardAll } } }, async () => ({ target: handling.forwardAll() ?? null }));
    app.put('/api/forward-all', { schema: { tags, summary: 'Forwards every incoming call to a number (the rules still refuse blocked callers), or stops it', body: ForwardAllBody, response: { 200: ForwardAll, ...refused } } }, async (req) => ({
      target: handling.setForwardAll(req.body.target ?? undefined, decider(req, undefined)) ?? null,
    }));
  };
}
