import { decode } from "@agora/protocol";
import type { z } from "zod";
import type { MasterContext } from "../context.js";
import { MaintenanceState } from "../maintenance/schedule.js";
import { registryKeys, registryPrefixes } from "../persistence.js";
import { QuotaInfo } from "../roles/quota.js";
import { ReservationRecord } from "../roles/reservations.js";
import { WeightInfo } from "../roles/weights.js";

/**
 * Loads what the master persists about roles on start: weights, quotas and agents' dynamic
 * reservations (applied when each agent registers again), and the maintenance schedule with its DOWN machines. A record that no longer decodes is
 * logged and skipped: one bad key must not keep the master down.
 */
export async function recoverRegistry(ctx: MasterContext): Promise<void> {
  for (const w of await records(ctx, registryPrefixes.weights, WeightInfo))
    ctx.state.weights.set(w.role, w.weight);
  for (const q of await records(ctx, registryPrefixes.quotas, QuotaInfo)) ctx.state.quotas.set(q.role, q);
  for (const r of await records(ctx, registryPrefixes.reservations, ReservationRecord))
    if (r.resources.length > 0) ctx.state.reservations.set(r.agentId, r.resources);
  const [maintenance] = await records(ctx, registryKeys.maintenance, MaintenanceState);
  if (maintenance) ctx.state.maintenance = maintenance;
}

/** The records under `prefix` that decode; one that does not is logged and skipped. */
export async function records<S extends z.ZodType>(
  ctx: MasterContext,
  prefix: string,
  schema: S,
): Promise<z.infer<S>[]> {
  return [...(await recordsById(ctx, prefix, schema)).values()];
}

/** `records`, by the rest of each key after `prefix` (an agent's or framework's id). */
export async function recordsById<S extends z.ZodType>(
  ctx: MasterContext,
  prefix: string,
  schema: S,
): Promise<Map<string, z.infer<S>>> {
  const out = new Map<string, z.infer<S>>();
  for (const entry of await ctx.store.list(prefix)) {
    const decoded = decode(schema, entry.value);
    if (decoded.ok) out.set(entry.key.slice(prefix.length), decoded.value);
    else
      ctx.options.logger.warn(
        { key: entry.key, error: decoded.error },
        "skipping a registry record that does not decode",
      );
  }
  return out;
}
