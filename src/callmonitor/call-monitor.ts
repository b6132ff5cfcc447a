/**
 * A call-monitor feed in the FRITZ!Box format (issue 13, "Compatibility"), so that existing call-monitor clients —
 * Home Assistant's FRITZ!Box call monitor among them — show hometel's calls. A client connects over TCP (the box
 * uses port 1012) and reads one line per event, `;`-separated and `;`-terminated:
 *
 *   07.12.26 18:03:41;RING;0;0301234567;home;home;            an incoming call: connection, caller, called, line
 *   07.12.26 18:03:41;CALL;1;0;home;0301234567;home;          an outgoing call: connection, extension, caller, called, line
 *   07.12.26 18:03:45;CONNECT;0;0;0301234567;                 answered: connection, extension, the other party
 *   07.12.26 18:04:10;DISCONNECT;0;25;                         ended: connection, seconds talked
 *
 * The connection number is the smallest one free while the call lasts, as the box numbers its calls. hometel has no
 * extensions: the extension is always 0. Numbers are written as the line reports them, a SIP URI's user part when
 * it is one. The feed only writes: whatever a client sends is ignored.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../base/index.js';

/** A Call as the feed needs it (the Telephony Server's Call has this shape). */
export interface MonitoredCall {
  readonly callID: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly status: string;
  readonly remoteParty: { readonly id: string };
  readonly connectedAt?: number;
  readonly endedAt?: number;
}

/** A line whose Calls the feed follows (the Telephony Server's CallManagement service is one). */
export interface MonitoredLine {
  readonly name: string;
  /** The line's own number or address (its SIP identity), when it has one. */
  readonly identity: () => string | undefined;
  onCallChange(listener: (call: MonitoredCall, from: string | undefined) => void): void;
}

export interface CallMonitorOptions {
  readonly host: string;
  readonly port: number;
  readonly lines: readonly MonitoredLine[];
  readonly logger: Logger;
  /** The time of an event (tests fix it); default now. */
  readonly now?: () => Date;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** The statuses before an answer: Connected from one of them is the CONNECT (not a return after a modification). */
const unanswered = new Set(['Dialing', 'Calling', 'Ringing']);

/** The box's time stamp: dd.mm.yy HH:MM:SS, local time. */
export function monitorTime(d: Date): string {
  return `${two(d.getDate())}.${two(d.getMonth() + 1)}.${two(d.getFullYear() % 100)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** A number as call-monitor clients expect it: a SIP or tel URI's user part, without parameters; `;` never. */
export function monitorNumber(address: string | undefined): string {
  if (!address) return '';
  const m = /^(?:sips?|tel):([^@;?]*)/i.exec(address.trim());
  const number = m ? decodeURIComponent(m[1]!) : address.trim();
  return number.replace(/[;\r\n]/g, '');
}

export class CallMonitor {
  private readonly clients = new Set<Socket>();
  private readonly connections = new Map<string, number>();
  private server: Server | undefined;

  constructor(private readonly o: CallMonitorOptions) {
    for (const line of o.lines) line.onCallChange((call, from) => this.changed(line, call, from));
  }

  /** Listens; resolves with the port (useful when 0 asked for a free one). */
  async start(): Promise<number> {
    const server = createServer((socket) => this.connected(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as { port: number }).port;
    this.o.logger.info('call monitor listening', { host: this.o.host, port });
    return port;
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.destroy();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connected(socket: Socket): void {
    this.clients.add(socket);
    this.o.logger.info('call monitor client connected', { from: socket.remoteAddress });
    socket.on('data', () => undefined);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.clients.delete(socket));
  }

  private changed(line: MonitoredLine, call: MonitoredCall, from: string | undefined): void {
    const own = monitorNumber(line.identity()) || line.name;
    const other = monitorNumber(call.remoteParty.id);
    if (from === undefined) {
      const id = this.open(call.callID);
      if (call.direction === 'incoming') this.send(['RING', id, other, own, line.name]);
      else this.send(['CALL', id, 0, own, other, line.name]);
      return;
    }
    const id = this.connections.get(call.callID);
    if (id === undefined) return;
    if (call.status === 'Connected' && unanswered.has(from)) this.send(['CONNECT', id, 0, other]);
    if (call.status === 'Disconnected') {
      const seconds = call.connectedAt !== undefined ? Math.round(((call.endedAt ?? Date.now()) - call.connectedAt) / 1000) : 0;
      this.send(['DISCONNECT', id, seconds]);
      this.connections.delete(call.callID);
    }
  }

  private open(callID: string): number {
    const used = new Set(this.connections.values());
    let id = 0;
    while (used.has(id)) id++;
    this.connections.set(callID, id);
    return id;
  }

  private send(fields: Array<string | number>): void {
    const line = `${monitorTime(this.o.now?.() ?? new Date())};${fields.join(';')};\r\n`;
    for (const c of this.clients) c.write(line);
  }
}
