/**
 * The address book's shapes in the HTTP API (issue 12), as TypeBox schemas: they validate requests and make the
 * OpenAPI document, and the web application imports their types.
 */
import { Type, type Static } from '@sinclair/typebox';

const Label = Type.Union([Type.Literal('home'), Type.Literal('mobile'), Type.Literal('work'), Type.Literal('fax'), Type.Literal('other')]);

export const ContactAddress = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 256, description: 'a telephone number in any usual format, or a SIP URI' }), label: Label },
  { additionalProperties: false },
);

export const ContactDraft = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    addresses: Type.Array(ContactAddress, { maxItems: 50 }),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
    photo: Type.Optional(Type.Object({ mediaType: Type.String({ pattern: '^image/[a-z0-9.+-]+$' }), data: Type.String({ maxLength: 350_000, description: 'base64' }) }, { additionalProperties: false })),
    vip: Type.Optional(Type.Boolean()),
    blocked: Type.Optional(Type.Boolean()),
    groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export const Contact = Type.Intersect([ContactDraft, Type.Object({ id: Type.String(), created: Type.Integer(), updated: Type.Integer() })]);

export const ContactList = Type.Object({ contacts: Type.Array(Contact), total: Type.Integer() });

export const ContactQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  group: Type.Optional(Type.String({ maxLength: 100 })),
  offset: Type.Optional(Type.String({ pattern: '^\\d{1,7}$' })),
  limit: Type.Optional(Type.String({ pattern: '^\\d{1,4}$' })),
});

export const ContactParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const ImportQuery = Type.Object({ format: Type.Union([Type.Literal('vcard'), Type.Literal('fritzbox'), Type.Literal('csv')]) });

export const ImportReport = Type.Object({
  added: Type.Integer(),
  merged: Type.Integer(),
  problems: Type.Array(Type.Object({ at: Type.String(), reason: Type.String() })),
});

export const PhonebookParams = Type.Object({ format: Type.Union([Type.Literal('yealink'), Type.Literal('snom'), Type.Literal('grandstream')]) });

export type ContactBody = Static<typeof Contact>;
export type ContactDraftBody = Static<typeof ContactDraft>;
export type ContactListBody = Static<typeof ContactList>;
export type ImportReportBody = Static<typeof ImportReport>;
