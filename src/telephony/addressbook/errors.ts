/**
 * The AddressBook service's own error codes (UDA 1.0 3.2.2 leaves 700-799 to the service), in the style of the
 * UPnP error tables: ContentDirectory:1 answers 701 "No such object" and 710 "No such container"; ours are the
 * same ideas for contacts and groups. UDA's codes come from udaError(): 402 for a missing or empty argument,
 * 602 for GetVCards when the address book cannot export, 501 when the address book failed.
 */
import { defineErrors, UdaErrorCode } from '../../upnp/index.js';
import { AddressBookAction as A, type AddressBookActionName } from './contract.js';

export const AddressBookErrorCode = {
  NoSuchContact: 701,
  NoSuchGroup: 702,
} as const;
export type AddressBookErrorCode = (typeof AddressBookErrorCode)[keyof typeof AddressBookErrorCode];

const catalogue = defineErrors(AddressBookErrorCode, {
  701: { errorDescription: 'No such contact', meaning: 'The ContactID names no contact of the address book.' },
  702: { errorDescription: 'No such group', meaning: 'The Group names no group of the address book.' },
});

export const addressBookErrors = catalogue.table;
export const isAddressBookErrorCode = catalogue.isCode;
/** The UpnpError for one of the codes; `detail` only goes into `message`, for logs. */
export const abError = catalogue.error;

/** The codes each action may answer besides 401/501 (the UDA codes it uses itself included). */
export const addressBookActionErrors: Readonly<Record<AddressBookActionName, readonly number[]>> = {
  [A.GetContacts]: [UdaErrorCode.InvalidArgs, AddressBookErrorCode.NoSuchGroup],
  [A.GetContact]: [UdaErrorCode.InvalidArgs, AddressBookErrorCode.NoSuchContact],
  [A.LookupContact]: [UdaErrorCode.InvalidArgs],
  [A.GetGroups]: [],
  [A.GetVCards]: [UdaErrorCode.OptionalActionNotImplemented],
};
