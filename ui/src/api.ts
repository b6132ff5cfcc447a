// The web application's only way to the hub: the HTTP API (JSON, the session cookie sent automatically).
import type { CallBody, HomeBody, LogEntryBody, NewTokenAnswer, SessionStateBody, TokenInfoBody } from '../../src/web/schemas.js';
import type { CallRecordPageView } from '../../src/web/call-handling-schemas.js';
import type { ContactBody, ContactDraftBody, ContactListBody, ImportReportBody } from '../../src/web/contact-schemas.js';
import type { DndBody, DndChangeBody, RuleBody, RuleDraftBody, RuleListBody } from '../../src/web/rule-schemas.js';
import type { ExtensionBody, ExtensionListBody, NewExtensionBody, RegistrationBody, RegistrationListBody } from '../../src/web/phone-schemas.js';
import type { GreetingInfoBody, VoiceMailListBody, VoiceMessageBody } from '../../src/web/voicemail-schemas.js';
import type { PresenceListBody, PresenceStateBody } from '../../src/web/presence-schemas.js';
import type { DeviceChangeBody, DeviceListBody, DeviceSecretBody, DeviceView, FilePreviewListBody, NewDeviceBody } from '../../src/web/provisioning-schemas.js';

export type Home = HomeBody;
export type Call = CallBody;
export type LogEntry = LogEntryBody;
export type CallRecordPage = CallRecordPageView;
export type TokenInfo = TokenInfoBody;
export type NewToken = NewTokenAnswer;
export type SessionState = SessionStateBody;
export type Contact = ContactBody;
export type ContactDraft = ContactDraftBody;
export type ContactList = ContactListBody;
export type ImportReport = ImportReportBody;
export type ImportFormat = 'vcard' | 'fritzbox' | 'csv';
export type Rule = RuleBody;
export type RuleDraft = RuleDraftBody;
export type Dnd = DndBody;
export type DndChange = DndChangeBody;
export type VoiceMessage = VoiceMessageBody;
export type VoiceMailList = VoiceMailListBody;
export type GreetingInfo = GreetingInfoBody;
export type Extension = ExtensionBody;
export type NewExtension = NewExtensionBody;
export type Registration = RegistrationBody;
export type PresenceList = PresenceListBody;
export type PresenceState = PresenceStateBody;
export type Device = DeviceView;
export type DeviceSecret = DeviceSecretBody;
export type FilePreviews = FilePreviewListBody;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown, file?: Blob): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: file ? { 'content-type': 'application/octet-stream' } : body !== undefined ? { 'content-type': 'application/json' } : {},
    ...(file ? { body: file } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const data: unknown = text === '' ? undefined : JSON.parse(text);
  if (!res.ok) {
    const e = (data ?? {}) as { error?: string; message?: string };
    throw new ApiError(res.status, e.error ?? 'http', e.message ?? `${res.status} ${res.statusText}`);
  }
  return data as T;
}

const seg = encodeURIComponent;
const callPath = (c: Pick<Call, 'line' | 'callID'>, action: string): string => `/api/calls/${seg(c.line)}/${seg(c.callID)}/${action}`;

export const api = {
  session: () => request<SessionState>('GET', '/api/session'),
  setup: (token: string, password: string) => request<{ ok: boolean }>('POST', '/api/setup', { token, password }),
  login: (password: string) => request<{ ok: boolean }>('POST', '/api/login', { password }),
  logout: () => request<{ ok: boolean }>('POST', '/api/logout'),
  changePassword: (current: string, next: string) => request<{ ok: boolean }>('POST', '/api/password', { current, next }),
  tokens: () => request<TokenInfo[]>('GET', '/api/tokens'),
  createToken: (label: string) => request<NewToken>('POST', '/api/tokens', { label }),
  revokeToken: (id: string) => request<{ ok: boolean }>('DELETE', `/api/tokens/${seg(id)}`),
  home: () => request<Home>('GET', '/api/home'),
  calls: () => request<Call[]>('GET', '/api/calls'),
  dial: (line: string, callee: string, clients: string[]) => request<{ operation: string }>('POST', '/api/calls', { line, callee, clients }),
  answer: (c: Call, client: string, label: string) => request<{ operation: string }>('POST', callPath(c, 'answer'), { client, label }),
  reject: (c: Call) => request<Call>('POST', callPath(c, 'reject')),
  hangup: (c: Call) => request<Call>('POST', callPath(c, 'hangup')),
  setClients: (c: Call, clients: string[]) => request<Call>('PUT', callPath(c, 'clients'), { clients }),
  setMixing: (c: Call, enabled: boolean) => request<Call>('PUT', callPath(c, 'mixing'), { enabled }),
  forward: (c: Call, target: string, label: string) => request<null>('POST', `/api/calls/${seg(c.callID)}/forward`, { target, label }),
  sendToVoicemail: (c: Call, label: string) => request<null>('POST', `/api/calls/${seg(c.callID)}/voicemail`, { label }),
  ignore: (c: Call, label: string) => request<null>('POST', `/api/calls/${seg(c.callID)}/ignore`, { label }),
  callRecords: (q: string) => request<CallRecordPage>('GET', `/api/call-records?q=${seg(q)}&limit=100`),
  log: (q: string) => request<LogEntry[]>('GET', `/api/log?q=${seg(q)}`),
  contacts: (q: string, offset = 0) => request<ContactList>('GET', `/api/contacts?q=${seg(q)}&offset=${offset}&limit=100`),
  addContact: (d: ContactDraft) => request<Contact>('POST', '/api/contacts', d),
  updateContact: (id: string, d: ContactDraft) => request<Contact>('PUT', `/api/contacts/${seg(id)}`, d),
  removeContact: (id: string) => request<{ ok: boolean }>('DELETE', `/api/contacts/${seg(id)}`),
  importContacts: (format: ImportFormat, file: Blob) => request<ImportReport>('POST', `/api/contacts/import?format=${format}`, undefined, file),
  rules: () => request<RuleListBody>('GET', '/api/rules'),
  addRule: (d: RuleDraft) => request<Rule>('POST', '/api/rules', d),
  removeRule: (id: string) => request<{ ok: boolean }>('DELETE', `/api/rules/${seg(id)}`),
  dnd: () => request<Dnd>('GET', '/api/dnd'),
  setDnd: (change: DndChange) => request<Dnd>('PUT', '/api/dnd', change),
  voicemail: () => request<VoiceMailList>('GET', '/api/voicemail'),
  markVoiceMail: (id: string, read: boolean) => request<VoiceMessage>('PATCH', `/api/voicemail/${seg(id)}`, { read }),
  deleteVoiceMail: (id: string) => request<{ ok: boolean }>('DELETE', `/api/voicemail/${seg(id)}`),
  greetings: () => request<GreetingInfo[]>('GET', '/api/voicemail/greetings'),
  uploadGreeting: (line: string, file: Blob) => request<GreetingInfo>('PUT', `/api/voicemail/greetings/${seg(line)}`, undefined, file),
  greetingFromMessage: (line: string, id: string) => request<GreetingInfo>('POST', `/api/voicemail/greetings/${seg(line)}/from-message`, { id }),
  resetGreeting: (line: string) => request<GreetingInfo>('DELETE', `/api/voicemail/greetings/${seg(line)}`),
  phones: () => request<ExtensionListBody>('GET', '/api/phones'),
  addPhone: (e: NewExtension) => request<Extension>('POST', '/api/phones', e),
  removePhone: (number: string) => request<undefined>('DELETE', `/api/phones/${seg(number)}`),
  setPhonePassword: (number: string, password: string) => request<undefined>('PUT', `/api/phones/${seg(number)}/password`, { password }),
  phoneRegistrations: () => request<RegistrationListBody>('GET', '/api/phones/registrations'),
  presence: () => request<PresenceList>('GET', '/api/presence'),
  devices: () => request<DeviceListBody>('GET', '/api/provisioning/devices'),
  addDevice: (d: NewDeviceBody) => request<Device>('POST', '/api/provisioning/devices', d),
  changeDevice: (mac: string, change: DeviceChangeBody) => request<Device>('PATCH', `/api/provisioning/devices/${seg(mac)}`, change),
  removeDevice: (mac: string) => request<undefined>('DELETE', `/api/provisioning/devices/${seg(mac)}`),
  resyncDevice: (mac: string) => request<Device>('POST', `/api/provisioning/devices/${seg(mac)}/resync`),
  rotateDeviceSecret: (mac: string) => request<Device>('POST', `/api/provisioning/devices/${seg(mac)}/rotate-secret`),
  deviceFiles: (mac: string) => request<FilePreviews>('GET', `/api/provisioning/devices/${seg(mac)}/files`),
  deviceSecret: (mac: string) => request<DeviceSecret>('GET', `/api/provisioning/devices/${seg(mac)}/secret`),
  enableBrowser: (stream: string, friendlyName: string) => request<{ udn: string; friendlyName: string }>('POST', '/api/browser-clients', { stream, friendlyName }),
  disableBrowser: (udn: string) => request<{ ok: boolean }>('DELETE', `/api/browser-clients/${seg(udn)}`),
  webrtcAnswer: (udn: string, session: string, sdp: string) => request<{ ok: boolean }>('POST', `/api/browser-clients/${seg(udn)}/sessions/${seg(session)}/answer`, { sdp }),
};

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
