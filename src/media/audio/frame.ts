/**
 * The media plane's unit of audio: 20 ms of 16-bit linear PCM, mono, at 8 kHz (160 samples) — G.711's frame.
 * Sources hand out frames one at a time; sinks take them. Both are pull/push interfaces with no timing of their
 * own: whoever holds them (an RTP endpoint's send loop, a mixer) keeps time.
 */
export const sampleRate = 8000;
export const frameMs = 20;
export const frameSamples = (sampleRate * frameMs) / 1000;

export interface AudioSource {
  /** The next 20 ms frame (a fresh array the caller may keep), or undefined once the source has ended. */
  nextFrame(): Int16Array | undefined;
}

export interface AudioSink {
  /** Takes one frame; the sink copies what it keeps, so the caller may reuse the array. */
  write(frame: Int16Array): void;
}
