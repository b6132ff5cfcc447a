/**
 * The media adapters of the telephony ports: the RTP relay as the Telephony Server's MediaPlane, and the RTP endpoint
 * as the Telephony Client's MediaSessionPort. The only part of media/ that knows the telephony domain.
 */
export * from './relay-media-plane.js';
export * from './rtp-media-sessions.js';
