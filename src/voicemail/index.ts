/**
 * The home's voicemail (issue 13): greetings, recording, the messages in the store and as WAV files, limits.
 */
export {};
