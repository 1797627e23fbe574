import { encode } from "@agora/protocol";
import type { MasterContext } from "./context.js";
import { MasterError } from "./errors.js";

/**
 * Registry keys: admitted agents, subscribed frameworks (with the failover deadline of a
 * disconnected one), role weights and quotas, agents' dynamic reservations and the maintenance schedule (tasks are not
 * persisted, as in Mesos: agents report them when they reregister). Role names may hold `*` and `/`, which store keys may not, so they are base64url.
 */
export const registryKeys = {
  agent: (id: string) => `${registryPrefixes.agents}${id}`,
  framework: (id: string) => `${registryPrefixes.frameworks}${id}`,
  weight: (role: string) => `${registryPrefixes.weights}${roleKey(role)}`,
  quota: (role: string) => `${registryPrefixes.quotas}${roleKey(role)}`,
  reservations: (agentId: string) => `${registryPrefixes.reservations}${agentId}`,
  failover: (frameworkId: string) => `${registryPrefixes.failovers}${frameworkId}`,
  gone: (agentId: string) => `${registryPrefixes.gone}${agentId}`,
  unreachable: (agentId: string) => `${registryPrefixes.unreachable}${agentId}`,
  /** The maintenance schedule and its DOWN machines, one record so they change together. */
  maintenance: "maintenance.state",
};

export const registryPrefixes = {
  weights: "weights.",
  quotas: "quotas.",
  reservations: "reservations.",
  agents: "agents.",
  frameworks: "frameworks.",
  /** A disconnected framework's failover deadline, so a new leader tears it down on time. */
  failovers: "failovers.",
  /** Agents the operator marked gone, refused by every later leader. */
  gone: "gone.",
  /** Agents removed after missed pings, and since when (Mesos' registry keeps an `unreachable` list). */
  unreachable: "unreachable.",
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

/** Removes a registry record, best effort: a stale one costs a new leader a reregistration wait. */
export function unpersist(ctx: MasterContext, key: string): void {
  ctx.store
    .delete(key)
    .catch((err: unknown) => ctx.options.logger.warn({ err, key }, "registry delete failed"));
}

/** Writes a record a new leader is better off having but this one does not wait for (a failover deadline). */
export function persistLater(ctx: MasterContext, key: string, value: unknown): void {
  ctx.store
    .put(key, encode(value))
    .catch((err: unknown) => ctx.options.logger.warn({ err, key }, "registry write failed"));
}
