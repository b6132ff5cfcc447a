/**
 * Which codecs the hub offers the browser, and how payload type numbers cross between the TS leg (plain RTP, the
 * numbers of the negotiated offer) and the browser leg (WebRTC, the numbers of the hub's own offer, which the
 * browser's answer keeps). Codecs are matched by name: G.711 passes through untouched, so only the number in the
 * RTP header changes. Pure, no I/O.
 */
import { isTelephoneEvent, type SdpMedia } from '../sdp/index.js';

export type BrowserCodecName = 'PCMU' | 'PCMA' | 'telephone-event';

export interface BrowserCodec {
  readonly encodingName: BrowserCodecName;
  /** The number the hub offers the browser: the RFC 3551 static ones, 101 for telephone-event. */
  readonly payloadType: number;
  readonly clockRate: 8000;
}

const pcmu: BrowserCodec = { encodingName: 'PCMU', payloadType: 0, clockRate: 8000 };
const pcma: BrowserCodec = { encodingName: 'PCMA', payloadType: 8, clockRate: 8000 };
const telephoneEvent: BrowserCodec = { encodingName: 'telephone-event', payloadType: 101, clockRate: 8000 };

/** The name a negotiated TS-leg codec goes by on the browser leg, or undefined for one the bridge cannot carry. */
function browserNameOf(c: SdpMedia['codecs'][number]): BrowserCodecName | undefined {
  if ((c.clockRate ?? 8000) !== 8000 || (c.channels ?? 1) !== 1) return undefined;
  if (isTelephoneEvent(c)) return 'telephone-event';
  const name = c.encodingName.toUpperCase();
  return name === 'PCMU' || name === 'PCMA' ? name : undefined;
}

/**
 * What the browser is offered for a TS leg's negotiated audio: both G.711 laws, the one the TS leg prefers first
 * (so that the browser sends what the TS leg expects and nothing needs transcoding), then telephone-event.
 */
export function browserCodecsFor(tsAudio: SdpMedia): BrowserCodec[] {
  const first = tsAudio.codecs.map(browserNameOf).find((n) => n === 'PCMU' || n === 'PCMA');
  return first === 'PCMA' ? [pcma, pcmu, telephoneEvent] : [pcmu, pcma, telephoneEvent];
}

/** Payload numbers between the two legs for one negotiated TS-leg audio description and the browser's codecs. */
export class PayloadMap {
  private readonly tsByName = new Map<BrowserCodecName, number>();
  private readonly nameByTs = new Map<number, BrowserCodecName>();
  private readonly browserByName = new Map<BrowserCodecName, BrowserCodec>();
  private readonly nameByBrowser = new Map<number, BrowserCodecName>();

  /** `browser`: the codecs the browser accepted (those of the hub's offer that its answer kept). */
  constructor(tsAudio: SdpMedia, browser: readonly BrowserCodec[]) {
    for (const c of tsAudio.codecs) {
      const name = browserNameOf(c);
      const pt = Number(c.format);
      if (name === undefined || !Number.isInteger(pt) || this.tsByName.has(name)) continue;
      this.tsByName.set(name, pt);
      this.nameByTs.set(pt, name);
    }
    for (const c of browser) {
      this.browserByName.set(c.encodingName, c);
      this.nameByBrowser.set(c.payloadType, c.encodingName);
    }
  }

  /** The browser-leg codec for a payload number from the TS leg; undefined when the browser has no such codec. */
  toBrowser(tsPayloadType: number): BrowserCodec | undefined {
    const name = this.nameByTs.get(tsPayloadType);
    return name === undefined ? undefined : this.browserByName.get(name);
  }

  /** The TS-leg payload number for a payload number from the browser; undefined when the TS leg did not negotiate it. */
  toTs(browserPayloadType: number): number | undefined {
    const name = this.nameByBrowser.get(browserPayloadType);
    return name === undefined ? undefined : this.tsByName.get(name);
  }
}
