/**
 * RIFF/WAVE container codec (the Microsoft RIFF WAVE format, PCM `fmt ` chunk): reads the format and the sample
 * data of any WAV file, writes the canonical 44-octet header of a PCM file. Parsing never throws.
 */

export const wavFormatPcm = 1;
export const wavFormatIeeeFloat = 3;
export const wavFormatAlaw = 6;
export const wavFormatMulaw = 7;
export const wavFormatExtensible = 0xfffe;

export const wavHeaderBytes = 44;

/** The data chunk size a writer leaves when it never got to patch the header (streamed WAV convention). */
export const wavUnknownSize = 0xffffffff;

export interface WavFormat {
  /** The format tag; for WAVE_FORMAT_EXTENSIBLE, the sub-format's tag. */
  readonly audioFormat: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
}

export type WavParseResult =
  | { readonly ok: true; readonly format: WavFormat; readonly data: Uint8Array }
  | { readonly ok: false; readonly reason: string };

const ascii = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
const fail = (reason: string): WavParseResult => ({ ok: false, reason });

/** Reads a WAV file's format and data chunk. A data size past the end (a truncated or unpatched file) is cut to the file. */
export function parseWav(bytes: Uint8Array): WavParseResult {
  if (!(bytes instanceof Uint8Array)) return fail('not bytes');
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') return fail('not a RIFF/WAVE file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: WavFormat | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const start = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || start + 16 > bytes.length) return fail('fmt chunk too short');
      let audioFormat = view.getUint16(start, true);
      if (audioFormat === wavFormatExtensible) {
        // WAVEFORMATEXTENSIBLE: cbSize(2) validBits(2) channelMask(4) then the sub-format GUID, whose first two octets are the tag.
        if (size < 40 || start + 26 > bytes.length) return fail('extensible fmt chunk too short');
        audioFormat = view.getUint16(start + 24, true);
      }
      format = {
        audioFormat,
        channels: view.getUint16(start + 2, true),
        sampleRate: view.getUint32(start + 4, true),
        blockAlign: view.getUint16(start + 12, true),
        bitsPerSample: view.getUint16(start + 14, true),
      };
    } else if (id === 'data') {
      if (!format) return fail('data chunk before the fmt chunk');
      const end = size === wavUnknownSize ? bytes.length : Math.min(bytes.length, start + size);
      return { ok: true, format, data: bytes.subarray(start, end) };
    }
    offset = start + size + (size & 1); // chunks are padded to even sizes
  }
  return fail(format ? 'no data chunk' : 'no fmt chunk');
}

export interface WavHeaderOptions {
  readonly sampleRate: number;
  readonly channels?: number;
  readonly bitsPerSample?: number;
}

/** The canonical 44-octet header of a PCM WAV file with `dataBytes` of samples. */
export function wavHeader(dataBytes: number, opts: WavHeaderOptions): Uint8Array {
  const channels = opts.channels ?? 1;
  const bits = opts.bitsPerSample ?? 16;
  const blockAlign = (channels * bits) / 8;
  const out = new Uint8Array(wavHeaderBytes);
  const view = new DataView(out.buffer);
  const put = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  const unknown = dataBytes === wavUnknownSize;
  put(0, 'RIFF');
  view.setUint32(4, unknown ? wavUnknownSize : 36 + dataBytes, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, wavFormatPcm, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, opts.sampleRate, true);
  view.setUint32(28, opts.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bits, true);
  put(36, 'data');
  view.setUint32(40, dataBytes, true);
  return out;
}
