import { decode, encode } from "@agora/protocol";
import type { z } from "zod";
import type { MasterContext } from "./context.js";
import { MasterError } from "./errors.js";
import { type RegistryKey, registrySchemaOf } from "./registry/records.js";

// Registry writes, all of them. A key from `registryKeys` names its record's schema, so the value
// must have that shape; and each record is read back through that schema before it is written, as
// recovery will read it, so one that a later leader would skip fails here, loudly, with its key.

/** Writes a registry record; the caller admits the agent or framework only once this succeeded. */
export async function persist<S extends z.ZodType>(
  ctx: MasterContext,
  key: RegistryKey<S>,
  value: z.output<S>,
): Promise<void> {
  const bytes = record(key, value);
  try {
    await ctx.store.put(key, bytes);
  } catch (cause) {
    ctx.options.logger.error({ err: cause, key }, "registry write failed");
    throw new MasterError("STORE_FAILED", `could not write ${key} to the state store`, { cause });
  }
}

/** Removes a registry record, best effort: a stale one costs a new leader a reregistration wait. */
export function unpersist(ctx: MasterContext, key: RegistryKey<z.ZodType>): void {
  ctx.store
    .delete(key)
    .catch((err: unknown) => ctx.options.logger.warn({ err, key }, "registry delete failed"));
}

/**
 * Removes a registry record before the caller's change applies (a quota stops only once forgotten);
 * `what` names it for the operator (`the quota of 'eng'`).
 */
export async function unpersistNow(
  ctx: MasterContext,
  key: RegistryKey<z.ZodType>,
  what: string,
): Promise<void> {
  try {
    await ctx.store.delete(key);
  } catch (cause) {
    throw new MasterError("STORE_FAILED", `could not delete ${what}`, { cause });
  }
}

/** Writes a record a new leader is better off having but this one does not wait for (a failover deadline). */
export function persistLater<S extends z.ZodType>(
  ctx: MasterContext,
  key: RegistryKey<S>,
  value: z.output<S>,
): void {
  let bytes: Uint8Array;
  try {
    bytes = record(key, value);
  } catch (err) {
    // Nobody waits for this write: a record that would not read back is logged, not thrown at a timer.
    ctx.options.logger.error({ err, key }, "registry record does not match its schema");
    return;
  }
  ctx.store
    .put(key, bytes)
    .catch((err: unknown) => ctx.options.logger.warn({ err, key }, "registry write failed"));
}

/** `value` as stored, once it reads back through its key's schema. */
function record(key: string, value: unknown): Uint8Array {
  const bytes = encode(value);
  const schema = registrySchemaOf(key);
  const decoded = schema
    ? decode(schema, bytes)
    : { ok: false as const, error: new Error("no schema has this key's prefix") };
  if (!decoded.ok)
    throw new MasterError(
      "INTERNAL",
      `registry record ${key} would not read back: ${decoded.error.message}`,
      {
        cause: decoded.error,
      },
    );
  return bytes;
}
