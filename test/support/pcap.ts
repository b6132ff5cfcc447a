/**
 * What a peer that does not record (SIPp 3.6.1 never reads its media port) received, captured on lo by tcpdump
 * (Debian `tcpdump`, installed by scripts/setup-peers.sh) and read back from the pcap file: one entry per UDP
 * datagram to the port, with the capture time.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, OutputTail, terminate, trackChild } from './children.js';

const TCPDUMP = '/usr/bin/tcpdump';

export interface CapturedDatagram {
  /** Capture time, ms since the epoch (microsecond resolution). */
  readonly atMs: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Buffer;
}

export interface UdpCapture {
  /** What was captured so far (tcpdump keeps running). */
  peek(): Promise<CapturedDatagram[]>;
  /** Stops tcpdump (by its PID) and returns every datagram it captured, in capture order. */
  stop(): Promise<CapturedDatagram[]>;
}

/** Starts capturing UDP datagrams to 127.0.0.1:`port` on lo; resolves once tcpdump listens. */
export async function captureUdpTo(port: number): Promise<UdpCapture> {
  if (!existsSync(TCPDUMP)) throw new Error(`tcpdump is not installed (${TCPDUMP}): bash scripts/setup-peers.sh installs it`);
  const dir = await makeTempDir('hometel-pcap-');
  const file = path.join(dir, 'capture.pcap');
  // --immediate-mode: each packet is handed to tcpdump as it comes (libpcap otherwise delivers blocks, and the
  // last block is lost at SIGTERM); -U: and written out as it comes; -n: no name lookups.
  const child = spawn(TCPDUMP, ['-i', 'lo', '-n', '--immediate-mode', '-U', '-s', '2048', '-w', file, 'udp', 'and', 'dst', 'host', '127.0.0.1', 'and', 'dst', 'port', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  trackChild(child);
  const stderr = new OutputTail(child.stderr);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start listening within 5 s: ${stderr.toString()}`)), 5_000);
    child.stderr.on('data', () => {
      if (/listening on lo/.test(stderr.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited with ${code}: ${stderr.toString()}`));
    });
  });
  return {
    // A packet may be half-written at the end of the file; parsePcap leaves it out.
    peek: async () => parsePcap(await readFile(file)),
    async stop() {
      await terminate(child, 2_000);
      try {
        return parsePcap(await readFile(file));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The UDP datagrams of a classic pcap file (microsecond timestamps, either byte order; link type Ethernet or raw IPv4). */
export function parsePcap(data: Buffer): CapturedDatagram[] {
  if (data.length < 24) return [];
  const magic = data.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4;
  if (!le && magic !== 0xd4c3b2a1) throw new Error(`not a pcap file (magic ${magic.toString(16)})`);
  const u32 = (at: number): number => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const linkType = u32(20);
  const linkHeader = linkType === 1 ? 14 : linkType === 101 ? 0 : undefined;
  if (linkHeader === undefined) throw new Error(`pcap link type ${linkType} is not Ethernet or raw IP`);
  const out: CapturedDatagram[] = [];
  for (let at = 24; at + 16 <= data.length; ) {
    const atMs = u32(at) * 1000 + u32(at + 4) / 1000;
    const captured = u32(at + 8);
    if (at + 16 + captured > data.length) break;
    const frame = data.subarray(at + 16, at + 16 + captured);
    at += 16 + captured;
    const ip = frame.subarray(linkHeader);
    if (ip.length < 20 || ip[0]! >> 4 !== 4 || ip[9] !== 17) continue;
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    if (udp.length < 8) continue;
    out.push({ atMs, srcPort: udp.readUInt16BE(0), dstPort: udp.readUInt16BE(2), payload: Buffer.from(udp.subarray(8, udp.readUInt16BE(4))) });
  }
  return out;
}
