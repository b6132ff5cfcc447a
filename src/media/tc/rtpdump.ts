/**
 * Raw RTP recordings in the rtpdump format of rtptools (`rtpdump -F dump`), which rtpplay replays and Wireshark
 * opens: a text line `#!rtpplay1.0 <address>/<port>\n`, a 16-octet binary header (start time as struct timeval:
 * seconds and microseconds; the receiving IPv4 address and port; 2 octets of padding), then one record per packet:
 * 16-bit record length (8 + packet length), 16-bit packet length, 32-bit milliseconds since the start, then the
 * whole RTP packet as received (header and payload, never decoded). Every number is big-endian.
 *
 * Writes are queued and appended in order without blocking the caller (AppendFile, as for WAV); a size cap stops the
 * recording rather than filling the disk. `parseRtpdump` reads such a file back (tests, tools).
 */
import { AppendFile } from '../../base/index.js';
import { isIPv4 } from 'node:net';

/** Where a receiver hands the packets it accepted: the whole datagram and when it arrived (ms, the receiver's clock). */
export interface RtpPacketSink {
  write(packet: Uint8Array, arrivalMs: number): void;
  /** Flushes and releases what the sink holds; optional for in-memory sinks. */
  close?(): Promise<void>;
}

export interface RtpdumpWriterOptions {
  /** The receiving address and port, written into the header (rtptools writes the address it listened on). */
  readonly address: string;
  readonly port: number;
  /** The recording's start, ms since the epoch; packet offsets count from it. */
  readonly startMs: number;
  /** Octets of packet records kept at most; later packets are dropped and counted. Default 1 GiB. */
  readonly maxBytes?: number;
}

const recordHeaderBytes = 8;
const maxPacketBytes = 0xffff - recordHeaderBytes;

function fileHeader(o: RtpdumpWriterOptions): Buffer {
  const text = Buffer.from(`#!rtpplay1.0 ${o.address}/${o.port}\n`, 'ascii');
  const bin = Buffer.alloc(16);
  const seconds = Math.floor(o.startMs / 1000);
  bin.writeUInt32BE(seconds >>> 0, 0);
  bin.writeUInt32BE(Math.floor((o.startMs - seconds * 1000) * 1000) >>> 0, 4);
  const ip = isIPv4(o.address) ? o.address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) : 0;
  bin.writeUInt32BE(ip >>> 0, 8);
  bin.writeUInt16BE(o.port & 0xffff, 12);
  return Buffer.concat([text, bin]);
}

export class RtpdumpWriter implements RtpPacketSink {
  /** Settles when the file is open and its header written; rejects if it cannot be created. */
  readonly ready: Promise<void>;
  private readonly file: AppendFile;
  private taken = 0;
  private readonly maxBytes: number;
  private counts = { packets: 0, dropped: 0 };

  constructor(
    readonly path: string,
    private readonly opts: RtpdumpWriterOptions,
  ) {
    this.maxBytes = opts.maxBytes ?? 1024 ** 3;
    this.file = new AppendFile(path, fileHeader(opts));
    this.ready = this.file.ready;
  }

  /** Packets taken, and packets dropped (too large, over the cap, or after a write failure). */
  get packets(): number {
    return this.counts.packets;
  }

  get dropped(): number {
    return this.counts.dropped;
  }

  write(packet: Uint8Array, arrivalMs: number): void {
    if (this.file.stopped || packet.length > maxPacketBytes || this.taken + packet.length + recordHeaderBytes > this.maxBytes) {
      this.counts.dropped++;
      return;
    }
    const rec = Buffer.allocUnsafe(recordHeaderBytes + packet.length);
    rec.writeUInt16BE(rec.length, 0);
    rec.writeUInt16BE(packet.length, 2);
    rec.writeUInt32BE(Math.max(0, Math.floor(arrivalMs - this.opts.startMs)) >>> 0, 4);
    rec.set(packet, recordHeaderBytes);
    this.taken += rec.length;
    this.counts.packets++;
    this.file.append(rec);
  }

  /** Writes what is queued and closes the file. Rejects if the file could not be written. */
  close(): Promise<void> {
    return this.file.close();
  }
}

export interface RtpdumpFile {
  readonly address: string;
  readonly port: number;
  readonly startMs: number;
  readonly packets: ReadonlyArray<{ readonly offsetMs: number; readonly data: Uint8Array }>;
}

export type RtpdumpParseResult = { readonly ok: true; readonly value: RtpdumpFile } | { readonly ok: false; readonly reason: string };

/** Reads an rtpdump file; never throws. A record cut short at the end (a recording that was killed) is ignored. */
export function parseRtpdump(bytes: Uint8Array): RtpdumpParseResult {
  const nl = bytes.indexOf(0x0a);
  if (nl < 0 || nl > 200) return { ok: false, reason: 'no #!rtpplay1.0 line' };
  const line = Buffer.from(bytes.subarray(0, nl)).toString('ascii');
  const m = /^#!rtpplay1\.0 (\S+)\/(\d+)$/.exec(line);
  if (!m) return { ok: false, reason: `not an rtpdump file: ${JSON.stringify(line.slice(0, 40))}` };
  let at = nl + 1;
  if (bytes.length < at + 16) return { ok: false, reason: 'binary header cut short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const startMs = view.getUint32(at) * 1000 + Math.floor(view.getUint32(at + 4) / 1000);
  at += 16;
  const packets: { offsetMs: number; data: Uint8Array }[] = [];
  while (at + recordHeaderBytes <= bytes.length) {
    const length = view.getUint16(at);
    const plen = view.getUint16(at + 2);
    const offsetMs = view.getUint32(at + 4);
    if (length < recordHeaderBytes) return { ok: false, reason: `record of ${length} octets at ${at}` };
    if (at + length > bytes.length) break;
    // plen 0 marks an RTCP record in rtptools; its data is the rest of the record.
    const size = plen === 0 ? length - recordHeaderBytes : Math.min(plen, length - recordHeaderBytes);
    packets.push({ offsetMs, data: new Uint8Array(bytes.subarray(at + recordHeaderBytes, at + recordHeaderBytes + size)) });
    at += length;
  }
  return { ok: true, value: { address: m[1]!, port: Number(m[2]), startMs, packets } };
}
