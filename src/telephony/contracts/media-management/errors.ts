/**
 * The service-specific error codes of MediaManagement:1 as hometel answers them.
 *
 * The MediaManagement:1 spec and its error table are not among hometel's sources and Appendix C of
 * CallManagement:1 prints no MediaManagement fault, so these codes are hometel's own (docs/decisions.md).
 * Each one takes the number and text CallManagement:1 (Table 2-54) gives the analogous error, so that a
 * control point that knows CallManagement reads them the same way: an unknown target ID is 703 (CallManagement
 * "Invalid CallID"), an unusable media capability 707, no resources 708, an action the session's status does
 * not allow 712. UDA's own codes (401, 402, 501, 600 …) come from udaError() and are not repeated here.
 */
import { defineErrors } from '../../../upnp/index.js';
import { MediaManagementAction as A, type MediaManagementActionName } from './contract.js';

export const MediaManagementErrorCode = {
  InvalidMediaSessionID: 703,
  InvalidMediaCapability: 707,
  Busy: 708,
  InvalidMediaSessionStatus: 712,
} as const;
export type MediaManagementErrorCode = (typeof MediaManagementErrorCode)[keyof typeof MediaManagementErrorCode];

const catalogue = defineErrors(MediaManagementErrorCode, {
  703: {
    errorDescription: 'Invalid MediaSessionID',
    meaning: 'The TargetMediaSessionID names no Media Session of this TC (never started, or released after it stopped).',
  },
  707: {
    errorDescription: 'Invalid Media Capability',
    meaning:
      'The media capability parses but cannot be used: empty, no <mediaCapability>, not readable SDP, or nothing in it that the TC supports.',
  },
  708: { errorDescription: 'Busy', meaning: 'No resource to create a Media Session is left (session limit, ports).' },
  712: {
    errorDescription: 'Invalid Media Session Status',
    meaning: 'The action is not allowed in the Media Session status (it has stopped, or a modification is under way).',
  },
});

export const mediaManagementErrors = catalogue.table;
export const isMediaManagementErrorCode = catalogue.isCode;
/** The UpnpError for one of the service's codes; `detail` goes only into `message` (logs), never on the wire. */
export const mmError = catalogue.error;

/** Which service-specific codes each action may answer (besides UDA's 401/402/501). */
export const mediaManagementActionErrors: Readonly<Record<MediaManagementActionName, readonly MediaManagementErrorCode[]>> = {
  [A.GetMediaCapabilities]: [707],
  [A.StartMediaSession]: [707, 708],
  [A.StopMediaSession]: [703, 712],
  [A.ModifyMediaSession]: [703, 707, 712],
  [A.GetMediaSessionInfo]: [703],
};
