import type { AgentId } from "@agora/protocol";
import { isLive } from "./allocator/decline-filter.js";
import type {
  AllocationSnapshot,
  Allocator,
  AllocatorAgent,
  AllocatorFramework,
} from "./allocator/drf-allocator.js";
import type { MasterContext } from "./context.js";
import { makeOffers } from "./offers.js";

/** One allocation cycle: snapshot the registry, ask the allocator, make the offers it plans. */
export function runAllocation(ctx: MasterContext, allocator: Allocator): void {
  const started = performance.now();
  const now = ctx.now();
  pruneExpiredFilters(ctx, now);
  const plans = allocator.allocate(allocationSnapshot(ctx, now));
  makeOffers(ctx, plans);
  ctx.metrics.allocationRan(performance.now() - started);
}

export function allocationSnapshot(ctx: MasterContext, now: number): AllocationSnapshot {
  const agents: AllocatorAgent[] = [];
  for (const a of ctx.state.agents.values()) {
    if (a.active) agents.push({ id: a.id, total: a.resources.total, available: a.resources.available });
  }
  const frameworks: AllocatorFramework[] = [];
  for (const f of ctx.state.frameworks.values()) {
    if (!f.active || !f.connected) continue;
    frameworks.push({
      id: f.id,
      role: f.role,
      suppressed: f.suppressed,
      // The sorter sums scalars, so a plain concatenation is enough (no normalization needed).
      allocated: [...f.resources.offered, ...f.resources.used],
      filters: f.filters,
    });
  }
  return { now, agents, frameworks };
}

function pruneExpiredFilters(ctx: MasterContext, now: number): void {
  for (const f of ctx.state.frameworks.values()) {
    for (const [agentId, filters] of f.filters) {
      const live = filters.filter((x) => isLive(x, now));
      if (live.length === 0) f.filters.delete(agentId as AgentId);
      else if (live.length !== filters.length) f.filters.set(agentId, live);
    }
  }
}
