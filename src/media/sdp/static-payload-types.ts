/**
 * RFC 3551 tables 4 (audio) and 5 (video): every static RTP payload type, the meaning an m-line's payload number has
 * without an a=rtpmap. Numbers the tables mark reserved (1, 2, 19, 72–76), unassigned (20–24, 27, 29, 30, 35–71,
 * 77–95) or dynamic (96–127) have none. Clock rates are RTP clock rates (G722's is 8000 although it samples at
 * 16 kHz, RFC 3551 4.5.2); channels are 1 unless the table says otherwise (L16 stereo, 10).
 */

export interface StaticPayloadType {
  readonly encodingName: string;
  /** A: audio, V: video, AV: both (the table's "A/V" column). */
  readonly media: 'A' | 'V' | 'AV';
  readonly clockRate: number;
  readonly channels: number;
}

const pt = (encodingName: string, media: StaticPayloadType['media'], clockRate: number, channels = 1): StaticPayloadType =>
  Object.freeze({ encodingName, media, clockRate, channels });

const table: ReadonlyMap<number, StaticPayloadType> = new Map([
  // Table 4: audio.
  [0, pt('PCMU', 'A', 8000)],
  [3, pt('GSM', 'A', 8000)],
  [4, pt('G723', 'A', 8000)],
  [5, pt('DVI4', 'A', 8000)],
  [6, pt('DVI4', 'A', 16000)],
  [7, pt('LPC', 'A', 8000)],
  [8, pt('PCMA', 'A', 8000)],
  [9, pt('G722', 'A', 8000)],
  [10, pt('L16', 'A', 44100, 2)],
  [11, pt('L16', 'A', 44100)],
  [12, pt('QCELP', 'A', 8000)],
  [13, pt('CN', 'A', 8000)],
  [14, pt('MPA', 'A', 90000)],
  [15, pt('G728', 'A', 8000)],
  [16, pt('DVI4', 'A', 11025)],
  [17, pt('DVI4', 'A', 22050)],
  [18, pt('G729', 'A', 8000)],
  // Table 5: video, and MP2T for both.
  [25, pt('CelB', 'V', 90000)],
  [26, pt('JPEG', 'V', 90000)],
  [28, pt('nv', 'V', 90000)],
  [31, pt('H261', 'V', 90000)],
  [32, pt('MPV', 'V', 90000)],
  [33, pt('MP2T', 'AV', 90000)],
  [34, pt('H263', 'V', 90000)],
]);

/** What a static payload type means (RFC 3551), or undefined for a number that has no static meaning. */
export function staticPayloadType(payloadType: number): StaticPayloadType | undefined {
  return table.get(payloadType);
}
