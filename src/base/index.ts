/** What every layer may use: logging, injected time, interface selection, append-only files, errors. */
export * from './append-file.js';
export * from './clock.js';
export * from './errors.js';
export * from './logger.js';
export * from './net.js';
