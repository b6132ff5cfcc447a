/**
 * The UPnP Telephony specifications as code: the CallManagement:1 and MediaManagement:1 service contracts, their
 * error tables, and the codecs of their XML fragments (cams, mms). Shared by the Telephony Server, the Telephony
 * Client and the control point library.
 */
export * from './call-management/index.js';
export * from './media-management/index.js';
