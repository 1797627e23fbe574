import { decode } from "@agora/protocol";
import type { z } from "zod";
import type { MasterContext } from "../context.js";
import { type RegistryPrefix, registrySchemas } from "./records.js";

/**
 * Loads what the master persists about roles on start: weights, quotas and agents' dynamic
 * reservations (applied when each agent registers again), and the maintenance schedule with its DOWN machines. A record that no longer decodes is
 * logged and skipped: one bad key must not keep the master down.
 */
export async function recoverRegistry(ctx: MasterContext): Promise<void> {
  for (const w of await records(ctx, "weights.")) ctx.state.weights.set(w.role, w.weight);
  for (const q of await records(ctx, "quotas.")) ctx.state.quotas.set(q.role, q);
  for (const r of await records(ctx, "reservations."))
    if (r.resources.length > 0) ctx.state.reservations.set(r.agentId, r.resources);
  const [maintenance] = await records(ctx, "maintenance.state");
  if (maintenance) ctx.state.maintenance = maintenance;
}

/** Each prefix's record type, resolved key by key. */
type RegistryRecords = { [P in RegistryPrefix]: z.output<(typeof registrySchemas)[P]> };
type RecordOf<P extends RegistryPrefix> = RegistryRecords[P];

/** The records under `prefix`, read through its schema; one that does not decode is logged and skipped. */
export async function records<P extends RegistryPrefix>(
  ctx: MasterContext,
  prefix: P,
): Promise<RecordOf<P>[]> {
  return [...(await recordsById(ctx, prefix)).values()];
}

/** `records`, by the rest of each key after `prefix` (an agent's or framework's id). */
export function recordsById<P extends RegistryPrefix>(
  ctx: MasterContext,
  prefix: P,
): Promise<Map<string, RecordOf<P>>> {
  // TypeScript cannot follow `registrySchemas[prefix]` to `P`'s record type; the table guarantees it.
  return decodeAll(ctx, prefix, registrySchemas[prefix]) as Promise<Map<string, RecordOf<P>>>;
}

async function decodeAll(
  ctx: MasterContext,
  prefix: string,
  schema: z.ZodType,
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
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
