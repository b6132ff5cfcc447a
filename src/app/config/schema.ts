/**
 * The schema of hometel's config file, in one place: every field's type, range, allowed values, description (an
 * editor's hover help) and default. TypeBox types are JSON Schema, so the same object validates the file, gives
 * the TypeScript types (Static<>) and is published as hometel.schema.json.
 *
 * `configSchema` describes the complete config hometel runs with (every default filled in); `fileSchema` is the
 * file a user writes, where each field with a default may be left out.
 */
import { KindGuard, Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';

/** Marks a field whose default is derived from its neighbours (see config.ts), so no `default` can state it. */
const derivedDefault = Symbol('derived default');
function derived<T extends TSchema>(schema: T): T {
  return { ...schema, [derivedDefault]: true };
}

/** Objects refuse unknown fields: a typo must not pass silently. */
const object = <T extends TProperties>(properties: T, description: string) => Type.Object(properties, { additionalProperties: false, description });

const text = (description: string, options: { default?: string } = {}) => Type.String({ minLength: 1, description, ...options });

/** One of a few strings (an enum). */
const oneOf = <const T extends readonly string[]>(values: T, description?: string) => Type.Union(values.map((v) => Type.Literal(v as T[number])), { description });

/** `schema` with a default; typed as the schema itself, so its declaration can be emitted. */
const withDefault = <T extends TSchema>(schema: T, value: unknown): T => ({ ...schema, default: value });

const seconds = (description: string) => Type.Number({ minimum: 0, description });

const sipUri = (description: string) => Type.String({ pattern: '^sips?:\\S+$', description, errorMessage: 'must be a sip: or sips: URI' });

/** A name that keeps a device's UDN in the store across restarts. */
const deviceName = (what: string) =>
  Type.String({
    pattern: '^[A-Za-z0-9_-]{1,32}$',
    description: `Short, unique name of the ${what}: 1–32 letters, digits, - or _ (it keeps the ${what}'s UDN in the store).`,
    errorMessage: 'must be 1–32 letters, digits, - or _',
  });

/** A port hometel listens on; 0 picks a free one at each start. */
const listenPort = (description: string, dflt: number) => Type.Integer({ minimum: 0, maximum: 65535, description: `${description} (0: any free port).`, default: dflt });

/** A port of an RTP range: each stream takes an even RTP port and the odd RTCP port above it; below 1024 is the system's. */
const rtpPort = (description: string, options: { default?: number } = {}) => Type.Integer({ minimum: 1024, maximum: 65535, description, ...options });

const rtpPortRange = (description: string) =>
  object({ min: rtpPort('Lowest port of the range.'), max: rtpPort('Highest port of the range.') }, `${description} One even/odd RTP/RTCP port pair per stream.`);

const transports = Type.Array(oneOf(['udp', 'tcp']), {
  minItems: 1,
  uniqueItems: true,
  description: 'The SIP transports it listens on and sends with.',
  default: ['udp', 'tcp'],
});

const audioSource = (description: string) =>
  Type.Union(
    [
      Type.Literal('silence'),
      object({ tone: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 4000, description: 'Frequency in Hz.' }) }, 'A sine tone.'),
      object(
        { wav: text('Path of a 16-bit PCM WAV file.'), loop: Type.Boolean({ description: 'Play it again from the start when it ends; else the stream ends with it.', default: false }) },
        'A WAV file, played once or looped.',
      ),
    ],
    {
      description: `${description}: "silence", {"tone": Hz} or {"wav": path, "loop"?: boolean}.`,
      errorMessage: 'must be "silence", {"tone": Hz above 0 and below 4000} or {"wav": path, "loop"?: boolean}',
      default: 'silence',
    },
  );

const sipAccount = object(
  {
    mode: oneOf(
      ['direct', 'registered'],
      '`direct`: reachable at sip:user@host:port, calls any SIP URI itself; `registered`: REGISTERs with `registrar` and calls through it.',
    ),
    user: text('The user part of its SIP address.'),
    displayName: Type.Optional(text('The display name its calls show.')),
    host: Type.Optional(text('Address to listen on; default: the first interface\'s address.')),
    port: listenPort('UDP and TCP port', 5060),
    transports,
    registrar: Type.Optional(sipUri('Registered mode: the registrar\'s SIP URI, e.g. sip:pbx.example.org.')),
    username: Type.Optional(text('Registered mode: the Digest username; default: `user`.')),
    password: Type.Optional(text('Registered mode: the Digest password.')),
    expires: Type.Optional(seconds('Registered mode: the registration lifetime it asks for, in seconds.')),
    outboundProxy: Type.Optional(sipUri('Registered mode: where its requests go; default: the registrar.')),
    noAnswerSeconds: Type.Optional(seconds('Seconds an incoming call rings before it is answered 480 and ends (the SIP layer\'s default: 60).')),
    probeIntervalSeconds: Type.Optional(seconds('Seconds between availability probes of a callback\'s callee.')),
    keepaliveSeconds: Type.Optional(seconds('Seconds between in-call OPTIONS keep-alives that detect a vanished peer; 0 or absent: off.')),
  },
  'The line\'s SIP account; without it the line has no connection outside the home.',
);

const forwarding = object(
  {
    mode: withDefault(
      oneOf(['bridge', 'redirect'], 'bridge: hometel calls the target on this line and relays the media, the caller hears ringback until the target answers; redirect: the caller is answered 302 with the target as Contact and calls it itself.'),
      'bridge',
    ),
    noAnswerSeconds: Type.Number({ minimum: 1, maximum: 600, description: 'Bridge: how long the target rings before the forward counts as not answered.', default: 30 }),
    fallbackToVoicemail: Type.Boolean({ description: 'Bridge: a target that is busy, does not answer or fails sends the caller to voicemail; false: the caller is rejected (486 busy, 480 otherwise).', default: true }),
  },
  'How calls on this line are forwarded to another number (seed 004 2.2 3 iii).',
);

const line = object(
  {
    name: deviceName('line'),
    friendlyName: derived(text('The friendly name its Telephony Server shows; default: "<name> line".')),
    sip: Type.Optional(sipAccount),
    forwarding: withDefault(forwarding, {}),
  },
  'A phone line: a Telephony Server device embedded in the root device.',
);

const client = object(
  {
    name: deviceName('client'),
    friendlyName: derived(text('The friendly name its device shows; default: "<name> client".')),
    source: audioSource('What it plays into its Media Sessions'),
    recordDir: Type.Optional(text('Where it records each Media Session (a WAV per audio stream, an rtpdump per video stream); default: nothing recorded.')),
    video: Type.Boolean({ description: 'Declare receive-only H.264 video (recorded raw, never decoded).', default: false }),
    rtpPorts: derived(rtpPortRange('Its RTP port range; default 30000+100·i – 30099+100·i for the i-th client.')),
  },
  'A Telephony Client of hometel\'s own: a TelephonyClient:1 device that plays a source and records what it receives.',
);

const media = object(
  {
    rtpPortMin: rtpPort('Lowest port of the Telephony Servers\' RTP relay range.', { default: 40000 }),
    rtpPortMax: rtpPort('Highest port of the Telephony Servers\' RTP relay range.', { default: 49999 }),
    native: Type.Optional(
      object(
        {
          source: audioSource('What they play to the Remote Party'),
          recordDir: Type.Optional(text('Where they record the Remote Party, `<line>-<CallID>-<time>.wav` per Call; default: nothing recorded.')),
        },
        'The Telephony Servers\' own media endpoint (TS-based media handling, nativeMediaCapability).',
      ),
    ),
  },
  'The Telephony Servers\' media plane: the UDP port range of every RTP/RTCP port pair their relay uses.',
);

const echo = object(
  {
    user: Type.String({
      pattern: "^[A-Za-z0-9._~!$&'()*+,;=-]+$",
      description: 'The user part it answers for (other users get 404).',
      errorMessage: "must be a SIP user part (letters, digits, -._~!$&'()*+,;=)",
      default: 'echo',
    }),
    port: listenPort('UDP and TCP port', 5070),
    host: Type.Optional(text('Address to listen on (SIP and RTP); default: the first interface\'s address.')),
    transports,
    rtpPorts: Type.Optional(rtpPortRange('Its own RTP port range; default: pairs from the `media` range.')),
    maxCalls: Type.Integer({ minimum: 1, maximum: 1000, description: 'Calls at once; another INVITE is answered 486 Busy Here.', default: 8 }),
    maxSeconds: Type.Number({ exclusiveMinimum: 0, description: 'It hangs up after this many seconds.', default: 600 }),
  },
  'The echo test endpoint, like a PBX\'s echo test number: call sip:<user>@<host>:<port> and hear yourself.',
);

const web = object(
  {
    interface: text('The interface (name or IPv4 address) the web application and HTTP API listen on. The default keeps them to this machine; name a LAN interface to reach them from other devices.', { default: 'lo' }),
    port: listenPort('HTTP port of the web application and API', 8080),
    telCPName: Type.String({
      pattern: '^[^,]{1,64}$',
      description: 'The TelCPName the web application registers at every Telephony Server (CallManagement:1 2.6.2); name-2 … when taken.',
      errorMessage: 'must be 1–64 characters without a comma',
      default: 'hometel-web',
    }),
  },
  'The web application: the web UI, the HTTP API and /metrics, behind a login.',
);

const numberPlan = object(
  {
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 country of the home\'s lines (numbers without a country code are in it).', errorMessage: 'must be a two-letter country code, e.g. DE', default: 'DE' }),
    areaCode: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}$', description: 'The area code of the home\'s lines without the trunk prefix (030 → 30): numbers dialled without one are in it.', errorMessage: 'must be digits without the trunk prefix, e.g. 30' })),
  },
  'How telephone numbers are read: the same number written 030 1234567, +49 30 1234567 or 0049301234567 matches one contact.',
);

const callMonitor = object(
  {
    interface: text('The interface (name or IPv4 address) the feed listens on; default this machine only.', { default: 'lo' }),
    port: listenPort('TCP port of the feed (a FRITZ!Box uses 1012)', 1012),
  },
  'A call-monitor feed in the FRITZ!Box format (RING, CALL, CONNECT, DISCONNECT lines over TCP) for existing call-monitor clients such as Home Assistant\'s.',
);

const voicemail = object(
  {
    enabled: Type.Boolean({ description: 'Calls sent to voicemail leave a message; false: such a Call is rejected.', default: true }),
    dir: Type.Optional(text('Where the messages\' WAV files and uploaded greetings live; default: `<dataDir>/voicemail`.')),
    maxMessagesPerLine: Type.Integer({ minimum: 1, description: 'Messages kept per line; beyond, callers hear "mailbox full".', default: 100 }),
    maxSecondsPerMessage: Type.Integer({ minimum: 1, maximum: 3600, description: 'The longest message; the recording ends (and the Call) when reached.', default: 120 }),
    silenceSeconds: Type.Number({ minimum: 1, maximum: 60, description: 'Silence that ends a message (and the Call).', default: 5 }),
    maxDiskMiB: Type.Number({ exclusiveMinimum: 0, description: 'Disk space all messages may take, in MiB; beyond, callers hear "mailbox full".', default: 200 }),
    greetings: Type.Optional(Type.Record(Type.String(), text('A WAV file (16-bit PCM or G.711).'), { description: 'A greeting file per line name; a greeting uploaded in the web UI or API replaces it. Default: hometel\'s chime.' })),
  },
  'Voicemail: a Call sent to voicemail hears the line\'s greeting and a beep, and what the caller says is kept as a message (WAV file and a row in the store).',
);

/** What the home does with a Call by itself (seed 004 2.2 3 v: "Accept", "Reject", "Forward", or "Forward to VMS"). */
const handlingAction = (description: string) =>
  Type.Union(
  [
    object({ kind: Type.Literal('accept', { description: 'Answer.' }), tc: Type.Optional(text('The Telephony Client that takes the Call (friendly name or UDN); without it the Telephony Server answers with its own media.')) }, 'Answer the Call.'),
    object(
      { kind: Type.Literal('reject', { description: 'Reject.' }), status: Type.Optional(Type.Union([Type.Literal(486), Type.Literal(603), Type.Literal(403), Type.Literal(480)], { description: 'The SIP answer: 486 Busy Here, 603 Decline (default), 403 Forbidden, 480 Temporarily Unavailable.' })) },
      'Reject the Call.',
    ),
    object({ kind: Type.Literal('forward', { description: 'Forward.' }), target: text('A phone number (as the number plan reads it) or a sip:/tel: URI.') }, 'Forward the Call to another number.'),
    object({ kind: Type.Literal('voicemail', { description: 'Voicemail.' }) }, 'Send the Call to voicemail.'),
  ],
    { description: `${description} {"kind":"accept","tc"?}, {"kind":"reject","status"?}, {"kind":"forward","target"} or {"kind":"voicemail"}.` },
  );

const callHandling = object(
  {
    noResponse: withDefault(
      object(
        {
          seconds: Type.Integer({ minimum: 1, maximum: 600, description: 'Seconds an incoming Call rings the screens before the action applies.', default: 20 }),
          action: withDefault(handlingAction('What happens to the Call.'), { kind: 'voicemail' }),
        },
        'Call processing on no response (seed 004 2.2 3 v): what happens when no screen decides in time.',
      ),
      {},
    ),
    nobodyHome: withDefault(handlingAction('With no screen online (no TelCP subscribed, no web page open), this applies at once instead of ringing nobody.'), { kind: 'voicemail' }),
    activation: withDefault(oneOf(['auto', 'on', 'off'], 'How the home decides that a screen is online: auto (liveness), on (always ring the screens), off (always the nobody-home action). The first start uses this; a change from the web or the CLI is kept in the store.'), 'auto'),
  },
  'Incoming calls for the whole home (issue 13): the no-response and nobody-home actions and the activation.',
);

/** The phones' registrar (issue 14; RFC 3261 10): where it listens, its realm, what it accepts. */
const phoneRegistrar = object(
  {
    host: Type.Optional(text('The IPv4 address the registrar listens on and phones register with; default: the address of the first of `interfaces`.')),
    port: listenPort('SIP port of the registrar, UDP and TCP', 5060),
    transports: withDefault(transports, ['udp', 'tcp']),
    realm: text('The Digest realm. Passwords are stored as HA1 values of it: changing it makes every extension need `hometel phones passwd`.', { default: 'hometel' }),
    minExpires: Type.Integer({ minimum: 1, description: 'The shortest registration accepted (423 Interval Too Brief below it).', default: 60 }),
    maxExpires: Type.Integer({ minimum: 1, description: 'The longest registration granted; longer requests are shortened to it.', default: 3600 }),
    homeNetworks: Type.Array(Type.String({ pattern: '^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$', errorMessage: 'must be an IPv4 network, e.g. 192.168.0.0/16' }), {
      description: 'Networks a phone may register from and name in its Contact (IPv4 CIDR).',
      default: ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'],
    }),
    allowContactsOutside: Type.Boolean({ description: 'Accept a Contact outside `homeNetworks` (a phone away from home); false refuses it with 403.', default: false }),
    digestAlgorithms: Type.Array(oneOf(['SHA-256', 'MD5']), {
      minItems: 1,
      uniqueItems: true,
      description: 'The Digest algorithms challenges offer, most preferred first (RFC 8760). Phones that give up on a challenge they cannot answer (baresip 1.0 on SHA-256) need ["MD5"].',
      default: ['SHA-256', 'MD5'],
    }),
  },
  'hometel as the registrar of the home\'s phones.',
);

/** How phones call (issue 14): the dial plan of every extension. */
const outsideRules = {
  line: Type.Optional(text('The line outside numbers go out on (a `lines[].name`); default: the first line.')),
  outsidePrefix: Type.Optional(Type.String({ pattern: '^[0-9*#]{1,4}$', description: 'Digits an outside number starts with that are stripped before it goes out (a PBX\'s "0 for an outside line"); none by default.' })),
  addPrefix: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{1,8}$', description: 'Digits put in front of every outside number (after `outsidePrefix` is stripped).' })),
};

const dialPlan = object(
  {
    ...outsideRules,
    extensions: Type.Optional(
      Type.Record(Type.String({ pattern: '^[1-9][0-9]{1,5}$' }), object(outsideRules, 'This extension\'s own rules for outside numbers; what it leaves out is the home\'s.'), {
        description: 'A dial plan per extension (by its number): its own line and prefixes for outside numbers.',
        additionalProperties: false,
      }),
    ),
  },
  'The dial plan: an extension number rings that extension, a feature code runs it, a TelCPName or a Telephony Client\'s name calls inside the home, and anything else goes out on a line.',
);

const phones = object(
  {
    registrar: withDefault(phoneRegistrar, {}),
    dialPlan: withDefault(dialPlan, {}),
  },
  'The phones of the home (issue 14): hometel as their registrar; they ring with the screens and call out through the lines.',
);

/** Provisioning of the phones (issue 15, seed 002, RFC 6080): configuration files over HTTP and TFTP, plug and play, check-sync. */
const provisioning = object(
  {
    tftpPort: Type.Union([Type.Integer({ minimum: 0, maximum: 65535 }), Type.Literal(false)], {
      description: 'UDP port of the TFTP server (0: any free port; false: no TFTP). 69 needs privileges: see the README.',
      default: 6969,
    }),
    plugAndPlay: Type.Boolean({ description: 'Answer phones\' plug-and-play SUBSCRIBEs to 224.0.1.75 on the home interfaces (`interfaces`) with the provisioning URL.', default: true }),
    plugAndPlayPort: listenPort('UDP port of the plug-and-play multicast group 224.0.1.75', 5060),
    autoEnroll: Type.Union(
      [
        object(
          {
            first: Type.Integer({ minimum: 10, maximum: 999999, description: 'The lowest extension number auto-enrollment creates.' }),
            last: Type.Integer({ minimum: 10, maximum: 999999, description: 'The highest.' }),
          },
          'A new device is enrolled at once to a new extension: the lowest free number in this range, with a random password.',
        ),
        Type.Literal(false),
      ],
      { description: 'Auto-enrollment. false (the default): a new device waits, pending, until an administrator enrolls it.', default: false },
    ),
    timeZone: Type.Optional(text('The phones\' time zone (IANA name, e.g. Europe/Berlin); default: hometel\'s.')),
    templatesDir: Type.Optional(text('A directory of user templates that override the built-in ones (see docs/provisioning.md); default: <dataDir>/provisioning-templates.')),
    url: Type.Optional(text('The provisioning URL phones are told (plug and play, RFC 6080); default: http://<registrar host>:<web port>/provisioning/.')),
    checkSyncReboot: Type.Boolean({ description: 'check-sync NOTIFYs ask the phone to reboot (`;reboot=true`) rather than to reload quietly.', default: false }),
  },
  'Provisioning of the phones: needs `phones`; HTTP is served on the web port.',
);

export const configSchema = object(
  {
    name: text('Friendly name of the root device.', { default: 'hometel' }),
    interfaces: Type.Array(text('An interface name or IPv4 address.'), {
      minItems: 1,
      description: 'Interfaces (names or IPv4 addresses) hometel serves UPnP on; only these.',
      default: ['lo'],
    }),
    dataDir: text('Where the SQLite store lives.', { default: './data' }),
    httpPort: listenPort('HTTP port of the device host', 0),
    logLevel: withDefault(oneOf(['debug', 'info', 'warn', 'error', 'silent'], 'Log detail.'), 'info'),
    lines: Type.Array(line, { description: 'The phone lines.', default: [{ name: 'home', sip: { mode: 'direct', user: 'home' } }] }),
    clients: Type.Array(client, { description: 'The Telephony Clients hometel runs itself.', default: [{ name: 'tc', source: { tone: 440 } }] }),
    media: withDefault(media, {}),
    echo: Type.Union([echo, Type.Literal(false)], { description: `${echo.description} false: none.`, default: {} }),
    web: Type.Union([web, Type.Literal(false)], { description: `${web.description} false: none.`, default: {} }),
    numberPlan: withDefault(numberPlan, {}),
    voicemail: withDefault(voicemail, {}),
    callMonitor: Type.Union([callMonitor, Type.Literal(false)], { description: `${callMonitor.description} false (the default): none. It shows every caller's number to whoever connects.`, default: false }),
    callHandling: withDefault(callHandling, {}),
    phones: Type.Union([phones, Type.Literal(false)], { description: `${phones.description} false (the default): no registrar — its port, 5060, is also a line's default.`, default: false }),
    provisioning: Type.Union([provisioning, Type.Literal(false)], { description: `${provisioning.description} false (the default): none.`, default: false }),
  },
  'hometel\'s configuration.',
);

export type HometelConfig = Static<typeof configSchema>;
export type LineConfig = Static<typeof line>;
export type SipLineConfig = Static<typeof sipAccount>;
export type ClientConfig = Static<typeof client>;
export type MediaConfig = Static<typeof media>;
export type NativeMediaConfig = NonNullable<MediaConfig['native']>;
export type EchoConfig = Static<typeof echo>;
export type WebConfig = Static<typeof web>;
export type NumberPlanConfig = Static<typeof numberPlan>;
export type VoiceMailConfig = Static<typeof voicemail>;
export type CallHandlingConfig = Static<typeof callHandling>;
export type PortRange = Static<ReturnType<typeof rtpPortRange>>;
export type PhonesConfig = Static<typeof phones>;
export type PhoneRegistrarConfig = Static<typeof phoneRegistrar>;
export type DialPlanConfig = Static<typeof dialPlan>;
export type ProvisioningConfig = Static<typeof provisioning>;

/** The schema of the file: what configSchema requires but has a default may be left out. */
function optionalDefaults(schema: TSchema): TSchema {
  if (KindGuard.IsObject(schema)) {
    const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, p]) => [k, optionalDefaults(p)]));
    const required = (schema.required ?? []).filter((k) => !('default' in schema.properties[k]!) && !(derivedDefault in schema.properties[k]!));
    // No fields required: `required` undefined, which JSON leaves out.
    return { ...schema, properties, required: required.length ? required : undefined };
  }
  if (KindGuard.IsArray(schema)) return { ...schema, items: optionalDefaults(schema.items) };
  if (KindGuard.IsUnion(schema)) return { ...schema, anyOf: schema.anyOf.map(optionalDefaults) };
  return schema;
}

const fileRoot = optionalDefaults(configSchema) as typeof configSchema;

export const fileSchema: TObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://raw.githubusercontent.com/hometel/hometel/main/hometel.schema.json',
  title: 'hometel configuration',
  ...fileRoot,
  errorMessage: 'must be a JSON object',
  // Lets an editor find this schema: "$schema": "./hometel.schema.json" in hometel.json.
  properties: { $schema: Type.String({ description: 'The JSON Schema of this file, for editors: "./hometel.schema.json".' }), ...fileRoot.properties },
};

/** hometel.schema.json as `npm run schema` writes it (symbols such as TypeBox's Kind are not JSON and drop out). */
export function fileSchemaJson(): string {
  return `${JSON.stringify(fileSchema, null, 2)}\n`;
}
