/** What every layer may use: logging, injected time, interface selection, append-only files, errors, header grammar and Digest (RFC 7616). */
export * from './append-file.js';
export * from './clock.js';
export * from './errors.js';
export * from './logger.js';
export * from './net.js';
export * from './header-grammar.js';
export * from './digest.js';
export * from './digest-nonces.js';
export * from './xml-escape.js';
