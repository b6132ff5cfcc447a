/**
 * What the server checks in a read request before it asks for the file: the transfer mode (RFC 1350 section 1:
 * netascii and octet; mail is obsolete) and a filename that cannot leave the served tree, and the netascii form
 * of a file.
 */

export type TransferMode = 'octet' | 'netascii';

export function transferMode(mode: string): TransferMode | undefined {
  return mode === 'octet' || mode === 'netascii' ? mode : undefined;
}

/**
 * Why a filename is refused, or undefined when it is a plain relative path. Refused: empty, absolute, backslashes
 * (a Windows separator), anything but printable ASCII (RFC 1350 section 5: the filename is netascii, and a NUL
 * ends it), and empty, `.` or `..` segments — so no name can climb out of the tree, whatever serves it.
 */
export function filenameProblem(filename: string): string | undefined {
  if (filename === '') return 'empty filename';
  if (filename.startsWith('/')) return 'absolute path';
  if (filename.includes('\\')) return 'backslash in the filename';
  if (/[^\x20-\x7e]/.test(filename)) return 'control or non-ASCII character in the filename';
  if (filename.split('/').some((s) => s === '' || s === '.' || s === '..')) return 'empty, "." or ".." path segment';
  return undefined;
}

/** Shows a filename in a log line without its control characters. */
export function printable(filename: string): string {
  return filename.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * netascii (RFC 1350 section 1, after the Telnet NVT of RFC 764): each end of line (LF) is sent as CR LF, and a CR
 * of the file as CR NUL, so a netascii client turns the data back into exactly the file's bytes.
 */
export function toNetascii(data: Buffer): Buffer {
  let extra = 0;
  for (const b of data) if (b === CR || b === LF) extra += 1;
  if (extra === 0) return data;
  const out = Buffer.alloc(data.length + extra);
  let j = 0;
  for (const b of data) {
    if (b === LF) {
      out[j++] = CR;
      out[j++] = LF;
    } else if (b === CR) {
      out[j++] = CR;
      out[j++] = 0;
    } else out[j++] = b;
  }
  return out;
}
