import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { silentLogger } from '../../src/base/logger.js';
import { DialogBook, PresenceService, presenceOf, type PresenceEvent } from '../../src/phones/index.js';
import { dialogInfoBody, messageSummaryBody, pidfBody, xmlText } from '../../src/sip/pbx/index.js';
import { binding, ManualDnd, MemoryDirectory } from '../support/phone-fakes.js';

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');

describe('event bodies', () => {
  it('RFC 3842 5.2: a message summary as in the RFC example (without the optional urgent counts)', () => {
    // The RFC's example: Messages-Waiting: yes / Message-Account: sip:alice@vmail.example.com / Voice-Message: 2/8 (0/2)
    const body = messageSummaryBody({ newMessages: 2, oldMessages: 8 }, 'sip:alice@vmail.example.com');
    assert.equal(body, 'Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\nVoice-Message: 2/8\r\n');
    assert.match(messageSummaryBody({ newMessages: 0, oldMessages: 3 }, 'sip:21@home'), /^Messages-Waiting: no\r\n/);
    // No CR/LF in the account can add a line.
    assert.equal(messageSummaryBody({ newMessages: 0, oldMessages: 0 }, 'sip:a@b\r\nMessages-Waiting: yes').split('\r\n').filter((l) => l.startsWith('Messages-Waiting')).length, 1);
  });

  it('RFC 4235 4.1: dialog-info, full state, the version given, dialog elements with state, direction, identities; idle has none', () => {
    const idle = parse(dialogInfoBody('sip:21@home', 0, []));
    const root = idle.documentElement!;
    assert.equal(root.namespaceURI, 'urn:ietf:params:xml:ns:dialog-info');
    assert.equal(root.getAttribute('version'), '0');
    assert.equal(root.getAttribute('state'), 'full');
    assert.equal(root.getAttribute('entity'), 'sip:21@home');
    assert.equal(root.getElementsByTagName('dialog').length, 0);
    const doc = parse(dialogInfoBody('sip:21@home', 3, [{ id: 'c1', direction: 'recipient', state: 'early', remote: { identity: 'sip:+4930123@example.com', displayName: 'Bob & <Co>' } }]));
    const d = doc.getElementsByTagName('dialog')[0]!;
    assert.equal(doc.documentElement!.getAttribute('version'), '3');
    assert.equal(d.getAttribute('id'), 'c1');
    assert.equal(d.getAttribute('direction'), 'recipient');
    assert.equal(d.getElementsByTagName('state')[0]!.textContent, 'early');
    const remote = d.getElementsByTagName('remote')[0]!.getElementsByTagName('identity')[0]!;
    assert.equal(remote.textContent, 'sip:+4930123@example.com');
    assert.equal(remote.getAttribute('display'), 'Bob & <Co>');
    assert.equal(d.getElementsByTagName('local')[0]!.getElementsByTagName('identity')[0]!.textContent, 'sip:21@home');
  });

  it('RFC 3863 4.1: PIDF with basic open/closed, a note, and the RPID activity (RFC 4480) for a call and DND', () => {
    const open = parse(pidfBody('sip:21@home', 'available'));
    assert.equal(open.documentElement!.namespaceURI, 'urn:ietf:params:xml:ns:pidf');
    assert.equal(open.documentElement!.getAttribute('entity'), 'sip:21@home');
    assert.equal(open.getElementsByTagName('basic')[0]!.textContent, 'open');
    assert.equal(parse(pidfBody('sip:21@home', 'offline')).getElementsByTagName('basic')[0]!.textContent, 'closed');
    const busy = parse(pidfBody('sip:21@home', 'on-the-phone'));
    assert.equal(busy.getElementsByTagNameNS('urn:ietf:params:xml:ns:pidf:rpid', 'on-the-phone').length, 1);
    assert.equal(busy.getElementsByTagName('note')[0]!.textContent, 'On the phone');
    assert.equal(parse(pidfBody('sip:21@home', 'dnd')).getElementsByTagNameNS('urn:ietf:params:xml:ns:pidf:rpid', 'busy').length, 1);
  });

  it('escapes every markup character and replaces characters XML 1.0 forbids (no entity can be injected)', () => {
    assert.equal(xmlText(`<a href="x">'&'</a>\u0001`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\ufffd');
    const doc = parse(dialogInfoBody('sip:21@home', 0, [{ id: '"><!ENTITY x "y">', direction: 'initiator', state: 'confirmed', remote: { identity: '&x;' } }]));
    assert.equal(doc.getElementsByTagName('dialog')[0]!.getAttribute('id'), '"><!ENTITY x "y">');
    assert.equal(doc.getElementsByTagName('remote')[0]!.textContent, '&x;');
  });
});

describe('presence', () => {
  it('offline without a binding; available registered; ringing when early; on the phone when confirmed; DND when idle with DND on', () => {
    assert.equal(presenceOf(0, [{ id: 'a', direction: 'recipient', state: 'confirmed' }], true), 'offline');
    assert.equal(presenceOf(1, [], false), 'available');
    assert.equal(presenceOf(1, [{ id: 'a', direction: 'recipient', state: 'early' }], true), 'ringing');
    assert.equal(presenceOf(1, [{ id: 'a', direction: 'initiator', state: 'confirmed' }], true), 'on-the-phone');
    assert.equal(presenceOf(2, [], true), 'dnd');
  });

  it('follows registrations, dialogs and DND, per extension and per user, and tells only changes', () => {
    const directory = new MemoryDirectory();
    directory.add('21', { user: 'anna' });
    directory.add('22', { user: 'anna' });
    directory.add('23');
    const dialogs = new DialogBook();
    const dnd = new ManualDnd();
    const presence = new PresenceService({ directory, dialogs, dnd, logger: silentLogger });
    const events: PresenceEvent[] = [];
    presence.onChange((e) => events.push(e));
    assert.equal(presence.extension('21')!.state, 'offline');
    assert.equal(presence.user('anna')!.state, 'offline');
    directory.setBindings('21', [binding('21', 5070)]);
    assert.deepEqual(events, [{ type: 'extension', number: '21', state: 'available' }, { type: 'user', user: 'anna', state: 'available' }]);
    events.length = 0;
    dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'early' });
    dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'early' });
    assert.equal(presence.extension('21')!.state, 'ringing');
    dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'confirmed' });
    assert.equal(presence.user('anna')!.state, 'on-the-phone');
    dialogs.report('21', { id: 'c1', direction: 'recipient', state: 'terminated' });
    assert.deepEqual(dialogs.dialogs('21'), []);
    dnd.set(true);
    assert.equal(presence.extension('21')!.state, 'dnd');
    assert.equal(presence.extension('23')!.state, 'offline', 'DND does not bring an unregistered extension online');
    assert.deepEqual(
      events.filter((e) => e.type === 'extension').map((e) => e.state),
      ['ringing', 'on-the-phone', 'available', 'dnd'],
    );
    assert.deepEqual(presence.snapshot().users, [{ user: 'anna', state: 'dnd', extensions: ['21', '22'] }]);
    directory.setBindings('21', []);
    assert.equal(presence.user('anna')!.state, 'offline');
    presence.close();
  });
});
