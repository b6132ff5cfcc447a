/**
 * The browser as a Telephony Client's media endpoint: Media Sessions bridged between plain RTP (the TS leg) and
 * WebRTC (werift, the browser leg), G.711 passed through, the browser reached through a signalling port.
 */
export { WebRtcMediaSessions, type BrowserSignalling, type WebRtcMediaCounters, type WebRtcMediaSessionsOptions } from './webrtc-media-sessions.js';
export { browserCodecsFor, PayloadMap, type BrowserCodec, type BrowserCodecName } from './payload-map.js';
