/**
 * The Presence service of each line's Telephony Server (issue 14; seed 000 6.2.5): TelCPs read the presence of the
 * home's extensions and users and hear it change.
 *
 * Names from UPnP Presence:1 (urn:schemas-upnp-org:service:Presence:1, ISO/IEC 29341-26-16) as the public material
 * shows them (a generated control-point proxy of the service; the specification itself was not available): the
 * actions GetContactPresence(TargetContact → ContactPresence) and GetPresenceOfContactsUpdate(→ ContactPresenceUpdate)
 * and the evented PresenceOfContactsUpdate. hometel implements only these (no UpdatePresence, watchers or
 * authorisation: the presence is computed, not published). The argument types' names (A_ARG_TYPE_…) and the XML shape
 * of the values (presence-xml.ts) are our inference and our own (docs/decisions.md).
 */
import { actionNames, defineContract, defineErrors, inArg, outArg, stateVariableNames, UdaErrorCode, type ActionName } from '../../upnp/index.js';

export const presenceServiceType = 'urn:schemas-upnp-org:service:Presence:1';
export const presenceServiceId = 'urn:upnp-org:serviceId:Presence';

export const presenceContract = defineContract({
  serviceType: presenceServiceType,
  serviceId: presenceServiceId,
  stateVariables: {
    // XML fragment pr:presence: every extension's and user's presence; evented at each change (moderated).
    PresenceOfContactsUpdate: { dataType: 'string', sendEvents: true },
    // An extension number or a user name.
    A_ARG_TYPE_TargetContact: { dataType: 'string', sendEvents: false },
    // XML fragment pr:presence with the one contact asked for.
    A_ARG_TYPE_ContactPresence: { dataType: 'string', sendEvents: false },
  },
  actions: {
    GetContactPresence: [inArg('TargetContact', 'A_ARG_TYPE_TargetContact'), outArg('ContactPresence', 'A_ARG_TYPE_ContactPresence')],
    GetPresenceOfContactsUpdate: [outArg('ContactPresenceUpdate', 'PresenceOfContactsUpdate')],
  },
});

export type PresenceContract = typeof presenceContract;
export const PresenceAction = actionNames(presenceContract);
export type PresenceActionName = ActionName<PresenceContract>;
export const PresenceVariable = stateVariableNames(presenceContract);

/** The service's own code (UDA leaves 700–799 to the service); our choice, as the specification was not available. */
export const PresenceErrorCode = { NoSuchContact: 701 } as const;

const catalogue = defineErrors(PresenceErrorCode, {
  701: { errorDescription: 'No such contact', meaning: 'TargetContact names no extension and no user of the home.' },
});

export const presenceErrors = catalogue.table;
export const presenceError = catalogue.error;

export const presenceActionErrors: Readonly<Record<PresenceActionName, readonly number[]>> = {
  [PresenceAction.GetContactPresence]: [UdaErrorCode.InvalidArgs, PresenceErrorCode.NoSuchContact],
  [PresenceAction.GetPresenceOfContactsUpdate]: [],
};
