/**
 * The home console over HTTP: what is online, the live Calls and what can be done with them, the call log. Each
 * route is one call of the HomeConsole (the application service); nothing here decides anything about a Call.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { HomeConsole } from '../../console/index.js';
import type { BrowserClients } from '../browser-clients.js';
import type { CallerNames } from '../caller-names.js';
import { AnswerBody, ClientsBody, DialBody, Home, LineParams, LiveCall, LogEntry, LogQuery, MixingBody, Operation } from '../schemas.js';

const refused = { 400: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') };
const call = { 200: LiveCall, ...refused };
const started = { 202: Operation, ...refused };

export function homeRoutes(home: HomeConsole, browsers: BrowserClients, names: CallerNames): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/home', { schema: { tags: ['home'], summary: 'Lines, Telephony Clients and the control points online', response: { 200: Home } } }, async () => browsers.mark(home.home()));
    app.get('/api/calls', { schema: { tags: ['calls'], summary: 'The live Calls of every line', response: { 200: Type.Array(LiveCall) } } }, async () => home.calls().map((c) => names.call(c)));
    app.post('/api/calls', { schema: { tags: ['calls'], summary: 'Places a Call; its progress arrives as events', body: DialBody, response: started } }, async (req, reply) => {
      return reply.code(202).send({ operation: home.dial(req.body.line, req.body.callee, req.body.clients) });
    });
    app.post(
      '/api/calls/:line/:callID/answer',
      { schema: { tags: ['calls'], summary: 'Answers a ringing Call on a Telephony Client', params: LineParams, body: AnswerBody, response: started } },
      async (req, reply) => reply.code(202).send({ operation: home.answer(req.params.line, req.params.callID, req.body.client, { label: req.body.label }) }),
    );
    app.post('/api/calls/:line/:callID/reject', { schema: { tags: ['calls'], summary: 'Rejects a ringing Call', params: LineParams, response: call } }, async (req) =>
      names.call(await home.reject(req.params.line, req.params.callID)),
    );
    app.post('/api/calls/:line/:callID/hangup', { schema: { tags: ['calls'], summary: 'Ends a Call', params: LineParams, response: call } }, async (req) =>
      names.call(await home.hangup(req.params.line, req.params.callID)),
    );
    app.put(
      '/api/calls/:line/:callID/clients',
      { schema: { tags: ['calls'], summary: 'Sets the Telephony Clients of a Call (adds and removes)', params: LineParams, body: ClientsBody, response: call } },
      async (req) => names.call(await home.setClients(req.params.line, req.params.callID, req.body.clients)),
    );
    app.put(
      '/api/calls/:line/:callID/mixing',
      { schema: { tags: ['calls'], summary: 'Media mixing on or off', params: LineParams, body: MixingBody, response: call } },
      async (req) => names.call(await home.setMixing(req.params.line, req.params.callID, req.body.enabled)),
    );
    app.get('/api/log', { schema: { tags: ['log'], summary: 'The call log of every line, newest first', querystring: LogQuery, response: { 200: Type.Array(LogEntry), ...refused } } }, async (req) =>
      (await home.callLog(req.query.q ?? '', req.query.line)).map((e) => names.logEntry(e)),
    );
  };
}
