/**
 * The Telephony Client's media endpoint over RTP (implements telephony/domain/media-session.ts's MediaSessionPort),
 * its receive-only recorder for video, and the rtpdump format it records into. Not re-exported by media/index.ts:
 * this folder depends on the telephony contracts, the rest of media/ does not.
 */
export * from './rtp-media-sessions.js';
export * from './rtp-receiver.js';
export * from './rtpdump.js';
