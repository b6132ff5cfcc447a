/**
 * Voicemail from a phone (issue 14, acceptance 7's menu): the count, then unread messages newest first; 5 again,
 * 6 next, 4 previous, 7 delete, 9 save (read for the whole home), # leave; the mailbox's state changes through the
 * service only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MailboxMenu, type Mailbox, type MenuPrompt, type VoiceMessage } from '../../src/voicemail/index.js';

const message = (id: string, receivedAt: number, read = false): VoiceMessage => ({
  id, line: 'home', callID: `c-${id}`, callerNumber: '0301234567', receivedAt, durationMs: 5000, bytes: 80_000, file: `${id}.wav`, read,
});

class MemoryMailbox implements Mailbox {
  constructor(public messages: VoiceMessage[]) {}
  list(): VoiceMessage[] {
    return [...this.messages];
  }
  markRead(id: string, read: boolean): VoiceMessage {
    const i = this.messages.findIndex((m) => m.id === id);
    this.messages[i] = { ...this.messages[i]!, read };
    return this.messages[i];
  }
  delete(id: string): void {
    this.messages = this.messages.filter((m) => m.id !== id);
  }
}

const idOf = (p: MenuPrompt | undefined): string => (p?.kind === 'message' ? p.message.id : p?.kind === 'signal' ? p.signal : String(p?.kind));

test('the count plays first, then the unread messages newest first, then the read ones', () => {
  const box = new MemoryMailbox([message('old-read', 1, true), message('a', 2), message('b', 3)]);
  const menu = new MailboxMenu(box);
  const first = menu.start();
  assert.deepEqual(first, { kind: 'signal', signal: 'count', count: 3 });
  const played = menu.played(first);
  assert.equal(idOf(played), 'b');
  assert.deepEqual(played?.kind === 'message' && [played.position, played.of], [1, 3]);
  assert.equal(menu.played(played!), undefined, 'after a message the menu waits for a key');
  assert.equal(idOf(menu.key('6')), 'a');
  assert.equal(idOf(menu.key('6')), 'old-read');
  assert.equal(idOf(menu.key('6')), 'no-more');
  assert.equal(idOf(menu.key('4')), 'a');
  assert.equal(idOf(menu.key('5')), 'a', '5 plays the message again');
});

test('9 saves (marks read through the mailbox), 7 deletes and goes on with the next, # leaves, other keys are refused', () => {
  const box = new MemoryMailbox([message('a', 2), message('b', 3)]);
  const menu = new MailboxMenu(box);
  menu.played(menu.start());
  assert.equal(idOf(menu.key('9')), 'saved');
  assert.equal(box.messages.find((m) => m.id === 'b')?.read, true);
  const deleted = menu.key('7');
  assert.equal(idOf(deleted), 'deleted');
  assert.deepEqual(box.messages.map((m) => m.id), ['a']);
  assert.equal(idOf(menu.played(deleted)), 'a', 'after a delete the next message plays');
  assert.equal(idOf(menu.key('7')), 'deleted');
  assert.equal(idOf(menu.played({ kind: 'signal', signal: 'deleted' })), 'no-messages');
  assert.equal(idOf(menu.key('1')), 'unknown-key');
  assert.deepEqual(menu.key('#'), { kind: 'end' });
});

test('an empty mailbox says so and ends', () => {
  const menu = new MailboxMenu(new MemoryMailbox([]));
  const first = menu.start();
  assert.equal(idOf(first), 'no-messages');
  assert.deepEqual(menu.played(first), { kind: 'end' });
});
