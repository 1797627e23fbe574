import { TransportError } from "./errors.js";

const KEY = /^[A-Za-z0-9_=-]+(\.[A-Za-z0-9_=-]+)*$/;
// A prefix is a key, or the start of one: whole tokens each followed by '.', then part of a token.
const PREFIX = /^([A-Za-z0-9_=-]+\.)*[A-Za-z0-9_=-]*$/;

/** Throws `TransportError` `INVALID_KEY` unless `key` is `.`-separated `[A-Za-z0-9_=-]` tokens. */
export function assertValidKey(key: string): void {
  if (!KEY.test(key)) {
    throw new TransportError("INVALID_KEY", `invalid state store key ${JSON.stringify(key)}`, {
      target: key,
    });
  }
}

/** Throws `TransportError` `INVALID_KEY` unless `prefix` could start a valid key ("" matches all). */
export function assertValidPrefix(prefix: string): void {
  if (!PREFIX.test(prefix)) {
    throw new TransportError("INVALID_KEY", `invalid state store prefix ${JSON.stringify(prefix)}`, {
      target: prefix,
    });
  }
}

/** Orders keys the same way in every store (UTF-16 code units; keys are ASCII). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
