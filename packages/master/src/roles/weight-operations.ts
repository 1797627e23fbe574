import type { MasterContext } from "../context.js";
import { persist } from "../persistence.js";
import { registryKeys } from "../registry/records.js";
import type { WeightInfo } from "./weights.js";

/** Every weight set by an operator, sorted by role (roles not listed weigh 1). */
export function listWeights(ctx: MasterContext): WeightInfo[] {
  return [...ctx.state.weights]
    .map(([role, weight]) => ({ role, weight }))
    .sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
}

/**
 * Sets weights: each is persisted before it takes effect, so a weight the operator was told about
 * survives a restart. Weight 1 is stored too (it overrides nothing but keeps the operator's intent).
 */
export async function updateWeights(ctx: MasterContext, weights: readonly WeightInfo[]): Promise<void> {
  for (const w of weights) {
    await persist(ctx, registryKeys.weight(w.role), w);
    ctx.state.weights.set(w.role, w.weight);
  }
  ctx.requestAllocation();
}
