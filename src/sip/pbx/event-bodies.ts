/**
 * The bodies of the NOTIFYs the phones' side sends (issue 14, lamps and presence):
 * - `application/simple-message-summary` (RFC 3842 5.2) for message-waiting lamps;
 * - `application/dialog-info+xml` (RFC 4235 4) for busy lamps;
 * - `application/pidf+xml` (RFC 3863 4) for presence, with an RPID activity (RFC 4480) where one says more.
 * Every text put into XML is escaped here (and characters XML 1.0 forbids are replaced), so no caller-supplied
 * name or URI can add markup.
 */
import type { MessageSummary, PhoneDialog, PresenceState } from '../../phones/index.js';

export const messageSummaryType = 'application/simple-message-summary';
export const dialogInfoType = 'application/dialog-info+xml';
export const pidfType = 'application/pidf+xml';

/** Text for XML content and attribute values: the five markup characters escaped, forbidden characters replaced. */
export function xmlText(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex -- the control characters XML 1.0 forbids are what it matches
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** One header line's value: no CR or LF can end it early. */
function lineValue(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

/**
 * RFC 3842 5.2: `Messages-Waiting` (yes when there is a new message), the account the summary is of, and
 * `Voice-Message: new/old` (the urgent counts in parentheses are optional; hometel has no urgent messages).
 */
export function messageSummaryBody(summary: MessageSummary, account: string): string {
  return [
    `Messages-Waiting: ${summary.newMessages > 0 ? 'yes' : 'no'}`,
    `Message-Account: ${lineValue(account)}`,
    `Voice-Message: ${summary.newMessages}/${summary.oldMessages}`,
    '',
  ].join('\r\n');
}

/**
 * RFC 4235 4.1: a full dialog-info document of `entity` with the subscription's `version` (4.1.1: counted up by one
 * for each NOTIFY of the subscription). No dialog element means the entity is idle.
 */
export function dialogInfoBody(entity: string, version: number, dialogs: readonly PhoneDialog[]): string {
  const items = dialogs.map((d) => {
    const remote = d.remote
      ? `<remote><identity${d.remote.displayName !== undefined ? ` display="${xmlText(d.remote.displayName)}"` : ''}>${xmlText(d.remote.identity)}</identity></remote>`
      : '';
    return (
      `  <dialog id="${xmlText(d.id)}" direction="${d.direction}">` +
      `<state>${d.state}</state><local><identity>${xmlText(entity)}</identity></local>${remote}</dialog>\n`
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" entity="${xmlText(entity)}">\n` +
    items.join('') +
    '</dialog-info>\n'
  );
}

/** Our reading of RFC 4480's activities for hometel's states: on a call is `on-the-phone`, DND is `busy`. */
const activityOf: Partial<Record<PresenceState, string>> = { 'on-the-phone': 'on-the-phone', dnd: 'busy' };
const noteOf: Record<PresenceState, string> = {
  available: 'Available',
  'on-the-phone': 'On the phone',
  ringing: 'Ringing',
  dnd: 'Do not disturb',
  offline: 'Offline',
};

/**
 * RFC 3863 4.1: a PIDF document of `entity` with one tuple — basic `open` when a device is registered, `closed`
 * when none is — and a note; the person element (RFC 4479 data model) carries the RPID activity (RFC 4480 3.2).
 */
export function pidfBody(entity: string, state: PresenceState): string {
  const activity = activityOf[state];
  const person = activity ? `  <dm:person id="p"><rpid:activities><rpid:${activity}/></rpid:activities></dm:person>\n` : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ' +
    `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${xmlText(entity)}">\n` +
    `  <tuple id="t"><status><basic>${state === 'offline' ? 'closed' : 'open'}</basic></status>` +
    `<contact>${xmlText(entity)}</contact><note>${noteOf[state]}</note></tuple>\n` +
    person +
    '</presence>\n'
  );
}
