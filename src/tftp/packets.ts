/**
 * The TFTP packets (RFC 1350 section 5, Appendix) and the option acknowledgment (RFC 2347): encode and decode.
 * Strings on the wire are netascii, NUL-terminated; they are decoded byte for byte (latin1) so that the server
 * sees exactly what was sent and can refuse anything that is not printable ASCII.
 */
import { HometelError } from '../base/index.js';

/** RFC 1350 section 5 opcodes; OACK from RFC 2347. */
export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 1350 Appendix "Error Codes"; 8 from RFC 2347 (option negotiation refused). */
export const ErrorCode = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTIONS_REFUSED: 8,
} as const;
export type TftpErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Block numbers are 16 bits (RFC 1350 section 5); a long transfer wraps to 0 after 65535, as common servers do. */
export const BLOCK_MODULO = 0x10000;

export type TftpPacket =
  | { readonly op: 'RRQ' | 'WRQ'; readonly filename: string; readonly mode: string; readonly options: ReadonlyMap<string, string> }
  | { readonly op: 'DATA'; readonly block: number; readonly data: Buffer }
  | { readonly op: 'ACK'; readonly block: number }
  | { readonly op: 'ERROR'; readonly code: number; readonly message: string }
  | { readonly op: 'OACK'; readonly options: ReadonlyMap<string, string> };

/** A datagram that is no TFTP packet (answered with error 4, RFC 1350 section 5). */
export class TftpPacketError extends HometelError {
  readonly code = 'tftp.malformed';
}

/** Splits NUL-terminated strings; the last field must end with a NUL. */
function strings(buf: Buffer, from: number): string[] {
  const out: string[] = [];
  let start = from;
  while (start < buf.length) {
    const end = buf.indexOf(0, start);
    if (end < 0) throw new TftpPacketError('a string field is not NUL-terminated');
    out.push(buf.toString('latin1', start, end));
    start = end + 1;
  }
  return out;
}

/**
 * RFC 2347: options follow the mode as name/value pairs; names are case-insensitive (kept lower-case here), and a
 * name that comes twice keeps its first value.
 */
function optionPairs(fields: readonly string[]): Map<string, string> {
  if (fields.length % 2 !== 0) throw new TftpPacketError('an option has no value');
  const options = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!.toLowerCase();
    if (name === '') throw new TftpPacketError('an option has an empty name');
    if (!options.has(name)) options.set(name, fields[i + 1]!);
  }
  return options;
}

export function decodePacket(buf: Buffer): TftpPacket {
  if (buf.length < 4) throw new TftpPacketError(`a datagram of ${buf.length} bytes is too short for TFTP`);
  const opcode = buf.readUInt16BE(0);
  switch (opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ: {
      const [filename, mode, ...rest] = strings(buf, 2);
      if (filename === undefined || mode === undefined) throw new TftpPacketError('a request needs a filename and a mode');
      return { op: opcode === Opcode.RRQ ? 'RRQ' : 'WRQ', filename, mode: mode.toLowerCase(), options: optionPairs(rest) };
    }
    case Opcode.DATA:
      return { op: 'DATA', block: buf.readUInt16BE(2), data: buf.subarray(4) };
    case Opcode.ACK:
      if (buf.length !== 4) throw new TftpPacketError(`an ACK has 4 bytes, not ${buf.length}`);
      return { op: 'ACK', block: buf.readUInt16BE(2) };
    case Opcode.ERROR: {
      // The message is NUL-terminated by RFC 1350; a missing NUL is tolerated: an error ends the transfer anyway.
      const end = buf.indexOf(0, 4);
      return { op: 'ERROR', code: buf.readUInt16BE(2), message: buf.toString('latin1', 4, end < 0 ? buf.length : end) };
    }
    case Opcode.OACK:
      return { op: 'OACK', options: optionPairs(strings(buf, 2)) };
    default:
      throw new TftpPacketError(`unknown opcode ${opcode}`);
  }
}

function cstrings(values: readonly string[]): Buffer[] {
  return values.flatMap((v) => [Buffer.from(v, 'latin1'), Buffer.alloc(1)]);
}

function opcodeBuffer(op: number, word?: number): Buffer {
  const b = Buffer.alloc(word === undefined ? 2 : 4);
  b.writeUInt16BE(op, 0);
  if (word !== undefined) b.writeUInt16BE(word, 2);
  return b;
}

const optionStrings = (options: ReadonlyMap<string, string>): string[] => [...options].flat();

export function encodePacket(p: TftpPacket): Buffer {
  switch (p.op) {
    case 'RRQ':
    case 'WRQ':
      return Buffer.concat([opcodeBuffer(Opcode[p.op]), ...cstrings([p.filename, p.mode, ...optionStrings(p.options)])]);
    case 'DATA':
      return Buffer.concat([opcodeBuffer(Opcode.DATA, p.block % BLOCK_MODULO), p.data]);
    case 'ACK':
      return opcodeBuffer(Opcode.ACK, p.block % BLOCK_MODULO);
    case 'ERROR':
      return Buffer.concat([opcodeBuffer(Opcode.ERROR, p.code), ...cstrings([p.message])]);
    case 'OACK':
      return Buffer.concat([opcodeBuffer(Opcode.OACK), ...cstrings(optionStrings(p.options))]);
  }
}

export const errorPacket = (code: TftpErrorCode, message: string): Buffer => encodePacket({ op: 'ERROR', code, message });
