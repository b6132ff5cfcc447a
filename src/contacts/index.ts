/** The home's address book (issue 12): contacts, their numbers and SIP URIs, import and export, caller classes. */
export * from './model.js';
export {
  ContactsService,
  DEFAULT_MAX_IMPORT_BYTES,
  type CallerClass,
  type ContactParser,
  type ContactsServiceOptions,
  type ImportReport,
  type ListOptions,
} from './contacts-service.js';
export { ContactError, type ContactErrorKind } from './errors.js';
export { addressKey, displayNumber, isTelephoneNumber, planIdentity, planProblem, type NumberPlan } from './numbers.js';
export {
  contactSearchText,
  foldText,
  searchOrder,
  searchTerms,
  type ContactRepository,
  type ContactSearch,
  type KeyedContact,
  type SearchTerms,
} from './repository.js';
export {
  MAX_ADDRESSES,
  MAX_ADDRESS_LENGTH,
  MAX_GROUPS,
  MAX_GROUP_LENGTH,
  MAX_NAME_LENGTH,
  MAX_NOTE_LENGTH,
  MAX_PHOTO_BYTES,
} from './validation.js';
