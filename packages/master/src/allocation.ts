import type { Resource } from "@agora/protocol";
import type {
  AllocationSnapshot,
  Allocator,
  AllocatorAgent,
  AllocatorFramework,
} from "./allocator/drf-allocator.js";
import type { MasterContext } from "./context.js";
import { isHostDown } from "./maintenance/schedule.js";
import { makeOffers } from "./offers.js";
import type { FrameworkEntry } from "./registry/entries.js";
import type { MasterState } from "./registry/master-state.js";
import { allocatorQuotas } from "./roles/quota.js";

/** One allocation cycle: snapshot the registry, ask the allocator, make the offers it plans. */
export function runAllocation(ctx: MasterContext, allocator: Allocator): void {
  const started = performance.now();
  const plans = allocator.allocate(allocationSnapshot(ctx, ctx.now()));
  makeOffers(ctx, plans);
  for (const plan of plans) ctx.metrics.offerMade(plan.role);
  ctx.metrics.allocationRan(performance.now() - started);
}

export function allocationSnapshot(ctx: MasterContext, now: number): AllocationSnapshot {
  const agents: AllocatorAgent[] = [];
  for (const a of ctx.state.agents.values()) {
    // An agent on a DOWN machine is removed when it goes down; this keeps a late one from being offered.
    if (a.active && !isHostDown(ctx.state.maintenance, a.info.hostname))
      agents.push({ id: a.id, total: a.resources.total, available: a.resources.available });
  }
  const frameworks: AllocatorFramework[] = [];
  for (const f of ctx.state.frameworks.values()) {
    if (!f.active || !f.connected) continue;
    frameworks.push({
      id: f.id,
      roles: f.info.roles,
      suppressedRoles: f.suppressedRoles,
      allocated: holdingsByRole(ctx.state, f),
    });
  }
  const quotas = ctx.state.quotas.size > 0 ? allocatorQuotas(ctx.state.quotas) : undefined;
  return { now, agents, frameworks, weights: ctx.state.weights, filters: ctx.state.filters, quotas };
}

/**
 * What a framework holds, per role. The sorters sum scalars, so plain concatenations suffice. A
 * single-role framework holds everything for that role; a multi-role one is split by the role of
 * each offer and task.
 */
export function holdingsByRole(state: MasterState, f: FrameworkEntry): Map<string, Resource[]> {
  if (f.info.roles.length <= 1) return new Map([[f.role, [...f.resources.offered, ...f.resources.used]]]);
  const byRole = new Map<string, Resource[]>();
  const hold = (role: string, resources: readonly Resource[]) => {
    const list = byRole.get(role);
    if (list) list.push(...resources);
    else byRole.set(role, [...resources]);
  };
  for (const id of f.offers) {
    const offer = state.offers.get(id)?.offer;
    if (offer) hold(offer.role, offer.resources);
  }
  for (const t of f.tasks.values()) if (t.holdsResources) hold(t.role, t.task.resources);
  return byRole;
}
