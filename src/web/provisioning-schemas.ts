/**
 * The provisioned devices in the HTTP API (issue 15), as TypeBox schemas. Shapes and sizes are checked here; what the
 * values mean — a MAC address in any of its forms, a known vendor, an existing extension — is the provisioning
 * service's to check, so that bad input gets its clear ProvisioningError message. No device answer carries its
 * provisioning secret: only GET …/:mac/secret does.
 */
import { Type, type Static } from '@sinclair/typebox';

const MacText = Type.String({ minLength: 1, maxLength: 40, description: 'a MAC address: 00:15:65:a1:b2:c3, 00-15-65-A1-B2-C3, 0015.65a1.b2c3 or 001565a1b2c3' });
const vendorText = (description: string) => Type.String({ maxLength: 40, description: `${description}: yealink, snom, grandstream, polycom or generic` });
const Extensions = Type.Array(Type.String({ maxLength: 20 }), { maxItems: 16, description: 'the extension numbers it carries, first = its first account; none: pending' });

const changes = {
  extensions: Type.Optional(Extensions),
  vendor: Type.Optional(vendorText('its vendor')),
  model: Type.Optional(Type.String({ maxLength: 100 })),
  template: Type.Optional(vendorText("the template its own file is rendered from (default: its vendor's)")),
};

export const NewDevice = Type.Object({ mac: MacText, ...changes }, { additionalProperties: false });
export const DeviceChange = Type.Object(changes, { additionalProperties: false, minProperties: 1 });
export const DeviceParams = Type.Object({ mac: MacText });

export const FetchRecord = Type.Object({
  at: Type.Integer({ description: 'ms since the epoch' }),
  address: Type.String({ description: "the requester's IP address" }),
  file: Type.String(),
  protocol: Type.Union([Type.Literal('http'), Type.Literal('tftp')]),
  userAgent: Type.Optional(Type.String()),
  outcome: Type.Union(['served', 'not-modified', 'unauthorized', 'forbidden', 'not-found'].map((o) => Type.Literal(o))),
});

export const NotificationRecord = Type.Object({
  at: Type.Integer({ description: 'ms since the epoch' }),
  kind: Type.Union(['plug-and-play', 'ua-profile', 'check-sync'].map((k) => Type.Literal(k))),
  target: Type.String({ description: 'where it went: udp:192.168.1.20:5060' }),
  answer: Type.String({ description: 'a SIP status line (200 OK), timeout or error: …' }),
});

export const Device = Type.Object({
  mac: Type.String({ description: '12 lower-case hex digits' }),
  state: Type.Union([Type.Literal('pending'), Type.Literal('enrolled')]),
  vendor: Type.Optional(Type.String()),
  model: Type.Optional(Type.String()),
  firmware: Type.Optional(Type.String()),
  extensions: Type.Array(Type.String()),
  template: Type.Optional(Type.String()),
  secretGeneration: Type.Integer({ description: 'moves when its provisioning secret is rotated' }),
  firstSeen: Type.Integer({ description: 'ms since the epoch' }),
  firstSeenFrom: Type.String({ description: 'how and where: plug-and-play 192.168.1.20, http 192.168.1.20, admin' }),
  lastFetch: Type.Optional(FetchRecord),
  lastNotification: Type.Optional(NotificationRecord),
  resyncRequestedAt: Type.Optional(Type.Integer({ description: 'a resync (check-sync) asked for and not sent yet' })),
});

export const DeviceList = Type.Object({ devices: Type.Array(Device, { description: 'in the order they were first seen' }) });

export const FilePreview = Type.Object({
  name: Type.String(),
  contentType: Type.String(),
  body: Type.String({ description: 'the file rendered now, every secret replaced by ********' }),
});

export const FilePreviewList = Type.Object({ files: Type.Array(FilePreview) });

export const DeviceSecret = Type.Object({
  mac: Type.String(),
  secret: Type.String({ description: 'its provisioning secret: the secret path and the HTTP Digest password' }),
  http: Type.String({ description: 'the URL to point the phone at (its secret path)' }),
  tftp: Type.Optional(Type.String({ description: 'the same over TFTP, when hometel serves TFTP' })),
  digest: Type.Object({ user: Type.String({ description: 'the MAC as 12 lower-case hex digits' }), password: Type.String() }, { description: 'HTTP Digest credentials for the plain provisioning URL' }),
});

export type DeviceView = Static<typeof Device>;
export type DeviceListBody = Static<typeof DeviceList>;
export type NewDeviceBody = Static<typeof NewDevice>;
export type DeviceChangeBody = Static<typeof DeviceChange>;
export type FilePreviewListBody = Static<typeof FilePreviewList>;
export type DeviceSecretBody = Static<typeof DeviceSecret>;
