/**
 * A service's own error codes (UDA 1.0 3.2.2 leaves 600-899 to each service) written once: the table,
 * the list of codes, the guard, and the factory for the UpnpError a handler throws.
 */
import { UpnpError } from './upnp-error.js';

export interface ErrorEntry {
  /** The errorDescription sent on the wire, exactly as the spec prints it. */
  readonly errorDescription: string;
  /** When the code applies. Never sent. */
  readonly meaning: string;
}

export interface ErrorCatalogue<Code extends number> {
  readonly table: Readonly<Record<Code, ErrorEntry>>;
  /** In the order of the names given to defineErrors. */
  readonly codes: readonly Code[];
  isCode(this: void, code: number): code is Code;
  /** The UpnpError for a code: the wire errorDescription is always the table's text; `detail` only goes into `message`, for logs. */
  error(this: void, code: Code, detail?: string): UpnpError;
}

/** `names` gives each code a name (`{ InvalidCallID: 703, … }`); `table` must describe exactly those codes. */
export function defineErrors<const Names extends Readonly<Record<string, number>>>(
  names: Names,
  table: Readonly<Record<Names[keyof Names], ErrorEntry>>,
): ErrorCatalogue<Names[keyof Names]> {
  type Code = Names[keyof Names];
  const codes = Object.values(names) as Code[];
  return {
    table,
    codes,
    isCode: (code: number): code is Code => (codes as readonly number[]).includes(code),
    error: (code: Code, detail?: string): UpnpError => {
      const err = new UpnpError(code, table[code].errorDescription);
      if (detail) err.message = `${err.message} (${detail})`;
      return err;
    },
  };
}
