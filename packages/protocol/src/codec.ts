import type { z } from "zod";
import { ProtocolError } from "./errors.js";
import { EXACT, exactCheck } from "./exact-check.js";
import { firstIssue } from "./zod-issue.js";

const decoder = new TextDecoder();

/**
 * `value` as JSON bytes. A message under 4 KiB is a slice of Node's shared 8 KiB buffer pool rather
 * than a buffer of its own: `TextEncoder.encode` allocates a fresh ArrayBuffer per call, which made it
 * cost as much as the `JSON.stringify` before it for the master's small messages (acknowledgements,
 * updates). The bytes are meant to be sent and dropped; the buses and stores copy what they keep.
 */
export function encode(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

/**
 * Parses and validates a bus payload. Never throws: receivers drop, log and count what fails,
 * and the error names the first offending field.
 */
export function decode<S extends z.ZodType>(schema: S, bytes: Uint8Array): Decoded<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    return { ok: false, error: new ProtocolError("INVALID_MESSAGE", "payload is not JSON", { cause }) };
  }
  // Exactly what zod would return (a valid message with nothing to fill in or strip): zod need not copy it.
  if (exactCheck(schema)(json) === EXACT) return { ok: true, value: json as z.infer<S> };
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const { field, message } = firstIssue(parsed.error);
  return {
    ok: false,
    error: new ProtocolError("INVALID_MESSAGE", `${field || "(root)"}: ${message}`, {
      field,
      cause: parsed.error,
    }),
  };
}
