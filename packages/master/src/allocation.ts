import type { AgentId, Resource } from "@agora/protocol";
import { cycleSeed } from "./allocator/agent-order.js";
import type {
  AllocationSnapshot,
  Allocator,
  AllocatorAgent,
  AllocatorFramework,
  ClusterQuantities,
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
 * so a registration among 10,000 agents costs one agent's visit, not 10,000, with quotas set too
 * (the snapshot then carries the cluster's reservations and pool, which the guarantees' headroom is
 * reckoned against). Each cycle visits its agents in its own seeded order (see allocator/agent-order.ts).
 */
export function runAllocation(ctx: MasterContext, allocator: Allocator, only?: ReadonlySet<AgentId>): void {
  if (only?.size === 0) return;
  const started = performance.now();
  const seed = cycleSeed(ctx.epoch(), ctx.state.allocationCycles++);
  const plans = allocator.allocate(cycleSnapshot(ctx.state, ctx.now(), seed, only));
  makeOffers(ctx, plans);
  for (const plan of plans) ctx.metrics.offerMade(plan.role);
  ctx.metrics.allocationRan(performance.now() - started);
}

/**
 * The snapshot one cycle allocates from: `only` those agents (an event's), or every agent when none
 * are named. Apart from `runAllocation` so the allocator benchmark times the master's own snapshot
 * of its books.
 */
export function cycleSnapshot(
  state: MasterState,
  now: number,
  seed: number,
  only?: ReadonlySet<AgentId>,
): AllocationSnapshot {
  return { ...allocationSnapshot(state, now, only), seed };
}

/**
 * What the allocator sees: active agents not on DOWN machines (`only` those, when given, with the
 * cluster's total summed over all of them so shares stay the cluster's, and with quotas set the
 * cluster's reservations and pool), connected frameworks, role settings. Going down removes an agent;
 * the DOWN check keeps a late one from being offered.
 */
export function allocationSnapshot(
  state: MasterState,
  now: number,
  only?: ReadonlySet<AgentId>,
): AllocationSnapshot {
  const agents: AllocatorAgent[] = [];
  // Most clusters have no machine DOWN: then no agent's hostname needs matching against them.
  const anyDown = state.maintenance.down.length > 0;
  const visit = (a: AgentEntry | undefined) => {
    if (a?.active && !(anyDown && isHostDown(state.maintenance, a.info.hostname)))
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
  return { ...snapshot, total, cluster: quotas ? clusterQuantities(state) : undefined };
}

/**
 * The cluster's reservations and unreserved available scalars, from sums the books keep (Mesos
 * reckons its headroom the same way, total less allocated): the registered agents' totals less what
 * frameworks hold. O(roles + frameworks), no pass over the agents; an agent on a DOWN machine counts
 * until it is removed, which going down does at once.
 */
function clusterQuantities(state: MasterState): ClusterQuantities {
  const reserved: Resource[] = [];
  const unreservedAvailable = new Map(state.clusterTotal());
  const take = (name: string, amount: number) =>
    unreservedAvailable.set(name, (unreservedAvailable.get(name) ?? 0) - amount);
  for (const [role, byName] of state.clusterReserved()) {
    for (const [name, scalar] of byName) {
      reserved.push({ name, scalar, reservation: { role, type: "static" } });
      take(name, scalar);
    }
  }
  for (const f of state.frameworks.values()) {
    for (const held of [f.resources.offered, f.resources.used])
      for (const r of held) if (!r.reservation && "scalar" in r) take(r.name, r.scalar);
  }
  return { reserved, unreservedAvailable };
}
