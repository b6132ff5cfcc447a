/**
 * The browser half of a Media Session: the hub offers (its SDP with every ICE candidate, no trickle), this page
 * answers with its microphone and plays what the hub sends. One RTCPeerConnection per Media Session ID.
 *
 * Chromium plays a remote WebRTC stream into Web Audio only while the stream is also attached to a playing <audio>
 * element and the AudioContext runs, so every session gets an element (muted for tests that only analyse).
 */

export interface BrowserMediaOptions {
  /** Where remote audio elements go; default document.body. */
  readonly container?: HTMLElement;
  /** Mute the remote audio (tests, or a page that only analyses it); default false. */
  readonly muted?: boolean;
  /** What getUserMedia is asked for; default `{ audio: true }`. */
  readonly constraints?: MediaStreamConstraints;
  /** Longest wait for ICE gathering in ms; default 5000. */
  readonly gatherTimeoutMs?: number;
}

interface Session {
  readonly pc: RTCPeerConnection;
  readonly microphone: MediaStream;
  readonly audio: HTMLAudioElement;
  remote?: MediaStream;
}

export class BrowserMedia {
  /** A session's peer connection changed state ('connected', 'failed', 'closed' …). */
  onStateChange?: (sessionId: string, state: RTCPeerConnectionState) => void;

  private readonly sessions = new Map<string, Session>();

  constructor(private readonly opts: BrowserMediaOptions = {}) {}

  /** Answers the hub's offer for a session: resolves with the answer SDP once ICE gathering is complete. */
  async answer(sessionId: string, offer: string): Promise<string> {
    if (this.sessions.has(sessionId)) throw new Error(`media session ${sessionId} is already open`);
    const microphone = await navigator.mediaDevices.getUserMedia(this.opts.constraints ?? { audio: true });
    const pc = new RTCPeerConnection();
    const audio = document.createElement('audio');
    audio.autoplay = true;
    audio.muted = this.opts.muted ?? false;
    (this.opts.container ?? document.body).append(audio);
    const s: Session = { pc, microphone, audio };
    this.sessions.set(sessionId, s);
    pc.addEventListener('connectionstatechange', () => this.onStateChange?.(sessionId, pc.connectionState));
    pc.addEventListener('track', (e) => {
      s.remote = e.streams[0] ?? new MediaStream([e.track]);
      audio.srcObject = s.remote;
      void audio.play().catch(() => undefined); // autoplay refused: the user's next gesture starts it
    });
    try {
      for (const track of microphone.getAudioTracks()) pc.addTrack(track, microphone);
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringComplete(pc, this.opts.gatherTimeoutMs ?? 5000);
      const local = pc.localDescription;
      if (!local) throw new Error('no local description');
      return local.sdp;
    } catch (e) {
      this.close(sessionId);
      throw e;
    }
  }

  /** Closes a session's peer connection and releases its microphone; an unknown session does nothing. */
  close(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    this.sessions.delete(sessionId);
    s.pc.close();
    for (const t of s.microphone.getTracks()) t.stop();
    s.audio.srcObject = null;
    s.audio.remove();
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.close(id);
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  connectionState(sessionId: string): RTCPeerConnectionState | undefined {
    return this.sessions.get(sessionId)?.pc.connectionState;
  }

  /** What the hub sends in a session, once its track arrived. */
  remoteStream(sessionId: string): MediaStream | undefined {
    return this.sessions.get(sessionId)?.remote;
  }

  /** Sends what the session receives back instead of the microphone (latency measurement). */
  async loopBack(sessionId: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    const track = s?.remote?.getAudioTracks()[0];
    const sender = s?.pc.getSenders().find((x) => x.track?.kind === 'audio');
    if (!track || !sender) throw new Error(`media session ${sessionId} has no remote audio yet`);
    await sender.replaceTrack(track);
  }
}

function gatheringComplete(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pc.removeEventListener('icegatheringstatechange', check);
      reject(new Error(`ICE gathering did not complete within ${timeoutMs} ms`));
    }, timeoutMs);
    function check(): void {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    }
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** The spectrum of a stream through Web Audio: which frequency is loudest now. */
export class ToneAnalyser {
  private readonly context = new AudioContext();
  private readonly analyser: AnalyserNode;
  private readonly bins: Float32Array<ArrayBuffer>;

  constructor(stream: MediaStream) {
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 8192;
    this.analyser.smoothingTimeConstant = 0;
    this.context.createMediaStreamSource(stream).connect(this.analyser);
    this.bins = new Float32Array(this.analyser.frequencyBinCount);
  }

  /** Starts the context (it may begin suspended without a user gesture). */
  resume(): Promise<void> {
    return this.context.resume();
  }

  /** The loudest frequency in Hz between minHz and maxHz (refined between bins), or NaN when all is silent. */
  peakFrequency(minHz = 50, maxHz = 4000): number {
    this.analyser.getFloatFrequencyData(this.bins);
    const binHz = this.context.sampleRate / this.analyser.fftSize;
    const first = Math.max(1, Math.ceil(minHz / binHz));
    const last = Math.min(this.bins.length - 2, Math.floor(maxHz / binHz));
    let best = -1;
    for (let k = first; k <= last; k++) if (best < 0 || this.bins[k]! > this.bins[best]!) best = k;
    if (best < 0 || this.bins[best]! === -Infinity) return NaN;
    const [a, b, c] = [this.bins[best - 1]!, this.bins[best]!, this.bins[best + 1]!];
    const denom = a - 2 * b + c;
    const offset = Number.isFinite(denom) && denom < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
    return (best + offset) * binHz;
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
