/** The home's address book (issue 12). */
export * from './model.js';
