/** Test doubles of the domain's ports: a scripted line and in-memory media sessions. */
export * from './fake-media-sessions.js';
export * from './scripted-line.js';
