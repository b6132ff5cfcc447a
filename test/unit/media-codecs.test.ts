/** G.711 µ-law and A-law over alawmulaw, and codec lookup by SDP name and payload type. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pcma, pcmu } from '../../src/media/codecs/g711.js';
import { codecByName, codecByPayloadType, codecByRtpmap, supportedCodecs } from '../../src/media/codecs/registry.js';
import { ToneSource } from '../../src/media/audio/sources.js';
import { meanSquare } from '../../src/media/audio/analysis.js';

test('RFC 3551: PCMU is payload type 0 and PCMA 8, 8000 Hz mono, 160 samples per 20 ms', () => {
  assert.deepEqual([pcmu.payloadType, pcmu.encodingName, pcmu.clockRate, pcmu.channels, pcmu.samplesPerFrame], [0, 'PCMU', 8000, 1, 160]);
  assert.deepEqual([pcma.payloadType, pcma.encodingName, pcma.clockRate, pcma.channels, pcma.samplesPerFrame], [8, 'PCMA', 8000, 1, 160]);
  assert.equal(pcmu.encode(new Int16Array(160)).length, 160);
});

for (const codec of [pcmu, pcma]) {
  test(`G.711 ${codec.encodingName}: every 16-bit sample round-trips within the companding error, and re-encoding is lossless`, () => {
    const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
    const once = codec.decode(codec.encode(all));
    for (let i = 0; i < all.length; i++) {
      const x = all[i]!;
      const err = Math.abs(once[i]! - x);
      // Segment steps double with magnitude: at most 32 near zero, about 3.5% of the value above (clipping at full scale included).
      assert.ok(err <= Math.max(32, 0.035 * Math.abs(x)), `${codec.encodingName} ${x} → ${once[i]}`);
    }
    assert.deepEqual(codec.decode(codec.encode(once)), once);
  });

  test(`G.711 ${codec.encodingName}: a 1 kHz tone keeps a signal-to-noise ratio above 35 dB`, () => {
    const tone = new ToneSource(1000, 16000).nextFrame()!;
    const back = codec.decode(codec.encode(tone));
    const noise = back.map((v, i) => v - tone[i]!);
    const snr = 10 * Math.log10(meanSquare(tone) / meanSquare(noise));
    assert.ok(snr > 35, `SNR ${snr.toFixed(1)} dB`);
  });

  test(`G.711 ${codec.encodingName}: any payload bytes decode (every octet is a sample)`, () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.equal(codec.decode(bytes).length, 256);
    assert.equal(codec.decode(new Uint8Array(0)).length, 0);
  });
}

test('codec lookup by payload type, by rtpmap name (case-insensitive, clock rate checked) and with a dynamic number', () => {
  assert.equal(codecByPayloadType(0), pcmu);
  assert.equal(codecByPayloadType(8), pcma);
  assert.equal(codecByPayloadType(9), undefined);
  assert.equal(codecByName('pcmu'), pcmu);
  assert.equal(codecByName('PCMA', 8000), pcma);
  assert.equal(codecByName('PCMA', 16000), undefined);
  assert.equal(codecByName('G722'), undefined);
  const dyn = codecByName('PCMU', 8000, 96);
  assert.equal(dyn?.payloadType, 96);
  assert.equal(dyn?.encodingName, 'PCMU');
  assert.deepEqual(dyn?.decode(dyn.encode(Int16Array.of(1000))), pcmu.decode(pcmu.encode(Int16Array.of(1000))));
  assert.equal(codecByName('PCMU', 8000, 128), undefined);
  assert.equal(codecByRtpmap(0, 'PCMU/8000'), pcmu);
  assert.equal(codecByRtpmap(8, ' PCMA/8000/1 '), pcma);
  assert.equal(codecByRtpmap(8, 'PCMA/8000/2'), undefined);
  assert.equal(codecByRtpmap(8, 'PCMA'), undefined);
  assert.deepEqual(supportedCodecs.map((c) => c.encodingName), ['PCMU', 'PCMA']);
});
