import type {
  AllocationSnapshot,
  Allocator,
  AllocatorAgent,
  AllocatorFramework,
} from "./allocator/drf-allocator.js";
import type { MasterContext } from "./context.js";
import { isHostDown } from "./maintenance/schedule.js";
import { makeOffers } from "./offers.js";
import { holdingsByRole } from "./registry/holdings.js";
import type { MasterState } from "./registry/master-state.js";
import { allocatorQuotas } from "./roles/quota.js";

/** One allocation cycle: snapshot the registry, ask the allocator, make the offers it plans. */
export function runAllocation(ctx: MasterContext, allocator: Allocator): void {
  const started = performance.now();
  const plans = allocator.allocate(allocationSnapshot(ctx.state, ctx.now()));
  makeOffers(ctx, plans);
  for (const plan of plans) ctx.metrics.offerMade(plan.role);
  ctx.metrics.allocationRan(performance.now() - started);
}

/** What the allocator sees: active agents not on DOWN machines, connected frameworks, role settings. */
export function allocationSnapshot(state: MasterState, now: number): AllocationSnapshot {
  const agents: AllocatorAgent[] = [];
  for (const a of state.agents.values()) {
    // An agent on a DOWN machine is removed when it goes down; this keeps a late one from being offered.
    if (a.active && !isHostDown(state.maintenance, a.info.hostname))
      agents.push({ id: a.id, total: a.resources.total, available: a.resources.available });
  }
  const frameworks: AllocatorFramework[] = [];
  for (const f of state.frameworks.values()) {
    if (!f.active || !f.connected) continue;
    frameworks.push({
      id: f.id,
      roles: f.info.roles,
      suppressedRoles: f.suppressedRoles,
      allocated: holdingsByRole(state.offers, f),
    });
  }
  const quotas = state.quotas.size > 0 ? allocatorQuotas(state.quotas) : undefined;
  return { now, agents, frameworks, weights: state.weights, filters: state.filters, quotas };
}
