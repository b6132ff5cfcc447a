/**
 * hometel's AddressBook service on the Telephony Server (seed 000, 6.2.7: "The AddressBook service is included in
 * the TS device"): a TelCP reads the home's contacts, looks up the contact of a number, and is told when the
 * address book changed.
 *
 * A vendor service, not UPnP AddressBook:1. That service (UPnP Forum SDCP of 2012-12-10, ISO/IEC 29341-26-14)
 * manages the *network* address book of OMA CAB — ShareContacts, FetchContactInfo, SharePCC, Accept, Reject,
 * ImportContacts, RetrieveIncomingRequests, evented IncomingRequest — and has no action that returns the TS's own
 * contacts (those sit in PhoneManagement's data model). hometel has no network address book to offer, so claiming
 * the UPnP type would advertise seven actions it cannot perform (docs/decisions.md, "AddressBook service").
 *
 * Names follow UPnP habits: paging as ContentDirectory:1's Browse/Search (StartingIndex, RequestedCount,
 * NumberReturned, TotalMatches; a change counter like its SystemUpdateID), XML fragments in strings as
 * CallManagement:1's state variables.
 */
import { actionNames, defineContract, inArg, outArg, stateVariableNames, type ActionName } from '../../upnp/index.js';

export const addressBookServiceType = 'urn:schemas-hometel-org:service:AddressBook:1';
export const addressBookServiceId = 'urn:hometel-org:serviceId:AddressBook';

export const addressBookContract = defineContract({
  serviceType: addressBookServiceType,
  serviceId: addressBookServiceId,
  stateVariables: {
    // Grows by one at every change of the address book (wraps at 2^32 like ContentDirectory's SystemUpdateID);
    // evented, at most once per moderation interval.
    AddressBookUpdateID: { dataType: 'ui4', sendEvents: true },
    A_ARG_TYPE_UpdateID: { dataType: 'ui4', sendEvents: false },
    A_ARG_TYPE_SearchText: { dataType: 'string', sendEvents: false }, // '' = every contact
    A_ARG_TYPE_Group: { dataType: 'string', sendEvents: false }, // '' = any group
    A_ARG_TYPE_Index: { dataType: 'ui4', sendEvents: false },
    A_ARG_TYPE_Count: { dataType: 'ui4', sendEvents: false },
    A_ARG_TYPE_ContactID: { dataType: 'string', sendEvents: false },
    A_ARG_TYPE_Address: { dataType: 'string', sendEvents: false }, // a number in any format or a SIP URI
    A_ARG_TYPE_ContactList: { dataType: 'string', sendEvents: false }, // XML fragment ab:contactList
    A_ARG_TYPE_ContactInfo: { dataType: 'string', sendEvents: false }, // XML fragment ab:contact, or ''
    A_ARG_TYPE_GroupList: { dataType: 'string', sendEvents: false }, // XML fragment ab:groupList
    A_ARG_TYPE_VCards: { dataType: 'string', sendEvents: false }, // text/vcard
  },
  actions: {
    // RequestedCount 0 asks for all; the service returns at most its page size (NumberReturned says how many).
    GetContacts: [
      inArg('SearchText', 'A_ARG_TYPE_SearchText'),
      inArg('Group', 'A_ARG_TYPE_Group'),
      inArg('StartingIndex', 'A_ARG_TYPE_Index'),
      inArg('RequestedCount', 'A_ARG_TYPE_Count'),
      outArg('ContactList', 'A_ARG_TYPE_ContactList'),
      outArg('NumberReturned', 'A_ARG_TYPE_Count'),
      outArg('TotalMatches', 'A_ARG_TYPE_Count'),
      outArg('UpdateID', 'A_ARG_TYPE_UpdateID'),
    ],
    GetContact: [inArg('ContactID', 'A_ARG_TYPE_ContactID'), outArg('ContactInfo', 'A_ARG_TYPE_ContactInfo')],
    // No match is not an error: both outputs are then ''.
    LookupContact: [
      inArg('Address', 'A_ARG_TYPE_Address'),
      outArg('ContactInfo', 'A_ARG_TYPE_ContactInfo'),
      outArg('MatchedAddress', 'A_ARG_TYPE_Address'),
    ],
    GetGroups: [outArg('GroupList', 'A_ARG_TYPE_GroupList')],
    GetVCards: [outArg('VCards', 'A_ARG_TYPE_VCards')],
  },
});

export type AddressBookContract = typeof addressBookContract;
export const AddressBookAction = actionNames(addressBookContract);
export type AddressBookActionName = ActionName<AddressBookContract>;
export const AddressBookVariable = stateVariableNames(addressBookContract);
