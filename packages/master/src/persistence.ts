import { encode } from "@agora/protocol";
import type { z } from "zod";
import type { MasterContext } from "./context.js";
import { MasterError } from "./errors.js";
import type { RegistryKey } from "./registry/records.js";

// Registry writes. A key from `registryKeys` names its record's schema, so the value must have that
// shape: what is written here is what recovery reads back through the same schema.

/** Writes a registry record; the caller admits the agent or framework only once this succeeded. */
export async function persist<S extends z.ZodType>(
  ctx: MasterContext,
  key: RegistryKey<S>,
  value: z.output<S>,
): Promise<void> {
  try {
    await ctx.store.put(key, encode(value));
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

/** Writes a record a new leader is better off having but this one does not wait for (a failover deadline). */
export function persistLater<S extends z.ZodType>(
  ctx: MasterContext,
  key: RegistryKey<S>,
  value: z.output<S>,
): void {
  ctx.store
    .put(key, encode(value))
    .catch((err: unknown) => ctx.options.logger.warn({ err, key }, "registry write failed"));
}
