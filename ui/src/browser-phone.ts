// "Use this browser for calls": asks the hub to host a Telephony Client for this page, then answers the hub's
// WebRTC offers with this browser's microphone and speaker. The client lives as long as the page's event stream.
import { api } from './api.js';
import { live, type WebRtcEvent } from './live.js';
import { BrowserMedia } from './webrtc/browser-media.js';

const nameKey = 'hometel.browserName';

class BrowserPhone {
  udn: string | undefined;
  private media: BrowserMedia | undefined;
  private stream: string | undefined;

  constructor() {
    live.onWebRtc = (e) => void this.signal(e);
  }

  get savedName(): string {
    return localStorage.getItem(nameKey) ?? '';
  }

  /** The hub hosts a Telephony Client named `friendlyName` for this page (again after the stream reconnected). */
  async enable(friendlyName: string): Promise<string> {
    const stream = live.state.stream;
    if (!stream) throw new Error('not connected to hometel yet');
    if (this.udn && this.stream === stream) return this.udn;
    localStorage.setItem(nameKey, friendlyName);
    this.media ??= new BrowserMedia();
    const c = await api.enableBrowser(stream, friendlyName);
    this.udn = c.udn;
    this.stream = stream;
    return c.udn;
  }

  async disable(): Promise<void> {
    const udn = this.udn;
    this.udn = undefined;
    this.media?.closeAll();
    if (udn) await api.disableBrowser(udn);
  }

  /** The client is valid only on the stream it was made for: a reconnect made a new stream. */
  get active(): boolean {
    return this.udn !== undefined && this.stream === live.state.stream;
  }

  private async signal(e: WebRtcEvent): Promise<void> {
    if (!this.media || e.client !== this.udn) return;
    if (e.type === 'webrtc-close') return this.media.close(e.session);
    try {
      const answer = await this.media.answer(e.session, e.sdp);
      await api.webrtcAnswer(e.client, e.session, answer);
    } catch (err) {
      live.notice(`This browser could not take the call: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export const phone = new BrowserPhone();
