/** The AddressBook service of the Telephony Server (a hometel vendor service; see contract.ts). */
export { addressBookContract, addressBookServiceId, addressBookServiceType, AddressBookAction, AddressBookVariable } from './contract.js';
export type { AddressBookActionName, AddressBookContract } from './contract.js';
export { abError, addressBookActionErrors, addressBookErrors, AddressBookErrorCode, isAddressBookErrorCode } from './errors.js';
export { addressBookNamespace, buildContactInfo, buildContactList, buildGroupList, parseContactInfo, parseContactList, parseGroupList } from './contact-xml.js';
export type { FragmentResult } from './contact-xml.js';
export type { AddressBookPort, AddressBookQuery } from './port.js';
export { AddressBookService, type AddressBookServiceOptions } from './address-book-service.js';
