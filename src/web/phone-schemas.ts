/**
 * The phones' extensions in the HTTP API (issue 14), as TypeBox schemas. The shapes are checked here (and sizes
 * bounded); what the values mean — a valid extension number, a long enough password, printable names — is the phones
 * service's to check, so that bad input gets its clear PhonesError message. No response carries a password or HA1.
 */
import { Type, type Static } from '@sinclair/typebox';

const ExtensionNumber = Type.String({ maxLength: 20, description: 'the extension number: 2 to 6 digits, not starting with 0; a phone registers with it as user name' });
const Password = Type.String({ maxLength: 1024, description: '8 to 128 characters; only its Digest HA1 values (MD5, SHA-256) are stored' });

export const NewExtension = Type.Object(
  {
    number: ExtensionNumber,
    password: Password,
    displayName: Type.Optional(Type.String({ maxLength: 200, description: 'its display name (1 to 64 printable characters, no quotes)' })),
    user: Type.Optional(Type.String({ maxLength: 200, description: 'the person it belongs to' })),
  },
  { additionalProperties: false },
);

export const PasswordChange = Type.Object({ password: Password }, { additionalProperties: false });

export const ExtensionParams = Type.Object({ number: Type.String({ minLength: 1, maxLength: 20 }) });

export const Extension = Type.Object({
  number: Type.String(),
  displayName: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  registrations: Type.Integer({ description: 'devices registered now' }),
});

export const ExtensionList = Type.Object({ extensions: Type.Array(Extension) });

export const Registration = Type.Object({
  extension: Type.String(),
  contact: Type.String({ description: 'the Contact URI the device registered' }),
  expiresAt: Type.Integer({ description: 'ms since the epoch' }),
  source: Type.String({ description: 'transport:address:port the REGISTER came from' }),
  userAgent: Type.Optional(Type.String()),
});

export const RegistrationList = Type.Object({ registrations: Type.Array(Registration) });

export type NewExtensionBody = Static<typeof NewExtension>;
export type ExtensionBody = Static<typeof Extension>;
export type ExtensionListBody = Static<typeof ExtensionList>;
export type RegistrationBody = Static<typeof Registration>;
export type RegistrationListBody = Static<typeof RegistrationList>;
