/**
 * Helpers for the SIP line's acceptance tests (test/integration/sip-sipp, sip-kamailio, sip-malformed): a
 * Telephony Server over a real SipLine with a TelCP subscribed to its CallInfo events, the TelCP actions those
 * tests invoke, and readers for what SIPp logged (SDP of the messages it received).
 */
import { readFile } from 'node:fs/promises';
import type { CallInfo } from '../../src/telephony/contracts/call-management/cams-types.js';
import { SipTransports, TcpTransport, UdpTransport } from '../../src/sip/transport/index.js';
import type { UaTransport } from '../../src/sip/user-agent/options.js';
import { waitFor } from './net.js';
import type { SippLoggedMessage, SippResult } from './sipp.js';
import { CallInfoEvents, startTestTelephonyServer, type TestTelephonyServer, type TestTelephonyServerOptions } from './telephony-server.js';

/** A Non-Monopolize TelCP's identity arguments. */
export const nonMono = { TelCPName: '', SecretKey: '' } as const;

export type SipTsOptions = NonNullable<TestTelephonyServerOptions['sip']>;

export interface SipTs {
  readonly ts: TestTelephonyServer;
  /** The CallInfo events the TelCP receives over UPnP eventing. */
  readonly events: CallInfoEvents;
  /** The SIP line's port (UDP and TCP). */
  readonly port: number;
  /** The line's transports, as its user agent runs over them (captured through `wrapTransport`). */
  readonly udp: UdpTransport | undefined;
  readonly tcp: TcpTransport | undefined;
  /** Invokes StartCall (Non-Monopolize) and returns the CallID. */
  startCall(callee: string, mediaCapabilityInfo?: string): Promise<string>;
  acceptCall(callID: string, mediaCapabilityInfo?: string): Promise<void>;
  rejectCall(callID: string, reason?: string): Promise<void>;
  stopCall(callID: string): Promise<void>;
  startMediaTransfer(callID: string, tc?: { udn: string; mediaSessionID: string }): Promise<void>;
  acceptModifyCall(callID: string, mediaCapabilityInfo?: string): Promise<void>;
  /** The Call's statuses as evented, `Status/reason` when a reason came with it. */
  history(callID: string): string[];
  /** Waits until the Call was evented with `label` (`Connected`, `Disconnected/Busy`, …). */
  waitStatus(callID: string, label: string, timeoutMs?: number): Promise<CallInfo>;
  /** Waits for the Ringing CallInfo of an incoming Call from `callerId`. */
  waitIncoming(callerId: string, timeoutMs?: number): Promise<CallInfo>;
  stop(): Promise<void>;
}

export function statusLabel(c: CallInfo): string {
  return c.reason ? `${c.callStatus}/${c.reason}` : c.callStatus;
}

/** startTestTelephonyServer over a SipLine, with a CallInfo subscription and the line's transports at hand. */
export async function startSipTs(sip: SipTsOptions): Promise<SipTs> {
  let captured: UaTransport | undefined;
  const ts = await startTestTelephonyServer({
    sip: {
      ...sip,
      wrapTransport: (t) => {
        captured = t;
        return sip.wrapTransport ? sip.wrapTransport(t) : t;
      },
    },
  });
  const events = await CallInfoEvents.subscribe(ts);
  const transports = captured instanceof SipTransports ? captured : undefined;
  const udp = transports?.transport('udp');
  const tcp = transports?.transport('tcp');
  const history = (callID: string): string[] => events.of(callID).map(statusLabel);
  let stopped = false;
  return {
    ts,
    events,
    port: ts.sip!.port,
    udp: udp instanceof UdpTransport ? udp : undefined,
    tcp: tcp instanceof TcpTransport ? tcp : undefined,
    async startCall(callee, mediaCapabilityInfo = '') {
      const r = await ts.cm.invoke('StartCall', { ...nonMono, CalleeID: callee, CallPriority: 'Normal', MediaCapabilityInfo: mediaCapabilityInfo, CallMode: 'Non-Monopolize' });
      return String(r.CallID);
    },
    async acceptCall(callID, mediaCapabilityInfo = '') {
      await ts.cm.invoke('AcceptCall', { ...nonMono, TargetCallID: callID, MediaCapabilityInfo: mediaCapabilityInfo, CallMode: 'Non-Monopolize' });
    },
    async rejectCall(callID, reason = '') {
      await ts.cm.invoke('RejectCall', { ...nonMono, TargetCallID: callID, RejectReason: reason });
    },
    async stopCall(callID) {
      await ts.cm.invoke('StopCall', { ...nonMono, CallID: callID });
    },
    async startMediaTransfer(callID, tc = { udn: 'uuid:tc-acceptance', mediaSessionID: `ms-${callID}` }) {
      await ts.cm.invoke('StartMediaTransfer', { ...nonMono, TargetCallID: callID, TCList: tcListXml(tc.udn, tc.mediaSessionID), MediaCapabilityInfo: '' });
    },
    async acceptModifyCall(callID, mediaCapabilityInfo = '') {
      await ts.cm.invoke('AcceptModifyCall', { ...nonMono, TargetCallID: callID, MediaCapabilityInfo: mediaCapabilityInfo });
    },
    history,
    async waitStatus(callID, label, timeoutMs = 8_000) {
      try {
        await waitFor(() => history(callID).includes(label), label, timeoutMs);
      } catch {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${callID} to be evented ${label}; evented so far: [${history(callID).join(', ')}]`);
      }
      return events.of(callID).find((c) => statusLabel(c) === label)!;
    },
    async waitIncoming(callerId, timeoutMs = 8_000) {
      const find = (): CallInfo | undefined => events.all.find((c) => c.callStatus === 'Ringing' && c.remoteParty?.id === callerId);
      try {
        await waitFor(() => find() !== undefined, `Ringing from ${callerId}`, timeoutMs);
      } catch {
        const ringing = events.all.filter((c) => c.callStatus === 'Ringing').map((c) => `${c.callID} from ${c.remoteParty?.id ?? '?'}`);
        throw new Error(`timed out after ${timeoutMs} ms waiting for a Ringing Call from ${callerId}; Ringing Calls evented: [${ringing.join(', ')}]`);
      }
      return find()!;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await ts.stop();
    },
  };
}

export function tcListXml(udn: string, mediaSessionID: string): string {
  return `<?xml version="1.0"?><cams:TCList xmlns:cams="urn:schemas-upnp-org:phone:cams"><TC><UDN>${udn}</UDN><mediaSessionID>${mediaSessionID}</mediaSessionID></TC></cams:TCList>`;
}

// ------------------------------------------------------------------------------------------ SDP

const staticPayloads: Record<string, string> = { '0': 'PCMU/8000', '3': 'GSM/8000', '4': 'G723/8000', '8': 'PCMA/8000', '9': 'G722/8000', '18': 'G729/8000' };

/** The codecs of each m= line of an SDP, as `media: ENCODING/RATE[/CHANNELS]` (upper-case names), and the ports. */
export function sdpStreams(sdp: string): Array<{ media: string; port: number; codecs: string[] }> {
  const streams: Array<{ media: string; port: number; formats: string[]; rtpmap: Map<string, string> }> = [];
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^m=(\w+) (\d+)(?:\/\d+)? [\w/]+ ?(.*)$/.exec(line);
    if (m) {
      streams.push({ media: m[1]!, port: Number(m[2]), formats: m[3]!.split(' ').filter(Boolean), rtpmap: new Map() });
      continue;
    }
    const r = /^a=rtpmap:(\d+) (.+)$/.exec(line);
    if (r && streams.length > 0) streams[streams.length - 1]!.rtpmap.set(r[1]!, r[2]!.trim().toUpperCase());
  }
  return streams.map((s) => ({
    media: s.media,
    port: s.port,
    codecs: s.formats.map((f) => s.rtpmap.get(f) ?? staticPayloads[f] ?? `PT${f}`),
  }));
}

/**
 * RFC 3264 6: an answer has as many m= lines as the offer, of the same media types, and each accepted stream
 * lists only formats the offer listed for it. Returns why not, or undefined when `answer` is such a subset.
 */
export function notSubsetReason(answer: string, offer: string): string | undefined {
  const a = sdpStreams(answer);
  const o = sdpStreams(offer);
  if (a.length === 0) return 'the answer has no m= line';
  if (a.length !== o.length) return `the answer has ${a.length} m= lines, the offer ${o.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.media !== o[i]!.media) return `m= line ${i} is ${a[i]!.media} in the answer, ${o[i]!.media} in the offer`;
    if (a[i]!.port === 0) continue;
    const extra = a[i]!.codecs.filter((c) => !o[i]!.codecs.includes(c));
    if (extra.length) return `m= line ${i} answers ${extra.join(', ')}, which the offer (${o[i]!.codecs.join(', ')}) did not list`;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------ SIPp logs

/** The body of a logged SIP message ("" when none). */
export function bodyOf(m: SippLoggedMessage): string {
  const split = /\r?\n\r?\n/.exec(m.text);
  return split ? m.text.slice(split.index + split[0].length).trim() : '';
}

/** The CSeq method of a logged message. */
export function cseqMethodOf(m: SippLoggedMessage): string | undefined {
  return /^CSeq:\s*\d+\s+(\S+)/im.exec(m.text)?.[1]?.toUpperCase();
}

/**
 * The messages of a SIPp run (its -trace_msg log), both directions. SIPp 3.6 writes
 * `UDP message received [593] bytes :` but `UDP message sent (253 bytes):`; sipp.ts's `sippMessages`
 * only matches the first form, so sent messages are read here.
 */
export function sippLog(result: SippResult): SippLoggedMessage[] {
  const out: SippLoggedMessage[] = [];
  const re = /^-{20,} [^\n]*\n(\w+) message (sent|received) (?:\[\d+\] bytes ?|\(\d+ bytes\)):\n\n([\s\S]*?)(?=\n-{20,} |\s*(?![\s\S]))/gm;
  for (const m of result.messages.matchAll(re)) {
    const text = m[3]!.trim();
    out.push({ transport: m[1]!, direction: m[2] as 'sent' | 'received', firstLine: text.split('\n', 1)[0]!.trim(), text });
  }
  return out;
}

/** Messages SIPp received (or sent) whose start line begins with `start` and whose CSeq method is `method`. */
export function sippLogged(result: SippResult, direction: 'sent' | 'received', start: string, method?: string): SippLoggedMessage[] {
  return sippLog(result).filter((m) => m.direction === direction && m.firstLine.startsWith(start) && (method === undefined || cseqMethodOf(m) === method));
}

/** The header values of a logged message. */
export function headerOf(m: SippLoggedMessage, name: string): string[] {
  const head = m.text.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'gim');
  return [...head.matchAll(re)].map((x) => x[1]!.trim());
}

// ------------------------------------------------------------------------------------------ kernel

/**
 * The kernel's receive-drop counter of the UDP socket bound to 127.0.0.1:port (the `drops` column of
 * /proc/net/udp): a paced sender keeps it at its value.
 */
export async function kernelUdpDrops(port: number): Promise<number | undefined> {
  const table = await readFile('/proc/net/udp', 'utf8');
  const wanted = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === wanted) return Number(f[12]);
  }
  return undefined;
}
