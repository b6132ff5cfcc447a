/**
 * Test doubles for the phones' lamps and presence: an in-memory PhoneDirectory (extensions and bindings set by the
 * test), a RequestAuthenticator that takes the From user of a request when it is one of the given extensions, and
 * hand-driven DND and message-waiting sources.
 */
import type { Binding, DndSource, ExtensionView, MessageSummary, MessageWaitingSource, PhoneDirectory, PhonesEvent } from '../../src/phones/index.js';
import { fromAddr, responseTo, type ServerTransaction } from '../../src/sip/index.js';
import type { RequestAuthenticator } from '../../src/sip/pbx/index.js';

export class MemoryDirectory implements PhoneDirectory {
  private readonly exts = new Map<string, { displayName?: string; user?: string }>();
  private readonly binds = new Map<string, Binding[]>();
  private readonly listeners = new Set<(e: PhonesEvent) => void>();

  add(number: string, opts: { displayName?: string; user?: string } = {}): void {
    this.exts.set(number, opts);
    this.emit({ type: 'extension-added', number });
  }
  remove(number: string): void {
    this.exts.delete(number);
    this.binds.delete(number);
    this.emit({ type: 'extension-removed', number });
  }
  setBindings(number: string, bindings: Binding[]): void {
    this.binds.set(number, bindings);
    this.emit({ type: 'registrations', number, count: bindings.length });
  }
  extension(number: string): ExtensionView | undefined {
    const e = this.exts.get(number);
    return e ? { number, ...e, registrations: this.bindings(number).length } : undefined;
  }
  extensions(): ExtensionView[] {
    return [...this.exts.keys()].map((n) => this.extension(n)!);
  }
  bindings(number: string): Binding[] {
    return this.binds.get(number) ?? [];
  }
  credentials(): undefined {
    return undefined;
  }
  onChange(listener: (e: PhonesEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private emit(e: PhonesEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}

/** A binding of `extension` for a device at 127.0.0.1:`port` over UDP. */
export function binding(extension: string, port: number, now = 0): Binding {
  return {
    extension,
    contact: `sip:${extension}@127.0.0.1:${port}`,
    expiresAt: now + 3_600_000,
    callId: `reg-${extension}-${port}`,
    cseq: 1,
    source: { transport: 'udp', address: '127.0.0.1', port },
    registeredAt: now,
  };
}

/** Takes the From user when it is one of `extensions`; otherwise answers 403 itself (as the port says). */
export class FakeAuthenticator implements RequestAuthenticator {
  readonly asked: string[] = [];
  constructor(private readonly extensions: readonly string[]) {}
  authenticate(tx: ServerTransaction): string | undefined {
    const uri = fromAddr(tx.request)?.uri;
    const user = uri?.kind === 'sip' ? uri.user : undefined;
    this.asked.push(user ?? '');
    if (user !== undefined && this.extensions.includes(user)) return user;
    tx.respond(responseTo(tx.request, 403, undefined, [], { toTag: true }));
    return undefined;
  }
}

export class ManualDnd implements DndSource {
  on = false;
  private readonly listeners = new Set<() => void>();
  set(on: boolean): void {
    this.on = on;
    for (const l of [...this.listeners]) l();
  }
  dnd(): boolean {
    return this.on;
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class ManualMessages implements MessageWaitingSource {
  private now: MessageSummary = { newMessages: 0, oldMessages: 0 };
  private readonly listeners = new Set<() => void>();
  set(newMessages: number, oldMessages: number): void {
    this.now = { newMessages, oldMessages };
    for (const l of [...this.listeners]) l();
  }
  summary(): MessageSummary {
    return this.now;
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
