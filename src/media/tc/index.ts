/** What the Telephony Client's media endpoint records with: the receive-only RTP recorder for video and the rtpdump format. */
export * from './rtp-receiver.js';
export * from './rtpdump.js';
