// The page's live picture of the home, kept by the hub's event stream (/api/events): lines and clients, live
// calls, the incoming-call popups, notices, and this page's stream id (what "use this browser" is tied to).
import { useEffect, useState } from 'preact/hooks';
import { api, type Call, type Home } from './api.js';

export interface Incoming {
  readonly call: Call;
  /** Set once someone answered: the popup says who, then closes. */
  answeredBy?: string;
  /** Who decided otherwise (forward, voicemail, reject: issue 13), as "by (action)". */
  decidedBy?: string;
}

export interface LiveState {
  home: Home;
  calls: Map<string, Call>;
  incoming: Map<string, Incoming>;
  notices: Array<{ id: number; text: string }>;
  stream?: string;
  connected: boolean;
  /** The home's voicemail: unread and all messages (none when the hub has no voicemail). */
  voicemail: { unread: number; total: number };
}

type Listener = (s: LiveState) => void;
export type WebRtcEvent = { type: 'webrtc-offer'; client: string; session: string; sdp: string } | { type: 'webrtc-close'; client: string; session: string };

const keyOf = (c: Pick<Call, 'line' | 'callID'>): string => `${c.line} ${c.callID}`;

class Live {
  state: LiveState = { home: { lines: [], clients: [] }, calls: new Map(), incoming: new Map(), notices: [], connected: false, voicemail: { unread: 0, total: 0 } };
  private readonly listeners = new Set<Listener>();
  private source: EventSource | undefined;
  private noticeId = 1;
  /** Events received so far: a reload that saw one arrive meanwhile may carry an older picture than the event. */
  private received = 0;
  /** The browser phone handles WebRTC signalling for this page. */
  onWebRtc: (e: WebRtcEvent) => void = () => {};

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  connect(): void {
    if (this.source) return;
    const source = new EventSource('/api/events');
    this.source = source;
    const on = <T>(type: string, f: (data: T) => void): void =>
      source.addEventListener(type, (m: MessageEvent<string>) => {
        this.received++;
        f(JSON.parse(m.data) as T);
        this.changed();
      });
    on<{ stream: string }>('hello', (d) => {
      this.state.stream = d.stream;
      this.state.connected = true;
      void this.reload();
    });
    on<{ home: Home }>('home', (d) => (this.state.home = d.home));
    on<{ call: Call }>('call', (d) => this.callChanged(d.call));
    on<{ call: Call }>('incoming', (d) => {
      if (d.call.status === 'Ringing') this.state.incoming.set(keyOf(d.call), { call: d.call });
    });
    on<{ call: Call; by?: { label: string } }>('answered', (d) => this.answered(d.call, d.by?.label ?? 'another control point'));
    // Call handling (issue 13): who decided about a ringing call, told on every screen.
    on<{ callID: string; by: string; action: string }>('decided', (d) => {
      for (const popup of this.state.incoming.values()) if (popup.call.callID === d.callID) popup.decidedBy ??= `${d.by} (${d.action})`;
    });
    on<{ call: Call }>('ended', (d) => {
      this.state.calls.delete(keyOf(d.call));
      this.state.incoming.delete(keyOf(d.call));
    });
    on<{ ok: boolean; error?: string }>('operation', (d) => {
      if (!d.ok) this.notice(`Failed: ${d.error ?? 'unknown error'}`);
    });
    on<{ unread: number; total: number }>('voicemail', (d) => (this.state.voicemail = { unread: d.unread, total: d.total }));
    on<WebRtcEvent>('webrtc-offer', (d) => this.onWebRtc(d));
    on<WebRtcEvent>('webrtc-close', (d) => this.onWebRtc(d));
    source.onerror = () => {
      // EventSource reconnects by itself; the new stream sends hello again (and a new stream id).
      this.state.connected = false;
      this.state.stream = undefined;
      this.changed();
    };
  }

  disconnect(): void {
    this.source?.close();
    this.source = undefined;
    this.state.connected = false;
  }

  /**
   * Fetches the whole picture again. An event that arrives while the answers are under way may be newer than they
   * are (a client that came meanwhile): the picture is then fetched again, and never taken over the event's.
   */
  async reload(): Promise<void> {
    let home: Home;
    let calls: Call[];
    for (let attempt = 0; ; attempt++) {
      const before = this.received;
      [home, calls] = await Promise.all([api.home(), api.calls()]);
      if (this.received === before) break;
      if (attempt === 3) return;
    }
    this.state.home = home;
    this.state.calls = new Map(calls.map((c) => [keyOf(c), c]));
    for (const c of calls) if (c.status === 'Ringing' && !this.state.incoming.has(keyOf(c))) this.state.incoming.set(keyOf(c), { call: c });
    const vm = await api.voicemail().catch(() => undefined);
    if (vm) this.state.voicemail = { unread: vm.unread, total: vm.total };
    this.changed();
  }

  notice(text: string): void {
    const id = this.noticeId++;
    this.state.notices = [...this.state.notices, { id, text }];
    this.changed();
    setTimeout(() => {
      this.state.notices = this.state.notices.filter((n) => n.id !== id);
      this.changed();
    }, 6000);
  }

  dismiss(c: Call): void {
    this.state.incoming.delete(keyOf(c));
    this.changed();
  }

  private callChanged(c: Call): void {
    if (c.ended) this.state.calls.delete(keyOf(c));
    else this.state.calls.set(keyOf(c), c);
    const popup = this.state.incoming.get(keyOf(c));
    if (popup && c.ended) this.state.incoming.delete(keyOf(c));
  }

  private answered(c: Call, by: string): void {
    this.callChanged(c);
    const popup = this.state.incoming.get(keyOf(c));
    if (!popup) return;
    popup.answeredBy = by;
    this.notice(`Call from ${c.remote?.name ?? c.remote?.id ?? 'unknown'} answered by ${by}`);
    setTimeout(() => this.dismiss(c), 3000);
  }

  private changed(): void {
    const snapshot = { ...this.state };
    for (const l of this.listeners) l(snapshot);
  }
}

export const live = new Live();

export function useLive(): LiveState {
  const [s, set] = useState(live.state);
  useEffect(() => live.subscribe(set), []);
  return s;
}

/** A client's name for people (a browser's own name, a TC's friendly name, else its UDN). */
export function clientName(home: Home, udn: string): string {
  return home.clients.find((c) => c.udn === udn)?.friendlyName ?? udn;
}

export function lineName(home: Home, udn: string): string {
  return home.lines.find((l) => l.udn === udn)?.friendlyName ?? udn;
}

/** Runs an action of the page; a failure becomes a notice. Resolves whether it succeeded. */
export async function attempt(f: () => Promise<unknown>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    live.notice(e instanceof Error ? e.message : String(e));
    return false;
  }
}

/** A button's action: `busy` while it runs (so it cannot be clicked twice), failures as notices. */
export function useAction(): { busy: boolean; run: (f: () => Promise<unknown>) => Promise<boolean> } {
  const [busy, setBusy] = useState(false);
  return {
    busy,
    run: async (f) => {
      setBusy(true);
      const ok = await attempt(f);
      setBusy(false);
      return ok;
    },
  };
}
