import { type AgentId, add, allocatableTo, type FrameworkId, type Resource, subtract } from "@agora/protocol";
import { shuffled } from "./agent-order.js";
import { hasBit, NO_FILTERS, type OfferFilters } from "./filter-index.js";
import { isAllocatable } from "./min-allocatable.js";
import { capUnreserved, QuotaLedger, type RoleQuota } from "./quota.js";
import { RoleSorter } from "./role-sorter.js";
import { DrfSorter } from "./sorter.js";

/** An agent as the allocator sees it. `available` = total − offered − used. */
export interface AllocatorAgent {
  readonly id: AgentId;
  readonly total: readonly Resource[];
  readonly available: readonly Resource[];
}

/** A framework as the allocator sees it (only active, connected frameworks are passed in). */
export interface AllocatorFramework {
  readonly id: FrameworkId;
  /** The roles it is offered resources for (its subscribed roles). */
  readonly roles: readonly string[];
  /** Roles it suppressed: no offers for them until it revives. */
  readonly suppressedRoles: ReadonlySet<string>;
  /** What it holds per role: used by its tasks plus outstanding offers (its DRF share). */
  readonly allocated: ReadonlyMap<string, readonly Resource[]>;
}

/** A read-only view of everything one allocation cycle needs. */
export interface AllocationSnapshot {
  /** Clock time in ms, for filter expiry. */
  readonly now: number;
  /** The agents to offer, visited in this order unless `seed` is given. */
  readonly agents: readonly AllocatorAgent[];
  /**
   * Shuffles the order agents are visited in, the same way for the same seed (`cycleSeed`: the
   * master's epoch and cycle count), so offers spread over the cluster and a run replays. Without
   * one, agents are visited in the order given.
   */
  readonly seed?: number;
  /**
   * The cluster's total, when `agents` are only those to visit (an event-triggered cycle): shares
   * are fractions of the whole cluster, not of the agents visited. Default: the sum over `agents`.
   */
  readonly total?: readonly Resource[];
  readonly frameworks: readonly AllocatorFramework[];
  /** Role weights (default 1). */
  readonly weights?: ReadonlyMap<string, number>;
  /** Decline filters (default: none). */
  readonly filters?: OfferFilters;
  /** Role quotas (default: none). */
  readonly quotas?: ReadonlyMap<string, RoleQuota>;
  /**
   * With quotas, when `agents` are only those to visit: what the quota stages need of the whole
   * cluster, so an event's cycle visits its agents alone yet holds back the same headroom. Default:
   * summed over `agents`.
   */
  readonly cluster?: ClusterQuantities;
}

/** Sums over every offerable agent of the cluster, for a cycle that visits only some of them. */
export interface ClusterQuantities {
  /** Every reserved entry of every agent's total: reservations count as consumed by their role's quota. */
  readonly reserved: readonly Resource[];
  /** The unreserved available scalars, by name: the pool the guarantees' headroom is held back from. */
  readonly unreservedAvailable: ReadonlyMap<string, number>;
}

/** One offer to make: these resources of this agent go to this framework, for this role. */
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

/** At most this many unfiltered frameworks on an agent are ranked directly instead of walking the order. */
const DIRECT_PICK_LIMIT = 16;

/**
 * Hierarchical weighted DRF (Mesos' HierarchicalDRF allocator): roles are ranked by weighted
 * dominant share (`RoleSorter`), frameworks inside each role by dominant share (`DrfSorter`), and
 * each agent's available resources go whole to the first (role, framework) in that order that may
 * take them: not suppressed for the role, not filtered on the agent. An agent with reservations is
 * split: each role gets its own reservations plus what is unreserved.
 *
 * With quotas the cycle has Mesos' two stages: first, across the agents visited, roles with unmet
 * guarantees get what they still miss (and a proportional slice of the agent's other resources);
 * then fair-share allocation hands out the rest, never past a role's limits and never into the
 * headroom (Σ unmet guarantees, nested quotas counted at each level) that unsatisfied roles may
 * still need, out of the cluster's pool (`snapshot.cluster` when only some agents are visited).
 * Pure and synchronous.
 */
export class DrfAllocator implements Allocator {
  allocate(snapshot: AllocationSnapshot): OfferPlan[] {
    const cycle = new Cycle(snapshot);
    const plans: OfferPlan[] = [];
    if (cycle.isEmpty()) return plans;
    const agents = snapshot.seed === undefined ? snapshot.agents : shuffled(snapshot.agents, snapshot.seed);
    if (cycle.hasQuota()) {
      cycle.allocateWithQuota(agents, plans);
      return mergePlans(plans);
    }
    for (const agent of agents) {
      if (!isAllocatable(agent.available)) continue;
      if (agent.available.some((r) => r.reservation !== undefined)) cycle.allocateReserved(agent, plans);
      else cycle.allocateWhole(agent, plans);
    }
    return plans;
  }
}

interface Member {
  readonly framework: AllocatorFramework;
  readonly slot: number | undefined;
  /** The roles it takes offers for this cycle. */
  readonly roles: readonly string[];
}

/** The frameworks whose filters cover all of one agent, and the few others when they are few. */
interface Unfiltered {
  readonly blocked: Uint32Array | undefined;
  readonly candidates: readonly Member[] | undefined;
}

const UNFILTERED: Unfiltered = { blocked: undefined, candidates: undefined };

/** One cycle's sorters and indexes, built from the snapshot. */
class Cycle {
  private readonly roles = new RoleSorter();
  private readonly frameworksOf = new Map<string, DrfSorter>();
  private readonly members = new Map<string, Member>();
  private readonly bySlot: (Member | undefined)[] = [];
  /** Members without a filter anywhere: never blocked. */
  private readonly unslotted: Member[] = [];
  private readonly slotWords: Uint32Array;
  private readonly filters: OfferFilters;
  private readonly now: number;
  private readonly quota: QuotaLedger | undefined;
  private readonly cluster: ClusterQuantities | undefined;
  private roleRank = new Map<string, number>();
  private rankedOrder: readonly string[] | undefined;

  constructor(snapshot: AllocationSnapshot) {
    this.now = snapshot.now;
    this.filters = snapshot.filters ?? NO_FILTERS;
    const total = summedScalars(snapshot.total ? [snapshot.total] : snapshot.agents.map((a) => a.total));
    this.roles.setTotal(total);
    for (const [role, weight] of snapshot.weights ?? []) this.roles.setWeight(role, weight);
    let maxSlot = -1;
    for (const f of snapshot.frameworks) {
      const roles = f.roles.filter((r) => !f.suppressedRoles.has(r));
      if (roles.length === 0) continue;
      const slot = this.filters.slotOf(f.id);
      const member: Member = { framework: f, slot, roles };
      this.members.set(f.id, member);
      if (slot === undefined) this.unslotted.push(member);
      else {
        this.bySlot[slot] = member;
        maxSlot = Math.max(maxSlot, slot);
      }
      for (const role of roles) {
        this.roles.add(role);
        let sorter = this.frameworksOf.get(role);
        if (!sorter) {
          sorter = new DrfSorter();
          sorter.setTotal(total);
          this.frameworksOf.set(role, sorter);
        }
        sorter.add(f.id);
        const held = f.allocated.get(role);
        if (held && held.length > 0) {
          sorter.allocated(f.id, held);
          this.roles.allocated(role, held);
        }
      }
    }
    // No member with a filter: no words (`-1 >>> 5` is 2^27 − 1: a 512 MB array, walked word by word).
    this.slotWords = new Uint32Array(maxSlot < 0 ? 0 : (maxSlot >>> 5) + 1);
    for (let s = 0; s <= maxSlot; s++) if (this.bySlot[s]) this.slotWords[s >>> 5]! |= 1 << (s & 31);
    if (snapshot.quotas && snapshot.quotas.size > 0) {
      this.cluster = snapshot.cluster;
      this.quota = new QuotaLedger(
        snapshot.quotas,
        snapshot.cluster?.reserved ?? reservedIn(snapshot.agents),
        snapshot.frameworks.flatMap((f) =>
          [...f.allocated].map(([role, resources]) => ({ role, resources })),
        ),
      );
    }
  }

  isEmpty(): boolean {
    return this.members.size === 0;
  }

  hasQuota(): boolean {
    return this.quota !== undefined;
  }

  /** Both quota stages over all agents (see `DrfAllocator`). */
  allocateWithQuota(agents: readonly AllocatorAgent[], plans: OfferPlan[]): void {
    const ledger = this.quota!;
    const remaining = new Map<AgentId, readonly Resource[]>();
    const left = (a: AllocatorAgent) => remaining.get(a.id) ?? a.available;
    for (const agent of agents) {
      if (ledger.headroom().size === 0) break;
      let rest = left(agent);
      const unfiltered = this.unfilteredOn(agent);
      for (const role of this.rolesFor(unfiltered)) {
        if (!isAllocatable(rest)) break;
        const need = ledger.needOf(role);
        if (need.size === 0) continue;
        const offerable = guaranteePortion(usableBy(rest, role), need, ledger.limitRoom(role));
        if (isAllocatable(offerable) && this.offerToRole(role, agent, offerable, plans, unfiltered)) {
          rest = remainder(rest, offerable);
        }
      }
      remaining.set(agent.id, rest);
    }
    const pool = new Map<string, number>();
    if (this.cluster) {
      // The cluster's pool less what stage one took here: agents not visited keep theirs in it.
      for (const [name, amount] of this.cluster.unreservedAvailable) pool.set(name, amount);
      for (const agent of agents) {
        addUnreservedScalars(pool, agent.available, -1);
        addUnreservedScalars(pool, left(agent), 1);
      }
    } else for (const agent of agents) addUnreservedScalars(pool, left(agent), 1);
    for (const agent of agents) {
      let rest = left(agent);
      const unfiltered = this.unfilteredOn(agent);
      for (const role of this.rolesFor(unfiltered)) {
        if (!isAllocatable(rest)) break;
        const offerable = capUnreserved(usableBy(rest, role), this.fairShareCaps(role, pool));
        if (isAllocatable(offerable) && this.offerToRole(role, agent, offerable, plans, unfiltered)) {
          rest = remainder(rest, offerable);
          addUnreservedScalars(pool, offerable, -1);
        }
      }
    }
  }

  /** Limits of the role, and the cluster's unreserved pool less the headroom others still need. */
  private fairShareCaps(role: string, pool: ReadonlyMap<string, number>): ReadonlyMap<string, number> {
    const ledger = this.quota!;
    const headroom = ledger.headroom();
    if (headroom.size === 0) return ledger.limitRoom(role);
    const caps = new Map(ledger.limitRoom(role));
    const own = ledger.needOf(role);
    for (const [name, held] of headroom) {
      const room = Math.max(0, (pool.get(name) ?? 0) - held + (own.get(name) ?? 0));
      caps.set(name, Math.min(caps.get(name) ?? Number.POSITIVE_INFINITY, room));
    }
    return caps;
  }

  /**
   * Which frameworks may still take part of the agent. A framework whose filters cover all the agent
   * has (bit in `blocked`) covers every part of it too, so only the others need the exact check;
   * when they are few (`candidates`) they are ranked directly instead of walking each role's order.
   */
  private unfilteredOn(agent: AllocatorAgent): Unfiltered {
    const blocked = this.filters.blockedOn(agent.id, agent.available, this.now);
    return blocked ? { blocked, candidates: this.unblockedMembers(blocked) } : UNFILTERED;
  }

  /**
   * The roles to try on an agent, in order: only the few unfiltered frameworks' roles when they are
   * known (no other role could be offered it), without ranking every role when there is one.
   */
  private rolesFor({ candidates }: Unfiltered): readonly string[] {
    if (!candidates) return this.roles.sort();
    if (candidates.length === 1) {
      const only = candidates[0]!.roles;
      if (only.length === 1) return only;
    }
    if (candidates.length === 0) return [];
    const wanted = new Set(candidates.flatMap((m) => m.roles));
    return this.roles.sort().filter((r) => wanted.has(r));
  }

  /** Offers to the first framework of the role not filtered on the agent; false when none may take it. */
  private offerToRole(
    role: string,
    agent: AllocatorAgent,
    offerable: readonly Resource[],
    plans: OfferPlan[],
    { blocked, candidates }: Unfiltered,
  ): boolean {
    const sorter = this.frameworksOf.get(role)!;
    const order = candidates ? rankedIn(role, sorter, candidates) : sorter.sort();
    for (const id of order) {
      const member = this.members.get(id)!;
      if (blocked && member.slot !== undefined && hasBit(blocked, member.slot)) continue;
      if (this.filters.isFiltered(id as FrameworkId, agent.id, offerable, this.now)) continue;
      this.plan(member, role, agent, offerable, plans);
      return true;
    }
    return false;
  }

  /** The common case: nothing reserved, so the first (role, framework) not filtered gets it all. */
  allocateWhole(agent: AllocatorAgent, plans: OfferPlan[]): void {
    const blocked = this.filters.blockedOn(agent.id, agent.available, this.now);
    const pick = blocked ? this.pickUnblocked(blocked) : this.first(() => true);
    if (pick) this.plan(pick.member, pick.role, agent, agent.available, plans);
  }

  /**
   * An agent with reservations: roles in order, each offered what it may use (unreserved plus
   * reservations for it or its ancestors), until nothing allocatable is left.
   */
  allocateReserved(agent: AllocatorAgent, plans: OfferPlan[]): void {
    let remaining = agent.available;
    for (const role of this.roles.sort()) {
      const offerable = allocatableTo(remaining, role);
      if (!isAllocatable(offerable)) continue;
      for (const id of this.frameworksOf.get(role)!.sort()) {
        if (this.filters.isFiltered(id as FrameworkId, agent.id, offerable, this.now)) continue;
        this.plan(this.members.get(id)!, role, agent, offerable, plans);
        remaining = subtract(remaining, offerable);
        break;
      }
      if (!isAllocatable(remaining)) return;
    }
  }

  private pickUnblocked(blocked: Uint32Array): { member: Member; role: string } | undefined {
    const candidates = this.unblockedMembers(blocked);
    if (candidates === undefined) return this.first((m) => m.slot === undefined || !hasBit(blocked, m.slot));
    let best: { member: Member; role: string } | undefined;
    for (const member of candidates) {
      for (const role of member.roles) {
        if (!best || this.before(member, role, best.member, best.role)) best = { member, role };
      }
    }
    return best;
  }

  /** The unblocked members when there are few of them (found word by word), else undefined. */
  private unblockedMembers(blocked: Uint32Array): Member[] | undefined {
    if (this.unslotted.length > DIRECT_PICK_LIMIT) return undefined;
    const found = [...this.unslotted];
    for (let w = 0; w < this.slotWords.length; w++) {
      let bits = this.slotWords[w]! & ~(blocked[w] ?? 0);
      while (bits !== 0) {
        const low = bits & -bits;
        found.push(this.bySlot[w * 32 + 31 - Math.clz32(low)]!);
        if (found.length > DIRECT_PICK_LIMIT) return undefined;
        bits ^= low;
      }
    }
    return found;
  }

  /** The first (role, framework) in hierarchical DRF order whose member passes `ok`. */
  private first(ok: (m: Member) => boolean): { member: Member; role: string } | undefined {
    for (const role of this.roles.sort()) {
      for (const id of this.frameworksOf.get(role)!.sort()) {
        const member = this.members.get(id)!;
        if (ok(member)) return { member, role };
      }
    }
    return undefined;
  }

  private before(a: Member, roleA: string, b: Member, roleB: string): boolean {
    if (roleA !== roleB) return this.rankOf(roleA) < this.rankOf(roleB);
    return this.frameworksOf.get(roleA)!.compare(a.framework.id, b.framework.id) < 0;
  }

  private rankOf(role: string): number {
    const order = this.roles.sort();
    if (order !== this.rankedOrder) {
      this.roleRank = new Map(order.map((r, i) => [r, i]));
      this.rankedOrder = order;
    }
    return this.roleRank.get(role)!;
  }

  private plan(
    member: Member,
    role: string,
    agent: AllocatorAgent,
    offerable: readonly Resource[],
    plans: OfferPlan[],
  ): void {
    const resources = [...offerable];
    plans.push({ frameworkId: member.framework.id, agentId: agent.id, role, resources });
    this.frameworksOf.get(role)!.allocated(member.framework.id, resources);
    this.roles.allocated(role, resources);
    this.quota?.charge(role, resources);
  }
}

/**
 * Stage one's slice of an agent for a role short of its guarantee: its reservations, the missing
 * amounts of the guaranteed resources, and as large a share of the agent's other unreserved
 * resources as it takes of the guaranteed ones (a task needs memory with its CPUs); all within
 * the role's limits.
 */
function guaranteePortion(
  offerable: readonly Resource[],
  need: ReadonlyMap<string, number>,
  limitRoom: ReadonlyMap<string, number>,
): Resource[] {
  let fraction = 0;
  for (const r of offerable) {
    const missing = need.get(r.name);
    if (r.reservation || !("scalar" in r) || missing === undefined || r.scalar <= 0) continue;
    fraction = Math.max(fraction, Math.min(1, missing / r.scalar));
  }
  const out: Resource[] = [];
  for (const r of offerable) {
    if (r.reservation) out.push(r);
    else if (!("scalar" in r)) {
      if (fraction > 0) out.push(r);
    } else {
      const wanted = need.get(r.name) ?? r.scalar * fraction;
      const scalar = Math.floor(Math.min(r.scalar, wanted, limitRoom.get(r.name) ?? wanted) * 1000) / 1000;
      if (scalar > 0) out.push({ ...r, scalar });
    }
  }
  return out;
}

/** One offer per (framework, agent, role): both stages may give the same framework part of an agent. */
function mergePlans(plans: readonly OfferPlan[]): OfferPlan[] {
  const merged = new Map<string, OfferPlan>();
  for (const p of plans) {
    const key = `${p.frameworkId}|${p.agentId}|${p.role}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, resources: add(seen.resources, p.resources) } : p);
  }
  return [...merged.values()];
}

/** What of `rest` the role may use: all of it when nothing is reserved (no copy), else `allocatableTo`. */
function usableBy(rest: readonly Resource[], role: string): readonly Resource[] {
  return rest.some((r) => r.reservation !== undefined) ? allocatableTo(rest, role) : rest;
}

/** Every reserved entry of the agents' totals. */
function reservedIn(agents: readonly AllocatorAgent[]): Resource[] {
  const out: Resource[] = [];
  for (const a of agents) for (const r of a.total) if (r.reservation !== undefined) out.push(r);
  return out;
}

/** The few `candidates` subscribed to `role`, in the role's order. */
function rankedIn(role: string, sorter: DrfSorter, candidates: readonly Member[]): string[] {
  const ids: string[] = [];
  for (const m of candidates) if (m.roles.includes(role)) ids.push(m.framework.id);
  return ids.length > 1 ? ids.sort((a, b) => sorter.compare(a, b)) : ids;
}

/**
 * The scalars of the `lists` summed by name, one entry per name: the sorters' totals, summed once
 * per cycle instead of once per role's sorter over every agent's entries. The same additions in
 * the same order as the sorters make, so the sums are identical.
 */
function summedScalars(lists: readonly (readonly Resource[])[]): Resource[] {
  // A handful of names over 10,000 agents' entries: found by a scan, not hashed per entry.
  const names: string[] = [];
  const sums: number[] = [];
  for (const resources of lists) {
    for (const r of resources) {
      if (!("scalar" in r)) continue;
      let i = names.indexOf(r.name);
      if (i < 0) {
        i = names.push(r.name) - 1;
        sums.push(0);
      }
      sums[i]! += r.scalar;
    }
  }
  return names.map((name, i) => ({ name, scalar: sums[i]! }));
}

/**
 * `rest` less what was offered of it. Most offers take entries of `rest` whole (no cap bit, a
 * guarantee's portion as large as the agent, a limit that drops one resource): what is left is then
 * known without `subtract`'s normalizing, the bulk of a quota cycle.
 */
function remainder(rest: readonly Resource[], offered: readonly Resource[]): readonly Resource[] {
  const left: Resource[] = [];
  let whole = 0;
  for (const r of rest) {
    if (offered.some((o) => takesWhole(o, r))) whole++;
    else left.push(r);
  }
  // Both sides are normalized (one entry per name, kind and reservation), so when every offered entry
  // took one of `rest` whole, the others are what `subtract` would leave, in the same order.
  return whole === offered.length ? left : subtract(rest, offered);
}

/** `offered` is all of `entry`: the same entry, or a copy of a scalar with the same amount. */
function takesWhole(offered: Resource, entry: Resource): boolean {
  if (offered === entry) return true;
  return (
    offered.name === entry.name &&
    offered.reservation === entry.reservation &&
    "scalar" in offered &&
    "scalar" in entry &&
    offered.scalar === entry.scalar
  );
}

function addUnreservedScalars(into: Map<string, number>, resources: readonly Resource[], sign: 1 | -1): void {
  for (const r of resources) {
    if (!r.reservation && "scalar" in r) into.set(r.name, (into.get(r.name) ?? 0) + sign * r.scalar);
  }
}
