/**
 * The address book's file formats: readers (vCard 3.0/4.0, the FRITZ!Box phonebook XML, CSV with a header row) that
 * turn a file into drafts and problems, and writers (vCard, the desk phones' remote phonebook XML). Pure functions:
 * no storage, no I/O.
 */
export { parseCsv } from './csv.js';
export { parseFritzbox } from './fritzbox.js';
export { blockedProperty, parseVcard, vipProperty } from './vcard-read.js';
export { writeVcard } from './vcard-write.js';
export { writePhonebook } from './phonebooks.js';
