/**
 * Voicemail over HTTP (issue 13): the messages (list, one, its audio as audio/wav, read/unread, delete) and each
 * line's greeting (its audio, an upload as the request body, back to the default). Every route is one call of the
 * VoiceMailService.
 */
import { createReadStream } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { maxGreetingBytes, type VoiceMailService, type VoiceMessage as Message } from '../../voicemail/index.js';
import { FromMessageBody, GreetingInfo, GreetingParams, MessageParams, ReadBody, VoiceMailList, VoiceMessage } from '../voicemail-schemas.js';

const refused = { 400: Type.Ref('Error'), 404: Type.Ref('Error') };

/** The message without its file name (a detail of the server's disk). */
const shown = ({ file: _file, ...m }: Message) => m;

export function voicemailRoutes(voicemail: VoiceMailService): FastifyPluginAsyncTypebox {
  return async (app) => {
    // A greeting comes as the request body, whatever its type says: the service tells what it really is.
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxGreetingBytes }, (_req, body, done) => done(null, body));

    app.get('/api/voicemail', { schema: { tags: ['voicemail'], summary: 'Every message, newest first, with the unread count and recent mailbox-full refusals', response: { 200: VoiceMailList } } }, async () => {
      const info = voicemail.info();
      return { ...info, messages: info.messages.map(shown), refusals: [...info.refusals] };
    });
    app.get('/api/voicemail/greetings', { schema: { tags: ['voicemail'], summary: "Each line's greeting", response: { 200: Type.Array(GreetingInfo) } } }, async () =>
      voicemail.lines().map((l) => voicemail.greetingInfo(l)),
    );
    app.get('/api/voicemail/greetings/:line/audio', { schema: { tags: ['voicemail'], summary: "The line's greeting as audio/wav", params: GreetingParams, response: { 404: Type.Ref('Error') } } }, async (req, reply) =>
      reply.type('audio/wav').send(voicemail.greetingWav(req.params.line)),
    );
    app.put(
      '/api/voicemail/greetings/:line',
      {
        bodyLimit: maxGreetingBytes,
        // A body over the limit is refused before it is read; the message says what the limit is.
        errorHandler: (e, _req, reply) => {
          if (e.statusCode !== 413) throw e;
          void reply.code(413).send({ error: 'voicemail.bad-greeting', message: `the greeting is larger than ${maxGreetingBytes / 1048576} MiB; upload a WAV file of at most ${maxGreetingBytes / 1048576} MiB` });
        },
        schema: {
          tags: ['voicemail'],
          summary: `Replaces the line's greeting with the request body: a WAV file (16-bit PCM or G.711, at most ${maxGreetingBytes / 1048576} MiB)`,
          params: GreetingParams,
          response: { 200: GreetingInfo, 413: Type.Ref('Error'), ...refused },
        },
      },
      async (req) => voicemail.setGreeting(req.params.line, (req.body as Buffer | undefined) ?? Buffer.alloc(0)),
    );
    app.post('/api/voicemail/greetings/:line/from-message', { schema: { tags: ['voicemail'], summary: "Makes a message the line's greeting (record one by calling the line)", params: GreetingParams, body: FromMessageBody, response: { 200: GreetingInfo, ...refused } } }, async (req) =>
      voicemail.greetingFromMessage(req.params.line, req.body.id),
    );
    app.delete('/api/voicemail/greetings/:line', { schema: { tags: ['voicemail'], summary: 'Back to the configured or the default greeting', params: GreetingParams, response: { 200: GreetingInfo, ...refused } } }, async (req) =>
      voicemail.resetGreeting(req.params.line),
    );
    app.get('/api/voicemail/:id', { schema: { tags: ['voicemail'], summary: 'One message', params: MessageParams, response: { 200: VoiceMessage, ...refused } } }, async (req) => shown(voicemail.get(req.params.id)));
    app.get('/api/voicemail/:id/audio', { schema: { tags: ['voicemail'], summary: "The message's recording as audio/wav (8 kHz 16-bit mono PCM)", params: MessageParams, response: { 404: Type.Ref('Error') } } }, async (req, reply) => {
      const m = voicemail.get(req.params.id);
      return reply.type('audio/wav').header('content-length', m.bytes).header('content-disposition', `inline; filename="voicemail-${m.id}.wav"`).send(createReadStream(voicemail.audioPath(m.id)));
    });
    app.patch('/api/voicemail/:id', { schema: { tags: ['voicemail'], summary: 'Marks a message read or unread (for the whole home)', params: MessageParams, body: ReadBody, response: { 200: VoiceMessage, ...refused } } }, async (req) =>
      shown(voicemail.markRead(req.params.id, req.body.read)),
    );
    app.delete('/api/voicemail/:id', { schema: { tags: ['voicemail'], summary: 'Deletes a message and its recording', params: MessageParams, response: { 200: Type.Object({ ok: Type.Boolean() }), ...refused } } }, async (req) => {
      voicemail.delete(req.params.id);
      return { ok: true };
    });
  };
}
