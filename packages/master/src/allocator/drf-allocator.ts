import { type AgentId, allocatableTo, type FrameworkId, type Resource, subtract } from "@agora/protocol";
import { type DeclineFilter, isFiltered } from "./decline-filter.js";
import { isAllocatable } from "./min-allocatable.js";
import { DrfSorter, type Sorter } from "./sorter.js";

/** An agent as the allocator sees it. `available` = total − offered − used. */
export interface AllocatorAgent {
  readonly id: AgentId;
  readonly total: readonly Resource[];
  readonly available: readonly Resource[];
}

/** A framework as the allocator sees it (only active, connected frameworks are passed in). */
export interface AllocatorFramework {
  readonly id: FrameworkId;
  /** The single role it is offered resources for (its first role, for now). */
  readonly role: string;
  readonly suppressed: boolean;
  /** What it holds: used by its tasks plus outstanding offers (its DRF share). */
  readonly allocated: readonly Resource[];
  readonly filters: ReadonlyMap<AgentId, readonly DeclineFilter[]>;
}

/** A read-only view of everything one allocation cycle needs. */
export interface AllocationSnapshot {
  /** Clock time in ms, for filter expiry. */
  readonly now: number;
  /** In the order agents are visited (deterministic: the caller's order). */
  readonly agents: readonly AllocatorAgent[];
  readonly frameworks: readonly AllocatorFramework[];
}

/** One offer to make: these resources of this agent go to this framework. */
export interface OfferPlan {
  readonly frameworkId: FrameworkId;
  readonly agentId: AgentId;
  readonly role: string;
  readonly resources: Resource[];
}

/** Anything that turns a snapshot into offers; the master depends on this, not on DRF. */
export interface Allocator {
  allocate(snapshot: AllocationSnapshot): OfferPlan[];
}

/**
 * Single-level DRF: each agent's available resources go whole to the first framework in DRF order
 * that may take them (not suppressed, not filtered for that agent, above the minimum allocatable
 * size). Pure and synchronous: no I/O, no clock, no randomness, so a cycle can be replayed.
 * Roles, weights and quota are a later, hierarchical allocator behind the same interface.
 */
export class DrfAllocator implements Allocator {
  constructor(private readonly newSorter: () => Sorter = () => new DrfSorter()) {}

  allocate(snapshot: AllocationSnapshot): OfferPlan[] {
    const frameworks = new Map<string, AllocatorFramework>();
    const sorter = this.newSorter();
    sorter.setTotal(snapshot.agents.flatMap((a) => a.total));
    for (const f of snapshot.frameworks) {
      if (f.suppressed) continue;
      frameworks.set(f.id, f);
      sorter.add(f.id);
      if (f.allocated.length > 0) sorter.allocated(f.id, f.allocated);
    }
    const plans: OfferPlan[] = [];
    if (frameworks.size === 0) return plans;
    for (const agent of snapshot.agents) {
      if (!isAllocatable(agent.available)) continue;
      if (agent.available.some((r) => r.reservation !== undefined)) {
        allocateReserved(agent, sorter, frameworks, snapshot.now, plans);
      } else {
        allocateWhole(agent, sorter, frameworks, snapshot.now, plans);
      }
    }
    return plans;
  }
}

/** The common case: any framework may take all of it, so the first one not filtered gets it. */
function allocateWhole(
  agent: AllocatorAgent,
  sorter: Sorter,
  frameworks: ReadonlyMap<string, AllocatorFramework>,
  now: number,
  plans: OfferPlan[],
): void {
  for (const id of sorter.sort()) {
    const f = frameworks.get(id)!;
    if (isFiltered(f.filters.get(agent.id), agent.available, now)) continue;
    plan(f, agent, agent.available, sorter, plans);
    return;
  }
}

/**
 * An agent with reservations: each framework in turn gets what its role may use (unreserved plus
 * its role's reservations) until nothing allocatable is left.
 */
function allocateReserved(
  agent: AllocatorAgent,
  sorter: Sorter,
  frameworks: ReadonlyMap<string, AllocatorFramework>,
  now: number,
  plans: OfferPlan[],
): void {
  let remaining = agent.available;
  for (const id of sorter.sort()) {
    const f = frameworks.get(id)!;
    const offerable = allocatableTo(remaining, f.role);
    if (!isAllocatable(offerable) || isFiltered(f.filters.get(agent.id), offerable, now)) continue;
    plan(f, agent, offerable, sorter, plans);
    remaining = subtract(remaining, offerable);
    if (!isAllocatable(remaining)) return;
  }
}

function plan(
  f: AllocatorFramework,
  agent: AllocatorAgent,
  offerable: readonly Resource[],
  sorter: Sorter,
  plans: OfferPlan[],
): void {
  const resources = [...offerable];
  plans.push({ frameworkId: f.id, agentId: agent.id, role: f.role, resources });
  sorter.allocated(f.id, resources);
}
