/**
 * The home console: the application service behind every screen (issue 11). It is one Telephony Control Point
 * (the control point library, with a TelCPName of its own) that opens a session to every Telephony Server it
 * finds — hometel's or anyone's — and offers what a screen does: the lines, clients and control points online,
 * the live Calls, dial, answer on a Telephony Client, reject, hang up, add or remove a client, mixing, and the
 * call log. It emits one stream of events a screen follows.
 *
 * Placing and answering a Call take as long as the Remote Party does (the flows resolve at Talking), so they run
 * as operations: started at once, their end evented (`operation`), never holding an HTTP request open.
 */
import { EventEmitter } from 'node:events';
import { errorMessage, HometelError, type Clock, type Logger } from '../base/index.js';
import { TelephonyError, type CallView, type TelephonyClient, type TelephonyControlPoint, type TelephonyServer, type TsSession } from '../telephony/control/index.js';
import { liveCallOf, logEntryOf, searchLog, type ClientView, type HomeView, type LineView, type LiveCall, type LogEntry } from './views.js';

export interface HomeConsoleOptions {
  readonly telcp: TelephonyControlPoint;
  /** The TelCPName this console registers at every line (2.6.2); name-2 … when taken. */
  readonly telCPName: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Who answered a Call: the label a screen gave (a person, a browser), or another control point. */
export interface AnsweredBy {
  readonly label: string;
  /** The Telephony Client that took the Call's media. */
  readonly client?: string;
}

export type ConsoleEvent =
  | { readonly type: 'home'; readonly home: HomeView }
  | { readonly type: 'call'; readonly call: LiveCall }
  | { readonly type: 'incoming'; readonly call: LiveCall }
  | { readonly type: 'answered'; readonly call: LiveCall; readonly by?: AnsweredBy }
  | { readonly type: 'ended'; readonly call: LiveCall }
  | { readonly type: 'operation'; readonly id: string; readonly ok: boolean; readonly error?: string; readonly call?: LiveCall };

export interface ConsoleEvents {
  event: [ConsoleEvent];
}

/** Why the console refused: no such line/Call/client, a bad argument, or the state (or the TS) does not allow it. */
export type ConsoleRefusal = 'not-found' | 'invalid' | 'conflict';

export class ConsoleError extends HometelError {
  readonly code: `console.${ConsoleRefusal}`;

  constructor(
    readonly refusal: ConsoleRefusal,
    message: string,
  ) {
    super(message);
    this.code = `console.${refusal}`;
    this.name = 'ConsoleError';
  }
}

interface LineState {
  readonly server: TelephonyServer;
  session?: TsSession;
  /** A session is being opened (server-added can come again meanwhile). */
  opening: boolean;
  identity?: string;
  controlPoints: readonly string[];
  /** When this console first saw each Call, for "ringing since". */
  readonly firstSeen: Map<string, number>;
}

export class HomeConsole extends EventEmitter<ConsoleEvents> {
  private readonly lines = new Map<string, LineState>();
  /** Answers this console gave, by line and Call, so the `answered` event can say who. */
  private readonly answeredBy = new Map<string, AnsweredBy>();
  private nextOperation = 1;
  private stopped = false;

  constructor(private readonly opts: HomeConsoleOptions) {
    super();
    this.setMaxListeners(0);
  }

  get telcp(): TelephonyControlPoint {
    return this.opts.telcp;
  }

  async start(): Promise<void> {
    const { telcp } = this.opts;
    telcp.on('server-added', (ts) => void this.attach(ts));
    telcp.on('server-removed', () => this.homeChanged());
    telcp.on('client-added', () => this.homeChanged());
    telcp.on('client-removed', () => this.homeChanged());
    await telcp.start();
    for (const ts of telcp.servers()) void this.attach(ts);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // The control point closes every session it opened (each unregisters its TelCPName).
    await this.opts.telcp.stop();
  }

  home(): HomeView {
    const lines: LineView[] = [...this.lines.values()].map((l) => ({
      udn: l.server.udn,
      friendlyName: l.server.friendlyName,
      ...(l.identity ? { identity: l.identity } : {}),
      online: l.server.available,
      controlPoints: [...l.controlPoints],
      ...(l.session?.telCPName ? { telCPName: l.session.telCPName } : {}),
    }));
    const clients: ClientView[] = this.opts.telcp.clients().map((c) => ({ udn: c.udn, friendlyName: c.friendlyName, online: c.available }));
    return { lines, clients };
  }

  calls(): LiveCall[] {
    return [...this.lines.values()].flatMap((l) => (l.session?.calls() ?? []).filter((v) => !v.ended).map((v) => this.live(l, v)));
  }

  /** Places a Call on a line with the given Telephony Clients (or the TS's own media when none). */
  dial(lineUdn: string, callee: string, clients: readonly string[]): string {
    if (callee.trim() === '') throw new ConsoleError('invalid', 'a number or SIP URI to call is needed');
    const line = this.line(lineUdn);
    const session = this.session(line);
    const choice = this.clients(clients);
    return this.operation(line, async () => session.call(callee.trim(), choice.length > 0 ? { clients: choice } : { native: true }));
  }

  /** Answers a ringing Call on a Telephony Client; `by` is what the other screens are told. */
  answer(lineUdn: string, callID: string, client: string, by: AnsweredBy): string {
    const line = this.line(lineUdn);
    const session = this.session(line);
    this.ringing(session, callID);
    const choice = this.clients([client]);
    this.answeredBy.set(`${line.server.udn} ${callID}`, { ...by, client });
    return this.operation(line, async () => session.answer(callID, { clients: choice }));
  }

  async reject(lineUdn: string, callID: string): Promise<LiveCall> {
    const line = this.line(lineUdn);
    const session = this.session(line);
    this.ringing(session, callID);
    return this.live(line, await this.run(() => session.reject(callID)));
  }

  async hangup(lineUdn: string, callID: string): Promise<LiveCall> {
    const line = this.line(lineUdn);
    const session = this.session(line);
    this.known(session, callID);
    return this.live(line, await this.run(() => session.hangup(callID)));
  }

  /** Sets the Telephony Clients of a Call (adds and removes with ModifyCall, 3.1.3). */
  async setClients(lineUdn: string, callID: string, clients: readonly string[]): Promise<LiveCall> {
    const line = this.line(lineUdn);
    const session = this.session(line);
    this.known(session, callID);
    if (clients.length === 0) throw new ConsoleError('invalid', 'a Call needs at least one Telephony Client; hang up instead');
    const result = await this.run(() => session.modify(callID, { clients: this.clients(clients) }));
    if (!result.accepted) throw new ConsoleError('conflict', `the change was refused${result.reason ? `: ${result.reason}` : ''}`);
    return this.live(line, result.call);
  }

  /** Media mixing on or off for a Call (enableMediaMixing in ModifyCall, 2.3.1). */
  async setMixing(lineUdn: string, callID: string, enabled: boolean): Promise<LiveCall> {
    const line = this.line(lineUdn);
    const session = this.session(line);
    this.known(session, callID);
    const result = await this.run(() => session.modify(callID, { enableMediaMixing: enabled }));
    if (!result.accepted) throw new ConsoleError('conflict', `the change was refused${result.reason ? `: ${result.reason}` : ''}`);
    return this.live(line, result.call);
  }

  /** GetCallLogs of every line (or one), newest first, filtered by `query`. */
  async callLog(query = '', lineUdn?: string): Promise<LogEntry[]> {
    const lines = lineUdn !== undefined ? [this.line(lineUdn)] : [...this.lines.values()].filter((l) => l.session && l.server.available);
    const entries = await Promise.all(
      lines.map(async (l) => {
        const logs = await this.run(() => this.session(l).callLogs());
        return logs.map((e) => logEntryOf(l.server.udn, e));
      }),
    );
    return searchLog(entries.flat(), query);
  }

  // ------------------------------------------------------------------------------------------ sessions

  private async attach(ts: TelephonyServer): Promise<void> {
    if (this.stopped) return;
    const known = this.lines.get(ts.udn);
    if (known?.session || known?.opening) return this.homeChanged();
    const line: LineState = known ?? { server: ts, opening: true, controlPoints: [], firstSeen: new Map() };
    line.opening = true;
    this.lines.set(ts.udn, line);
    try {
      // openSession registers the TelCPName, subscribes and reads every Call before it resolves.
      const session = await this.opts.telcp.openSession(ts, { name: this.opts.telCPName });
      line.session = session;
      session.on('call', (c) => this.changed(line, c.view, c.previous));
      session.on('telcp-names', (names) => {
        line.controlPoints = names;
        this.homeChanged();
      });
      session.on('warning', (e) => this.opts.logger.warn('line session', { line: ts.udn, error: e.message }));
      line.controlPoints = session.telCPNames();
      line.identity = await session.telephonyIdentity().catch(() => undefined);
    } catch (e) {
      this.opts.logger.warn('cannot follow a telephony server', { line: ts.udn, error: errorMessage(e) });
      await line.session?.close().catch(() => undefined);
      line.session = undefined;
    }
    line.opening = false;
    this.homeChanged();
  }

  private changed(line: LineState, v: CallView, previous: string | undefined): void {
    const call = this.live(line, v);
    this.emit('event', { type: 'call', call });
    if (previous === undefined && v.status === 'Ringing') this.emit('event', { type: 'incoming', call });
    if (previous === 'Ringing' && !v.ended && v.status !== 'Ringing') {
      const by = this.answeredBy.get(`${line.server.udn} ${v.callID}`);
      this.emit('event', { type: 'answered', call, ...(by ? { by } : {}) });
    }
    if (v.ended && previous !== undefined && previous !== 'Disconnected') {
      this.emit('event', { type: 'ended', call });
      line.firstSeen.delete(v.callID);
      this.answeredBy.delete(`${line.server.udn} ${v.callID}`);
    }
  }

  private live(line: LineState, v: CallView): LiveCall {
    let since = line.firstSeen.get(v.callID);
    if (since === undefined) {
      since = this.opts.clock.now();
      if (!v.ended) line.firstSeen.set(v.callID, since);
    }
    return liveCallOf(line.server.udn, v, since);
  }

  private homeChanged(): void {
    if (!this.stopped) this.emit('event', { type: 'home', home: this.home() });
  }

  // ------------------------------------------------------------------------------------------ checks

  private line(udn: string): LineState {
    const l = this.lines.get(udn);
    if (!l) throw new ConsoleError('not-found', `no line ${udn}`);
    return l;
  }

  private session(l: LineState): TsSession {
    if (!l.session || !l.server.available) throw new ConsoleError('conflict', `line ${l.server.friendlyName} is not reachable`);
    return l.session;
  }

  private known(session: TsSession, callID: string): CallView {
    const v = session.getCall(callID);
    if (!v || v.ended) throw new ConsoleError('not-found', `no live call ${callID}`);
    return v;
  }

  private ringing(session: TsSession, callID: string): void {
    if (this.known(session, callID).status !== 'Ringing') throw new ConsoleError('conflict', `call ${callID} is not ringing`);
  }

  private clients(udns: readonly string[]): TelephonyClient[] {
    return udns.map((u) => {
      const c = this.opts.telcp.client(u);
      if (!c || !c.available) throw new ConsoleError('not-found', `no Telephony Client ${u}`);
      return c;
    });
  }

  /** A failure of the spec's flows (a TelephonyError) as a ConsoleError: the TS (or a TC) refused. */
  private async run<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (e) {
      if (e instanceof TelephonyError) throw new ConsoleError('conflict', e.message);
      throw e;
    }
  }

  private operation(line: LineState, flow: () => Promise<CallView>): string {
    const id = `op-${this.nextOperation++}`;
    void flow().then(
      (v) => this.emit('event', { type: 'operation', id, ok: true, call: this.live(line, v) }),
      (e) => {
        this.opts.logger.info('operation failed', { id, error: errorMessage(e) });
        this.emit('event', { type: 'operation', id, ok: false, error: errorMessage(e) });
      },
    );
    return id;
  }
}
