import { expect } from "vitest";
import { isTransportError, type TransportErrorCode } from "../errors.js";

/** `call` may throw synchronously or reject: both count, as long as it is a TransportError of `code`. */
export async function expectCode(call: () => unknown, code: TransportErrorCode): Promise<void> {
  let error: unknown;
  try {
    await call();
  } catch (err) {
    error = err;
  }
  expect(error, `expected TransportError ${code}`).toSatisfy((e: unknown) => isTransportError(e, code));
}
