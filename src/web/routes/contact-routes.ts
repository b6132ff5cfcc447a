/**
 * The address book over HTTP (issue 12): search, read, add, change, remove; import a file (vCard, FRITZ!Box XML,
 * CSV) sent as the request body; export as vCard; the desk phones' remote phonebooks. Every route is one call of the
 * ContactsService.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ContactsService } from '../../contacts/index.js';
import { Contact, ContactDraft, ContactList, ContactParams, ContactQuery, ImportQuery, ImportReport, PhonebookParams } from '../contact-schemas.js';

const refused = { 400: Type.Ref('Error'), 404: Type.Ref('Error') };
/** The file types an import accepts as its body (read as bytes; the format is the query's). */
const fileTypes = ['text/vcard', 'text/x-vcard', 'text/directory', 'text/csv', 'application/xml', 'text/xml', 'text/plain', 'application/octet-stream'];
const phonebookTypes = { yealink: 'application/xml', snom: 'application/xml', grandstream: 'application/xml' } as const;

export function contactRoutes(contacts: ContactsService, maxImportBytes: number): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Files come as they are; the JSON parser stays for everything else.
    app.addContentTypeParser(fileTypes, { parseAs: 'buffer', bodyLimit: maxImportBytes }, (_req, body, done) => done(null, body));

    app.get('/api/contacts', { schema: { tags: ['contacts'], summary: 'Contacts by name, number or SIP URI (search as you type), one page', querystring: ContactQuery, response: { 200: ContactList } } }, async (req) =>
      contacts.list({
        ...(req.query.q !== undefined ? { query: req.query.q } : {}),
        ...(req.query.group !== undefined ? { group: req.query.group } : {}),
        ...(req.query.offset !== undefined ? { offset: Number(req.query.offset) } : {}),
        limit: Math.min(Number(req.query.limit ?? 50), 500),
      }),
    );
    app.get('/api/contacts/groups', { schema: { tags: ['contacts'], summary: 'The groups in use', response: { 200: Type.Array(Type.String()) } } }, async () => contacts.groups());
    app.get('/api/contacts/:id', { schema: { tags: ['contacts'], summary: 'One contact', params: ContactParams, response: { 200: Contact, ...refused } } }, async (req, reply) => {
      const c = contacts.get(req.params.id);
      return c ?? reply.code(404).send({ error: 'contacts.not-found', message: `no contact ${req.params.id}` });
    });
    app.post('/api/contacts', { schema: { tags: ['contacts'], summary: 'Adds a contact', body: ContactDraft, response: { 201: Contact, ...refused } } }, async (req, reply) => reply.code(201).send(contacts.add(req.body)));
    app.put('/api/contacts/:id', { schema: { tags: ['contacts'], summary: 'Replaces a contact', params: ContactParams, body: ContactDraft, response: { 200: Contact, ...refused } } }, async (req) =>
      contacts.update(req.params.id, req.body),
    );
    app.delete('/api/contacts/:id', { schema: { tags: ['contacts'], summary: 'Removes a contact', params: ContactParams, response: { 200: Type.Object({ ok: Type.Boolean() }), ...refused } } }, async (req, reply) =>
      contacts.remove(req.params.id) ? { ok: true } : reply.code(404).send({ error: 'contacts.not-found', message: `no contact ${req.params.id}` }),
    );
    app.post(
      '/api/contacts/import',
      {
        bodyLimit: maxImportBytes,
        schema: {
          tags: ['contacts'],
          summary: `Imports a file (the request body, at most ${maxImportBytes / 1024 / 1024} MiB): merged by number, every unreadable record reported, all in one transaction`,
          querystring: ImportQuery,
          response: { 200: ImportReport, 400: Type.Ref('Error'), 413: Type.Ref('Error'), 415: Type.Ref('Error') },
        },
      },
      async (req) => contacts.import(req.query.format, req.body as Uint8Array),
    );
    app.get('/api/contacts/export.vcf', { schema: { tags: ['contacts'], summary: 'Every contact as vCard' } }, async (_req, reply) =>
      reply.type('text/vcard; charset=utf-8').header('content-disposition', 'attachment; filename="hometel-contacts.vcf"').send(contacts.exportVcard()),
    );
    app.get('/api/phonebook/:format', { schema: { tags: ['contacts'], summary: "The address book as a desk phone's remote phonebook (Yealink, Snom, Grandstream XML)", params: PhonebookParams } }, async (req, reply) =>
      reply.type(`${phonebookTypes[req.params.format]}; charset=utf-8`).send(contacts.phonebook(req.params.format)),
    );
  };
}
