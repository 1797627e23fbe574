import type { AgentId, Resource } from "@agora/protocol";
import { cycleSeed } from "./allocator/agent-order.js";
import type {
  AllocationSnapshot,
  Allocator,
  AllocatorAgent,
  AllocatorFramework,
} from "./allocator/drf-allocator.js";
import type { MasterContext } from "./context.js";
import { isHostDown } from "./maintenance/schedule.js";
import { makeOffers } from "./offers.js";
import type { AgentEntry } from "./registry/entries.js";
import { holdingsByRole } from "./registry/holdings.js";
import type { MasterState } from "./registry/master-state.js";
import { allocatorQuotas } from "./roles/quota.js";

/**
 * One allocation cycle: snapshot the registry, ask the allocator, make the offers it plans. With
 * `only`, the cycle visits those agents alone (an event-triggered cycle: Mesos' `allocate(agentIds)`),
 * so a registration among 10,000 agents costs one agent's visit, not 10,000; with quotas set every
 * cycle visits all (the guarantees' headroom is a sum over the whole cluster). Each cycle visits its
 * agents in its own seeded order (see allocator/agent-order.ts).
 */
export function runAllocation(ctx: MasterContext, allocator: Allocator, only?: ReadonlySet<AgentId>): void {
  if (only?.size === 0) return;
  const started = performance.now();
  const visit = ctx.state.quotas.size > 0 ? undefined : only;
  const seed = cycleSeed(ctx.epoch(), ctx.state.allocationCycles++);
  const plans = allocator.allocate({ ...allocationSnapshot(ctx.state, ctx.now(), visit), seed });
  makeOffers(ctx, plans);
  for (const plan of plans) ctx.metrics.offerMade(plan.role);
  ctx.metrics.allocationRan(performance.now() - started);
}

/**
 * What the allocator sees: active agents not on DOWN machines (`only` those, when given, with the
 * cluster's total summed over all of them so shares stay the cluster's), connected frameworks, role
 * settings.
 */
export function allocationSnapshot(
  state: MasterState,
  now: number,
  only?: ReadonlySet<AgentId>,
): AllocationSnapshot {
  const agents: AllocatorAgent[] = [];
  const visit = (a: AgentEntry | undefined) => {
    if (a && offerable(state, a))
      agents.push({ id: a.id, total: a.resources.total, available: a.resources.available });
  };
  if (only === undefined) for (const a of state.agents.values()) visit(a);
  else for (const id of only) visit(state.agents.get(id));
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
  const snapshot = { now, agents, frameworks, weights: state.weights, filters: state.filters, quotas };
  if (only === undefined) return snapshot;
  const total: Resource[] = [];
  for (const [name, scalar] of state.clusterTotal()) total.push({ name, scalar });
  return { ...snapshot, total };
}

/** An agent on a DOWN machine is removed when it goes down; this keeps a late one from being offered. */
function offerable(state: MasterState, a: AgentEntry): boolean {
  return a.active && !isHostDown(state.maintenance, a.info.hostname);
}
