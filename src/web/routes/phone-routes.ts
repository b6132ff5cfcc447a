/**
 * The phones' extensions over HTTP (issue 14): list them with their registered devices, add, remove, change a
 * password, and the devices registered now. Every route is one call of the phones service; its PhonesErrors become
 * 400 (invalid), 409 (exists) and 404 (not-found) in the server's error handler.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { PhonesAdmin } from '../../phones/index.js';
import { Extension, ExtensionList, ExtensionParams, NewExtension, PasswordChange, RegistrationList } from '../phone-schemas.js';

const refused = { 400: Type.Ref('Error'), 404: Type.Ref('Error'), 409: Type.Ref('Error') };
const done = Type.Null();

export function phoneRoutes(phones: PhonesAdmin): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/phones', { schema: { tags: ['phones'], summary: 'The extensions, each with the number of devices registered now', response: { 200: ExtensionList } } }, async () => ({
      extensions: phones.list(),
    }));
    app.post('/api/phones', { schema: { tags: ['phones'], summary: 'Adds an extension', body: NewExtension, response: { 201: Extension, ...refused } } }, async (req, reply) =>
      reply.code(201).send(phones.add(req.body)),
    );
    app.delete('/api/phones/:number', { schema: { tags: ['phones'], summary: 'Removes an extension and its registrations', params: ExtensionParams, response: { 204: done, ...refused } } }, async (req, reply) => {
      phones.remove(req.params.number);
      return reply.code(204).send(null);
    });
    app.put(
      '/api/phones/:number/password',
      { schema: { tags: ['phones'], summary: "Changes an extension's password", params: ExtensionParams, body: PasswordChange, response: { 204: done, ...refused } } },
      async (req, reply) => {
        phones.passwd(req.params.number, req.body.password);
        return reply.code(204).send(null);
      },
    );
    app.get('/api/phones/registrations', { schema: { tags: ['phones'], summary: 'The devices registered now', response: { 200: RegistrationList } } }, async () => ({
      registrations: phones.registrations(),
    }));
  };
}
