/** The phones' side of hometel's SIP (issue 14): registrar, calls to and from phones, lamps and presence. */
export { PhoneSide, phoneSideMethods, type PhoneSideOptions, type RequestHandler } from './phone-side.js';
export type { RequestAuthenticator } from './authenticator.js';
export { bestFailure, extensionOf, PhoneLine, type PhoneLineOptions, type PhoneSideUa } from './phone-line.js';
