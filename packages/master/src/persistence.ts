import { encode } from "@agora/protocol";
import type { MasterContext } from "./context.js";
import { MasterError } from "./errors.js";

/**
 * Registry keys: admitted agents, subscribed frameworks, role weights and quotas, and agents'
 * dynamic reservations (tasks are not persisted,
 * as in Mesos). Role names may hold `*` and `/`, which store keys may not, so they are base64url.
 */
export const registryKeys = {
  agent: (id: string) => `agents.${id}`,
  framework: (id: string) => `frameworks.${id}`,
  weight: (role: string) => `${registryPrefixes.weights}${roleKey(role)}`,
  quota: (role: string) => `${registryPrefixes.quotas}${roleKey(role)}`,
  reservations: (agentId: string) => `${registryPrefixes.reservations}${agentId}`,
};

export const registryPrefixes = {
  weights: "weights.",
  quotas: "quotas.",
  reservations: "reservations.",
};

function roleKey(role: string): string {
  return Buffer.from(role).toString("base64url");
}

/** Writes a registry record; the caller admits the agent or framework only once this succeeded. */
export async function persist(ctx: MasterContext, key: string, value: unknown): Promise<void> {
  try {
    await ctx.store.put(key, encode(value));
  } catch (cause) {
    ctx.options.logger.error({ err: cause, key }, "registry write failed");
    throw new MasterError("STORE_FAILED", `could not write ${key} to the state store`, { cause });
  }
}

/** Removes a registry record, best effort: a stale record is harmless until recovery is built. */
export function unpersist(ctx: MasterContext, key: string): void {
  ctx.store
    .delete(key)
    .catch((err: unknown) => ctx.options.logger.warn({ err, key }, "registry delete failed"));
}
