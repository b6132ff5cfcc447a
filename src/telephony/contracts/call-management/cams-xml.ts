/**
 * The XML-fragment state variables of CallManagement:1 (section 2.4, Appendix B schema "cams",
 * Appendix A peerType): the call-management contracts' codec face, one pure `build…` and one `parse…`
 * per fragment type, plus `validate…`. Writers live in cams-build.ts, the schema's checks in
 * cams-validate.ts, the lenient readers in cams-parse.ts; the rest of the code imports them from here.
 */
export * from './cams-build.js';
export * from './cams-validate.js';
export * from './cams-parse.js';
