/**
 * hometel's errors: one base class with a stable string `code` that logs, the CLI's `--json` output and the
 * HTTP API can match on (messages are for people and may change), and the one way to say what any thrown value
 * was.
 */
export abstract class HometelError extends Error {
  /** Stable and machine-readable, e.g. `upnp.fault`, `telcp.timeout`, `media.unsupported`. */
  abstract readonly code: string;
}

/** The message of whatever was thrown (an Error's message, anything else as a string). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An Error's stack (or message) for a log line about an unexpected failure; anything else as a string. */
export function errorDetail(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** Whatever was thrown, as an Error. */
export function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
