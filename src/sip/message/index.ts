/** SIP message layer: types, codec, URIs, typed headers, Digest authentication. */
export * from './types.js';
export * from './codec.js';
export * from './uri.js';
export * from './headers.js';
export * from './digest.js';
export { HeaderList, canonicalHeaderName, headerKey, headerListFrom, isListHeader } from './header-list.js';
