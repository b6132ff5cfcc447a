/**
 * SIPp as the Remote Party with sound: answering (test/peers/sipp/uas-media.xml) or calling (uac-media.xml), each
 * playing a G.711 µ-law tone over RTP; what SIPp receives on its media port is captured on lo by tcpdump (SIPp
 * 3.6.1 does not record).
 */
import { pcmu } from '../../src/media/codecs/g711.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { parseRtp, type RtpPacket } from '../../src/media/rtp/packet.js';
import { lo } from './net.js';
import { captureUdpTo, type CapturedDatagram } from './pcap.js';
import { freeLoopbackPort, SIPP_SCENARIO_DIR, startSippUas, runSipp, type SippHandle, type SippOptions } from './sipp.js';

/** One second of a µ-law tone (a whole number of periods for whole-Hz tones, so SIPp's loop is seamless). */
export function toneFile(hz: number): Uint8Array {
  const source = new ToneSource(hz, 8000);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < 50; i++) frames.push(pcmu.encode(source.nextFrame()!));
  return Buffer.concat(frames);
}

/** The µ-law audio of RTP packets in capture order (on lo, the order they were sent). */
export function decodePcmu(packets: ReadonlyArray<{ packet: RtpPacket }>): Int16Array {
  const out = new Int16Array(packets.length * 160);
  packets.forEach((p, i) => out.set(pcmu.decode(p.packet.payload).subarray(0, 160), i * 160));
  return out;
}

export interface RemoteParty {
  readonly sipp: SippHandle;
  /** Answering: the SIP URI that reaches it. */
  readonly uri: string;
  /** The source port of the first RTP SIPp received so far (symmetric RTP: the far end's media port). */
  firstSourcePort(): Promise<number | undefined>;
  /** Stops the capture of what SIPp received and returns its PCMU RTP (RTCP and anything else left out). */
  received(): Promise<Array<{ atMs: number; packet: RtpPacket }>>;
  /** Stops the capture and SIPp. */
  stop(): Promise<void>;
}

async function party(mediaPort: number, uri: string, start: (files: Record<string, Uint8Array>) => Promise<SippHandle>, toneHz: number): Promise<RemoteParty> {
  const capture = await captureUdpTo(mediaPort);
  let sipp: SippHandle;
  try {
    sipp = await start({ 'tone.ulaw': toneFile(toneHz) });
  } catch (e) {
    await capture.stop();
    throw e;
  }
  let packets: Promise<CapturedDatagram[]> | undefined;
  const received = async (): Promise<Array<{ atMs: number; packet: RtpPacket }>> => {
    packets ??= capture.stop();
    return (await packets).flatMap((d) => {
      const r = parseRtp(d.payload);
      return r.ok && r.packet.payloadType === 0 ? [{ atMs: d.atMs, packet: r.packet }] : [];
    });
  };
  return {
    sipp,
    uri,
    firstSourcePort: async () => (packets ? (await packets)[0]?.srcPort : (await capture.peek())[0]?.srcPort),
    received,
    async stop() {
      await received();
      await sipp.stop();
    },
  };
}

/** SIPp answering every call at a free port, playing `toneHz`. */
export async function answeringParty(toneHz: number, timeoutMs = 60_000): Promise<RemoteParty> {
  const port = await freeLoopbackPort();
  const mediaPort = await freeLoopbackPort(4);
  return party(mediaPort, `sip:service@${lo.address}:${port}`, (files) => startSippUas({ scenario: 'uas-media', localPort: port, transport: 'u1', calls: 1, mediaPort, files, timeoutMs }), toneHz);
}

export interface CallingPartyOptions {
  /** host:port of the line to call. */
  readonly remote: string;
  /** The user part it calls. */
  readonly service: string;
  readonly toneHz: number;
  /** Its number and display name (From). */
  readonly caller?: string;
  readonly callerName?: string;
  /** SIPp hangs up after this long once answered (default: it waits for the callee's BYE). */
  readonly holdMs?: number;
  readonly timeoutMs?: number;
}

/** SIPp calling a line once, playing `toneHz` once answered. */
export async function callingParty(o: CallingPartyOptions): Promise<RemoteParty> {
  const port = await freeLoopbackPort();
  const mediaPort = await freeLoopbackPort(4);
  const opts: SippOptions = {
    scenario: `${SIPP_SCENARIO_DIR}/uac-media.xml`,
    remote: o.remote,
    service: o.service,
    localPort: port,
    transport: 'u1',
    calls: 1,
    mediaPort,
    keys: { caller: o.caller ?? 'sipp', caller_name: o.callerName ?? 'SIPp' },
    vars: o.holdMs !== undefined ? { hangup: 'sipp', holdms: String(o.holdMs) } : { hangup: 'peer' },
    timeoutMs: o.timeoutMs ?? 60_000,
  };
  return party(mediaPort, `sip:${o.caller ?? 'sipp'}@${lo.address}:${port}`, (files) => runSipp({ ...opts, files }), o.toneHz);
}
