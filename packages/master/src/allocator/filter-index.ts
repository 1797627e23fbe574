import type { AgentId, FrameworkId, Resource } from "@agora/protocol";
import { type DeclineFilter, isLive } from "./decline-filter.js";
import { covers } from "./resource-cover.js";

/** What the allocator asks of decline filters; `DeclineFilterIndex` answers it in O(1) per pair. */
export interface OfferFilters {
  /** The framework's bit position in `blockedOn` sets, or undefined when it has no filter at all. */
  slotOf(frameworkId: FrameworkId): number | undefined;
  /**
   * A bit set (by slot) of the frameworks whose live filters cover all of `available` on this
   * agent, or undefined when none do. Valid until the next call for any agent.
   */
  blockedOn(agentId: AgentId, available: readonly Resource[], now: number): Uint32Array | undefined;
  /** The exact check for part of an agent (reservations split it between roles). */
  isFiltered(
    frameworkId: FrameworkId,
    agentId: AgentId,
    offerable: readonly Resource[],
    now: number,
  ): boolean;
}

export const NO_FILTERS: OfferFilters = {
  slotOf: () => undefined,
  blockedOn: () => undefined,
  isFiltered: () => false,
};

interface AgentFilters {
  /** By framework slot: its filters for this agent. */
  readonly bySlot: Map<number, DeclineFilter[]>;
  /** Frameworks (by slot) whose filters cover `verdictFor`. */
  blocked: Uint32Array;
  /** The available resources `blocked` was computed for. */
  verdictFor: readonly Resource[] | undefined;
  /** Slots with a filter added since `blocked` was computed. */
  readonly pending: number[];
  /** The earliest expiry among this agent's filters. */
  nextExpiry: number;
}

/**
 * Decline filters indexed by agent, with each agent's verdict cached: which frameworks' filters
 * cover its available resources. The verdict is recomputed only when that agent's available
 * resources change or one of its filters expires, so a cycle in which every framework has declined
 * every agent costs one bit test per (agent, framework), not a search through 10⁷ filters.
 */
export class DeclineFilterIndex implements OfferFilters {
  private readonly slots = new Map<FrameworkId, number>();
  private readonly slotOwners: (FrameworkId | undefined)[] = [];
  private readonly filterCounts: number[] = [];
  private readonly freeSlots: number[] = [];
  private words = 1;
  private readonly agents = new Map<AgentId, AgentFilters>();
  private count = 0;

  /** Live or not-yet-pruned filters. */
  get size(): number {
    return this.count;
  }

  add(frameworkId: FrameworkId, agentId: AgentId, filter: DeclineFilter): void {
    const slot = this.slotFor(frameworkId);
    let agent = this.agents.get(agentId);
    if (!agent) {
      agent = {
        bySlot: new Map(),
        blocked: new Uint32Array(this.words),
        verdictFor: undefined,
        pending: [],
        nextExpiry: Infinity,
      };
      this.agents.set(agentId, agent);
    }
    const list = agent.bySlot.get(slot);
    if (list) list.push(filter);
    else agent.bySlot.set(slot, [filter]);
    agent.pending.push(slot);
    agent.nextExpiry = Math.min(agent.nextExpiry, filter.expiresAt);
    this.filterCounts[slot]! += 1;
    this.count += 1;
  }

  /** The framework's filters for one agent (for views and tests). */
  filtersOf(frameworkId: FrameworkId, agentId: AgentId): readonly DeclineFilter[] {
    const slot = this.slots.get(frameworkId);
    return slot === undefined ? [] : (this.agents.get(agentId)?.bySlot.get(slot) ?? []);
  }

  /** Revive, teardown or deactivation: every filter of the framework goes. O(agents with filters). */
  removeFramework(frameworkId: FrameworkId): void {
    const slot = this.slots.get(frameworkId);
    if (slot === undefined) return;
    for (const [agentId, agent] of this.agents) {
      if (!agent.bySlot.has(slot)) continue;
      this.dropSlot(agent, slot);
      if (agent.bySlot.size === 0) this.agents.delete(agentId);
    }
  }

  removeAgent(agentId: AgentId): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    for (const slot of [...agent.bySlot.keys()]) this.dropSlot(agent, slot);
    this.agents.delete(agentId);
  }

  slotOf(frameworkId: FrameworkId): number | undefined {
    return this.slots.get(frameworkId);
  }

  blockedOn(agentId: AgentId, available: readonly Resource[], now: number): Uint32Array | undefined {
    const agent = this.agents.get(agentId);
    if (!agent) return undefined;
    if (now >= agent.nextExpiry) {
      this.pruneExpired(agent, now);
      if (agent.bySlot.size === 0) {
        this.agents.delete(agentId);
        return undefined;
      }
    }
    if (agent.blocked.length < this.words) {
      agent.verdictFor = undefined;
      agent.blocked = new Uint32Array(this.words);
    }
    if (agent.verdictFor !== available && !(agent.verdictFor && sameResources(agent.verdictFor, available))) {
      agent.blocked.fill(0);
      for (const [slot, list] of agent.bySlot)
        if (anyCovers(list, available, now)) setBit(agent.blocked, slot);
    } else {
      for (const slot of agent.pending) {
        if (anyCovers(agent.bySlot.get(slot) ?? [], available, now)) setBit(agent.blocked, slot);
      }
    }
    agent.verdictFor = available;
    agent.pending.length = 0;
    return agent.blocked;
  }

  isFiltered(
    frameworkId: FrameworkId,
    agentId: AgentId,
    offerable: readonly Resource[],
    now: number,
  ): boolean {
    const slot = this.slots.get(frameworkId);
    if (slot === undefined) return false;
    const list = this.agents.get(agentId)?.bySlot.get(slot);
    return list !== undefined && anyCovers(list, offerable, now);
  }

  /**
   * Drops the agent's expired filters. Only the slots that lost one need their verdict again (a
   * filter gone can only unblock its own framework), so they are cleared and queued as pending,
   * and the others keep theirs; a list with nothing expired is left as it is, not copied.
   */
  private pruneExpired(agent: AgentFilters, now: number): void {
    let next = Infinity;
    for (const [slot, list] of agent.bySlot) {
      let expired = 0;
      for (const f of list) {
        if (isLive(f, now)) next = Math.min(next, f.expiresAt);
        else expired++;
      }
      if (expired === 0) continue;
      if (expired === list.length) {
        this.dropSlot(agent, slot);
        continue;
      }
      agent.bySlot.set(
        slot,
        list.filter((f) => isLive(f, now)),
      );
      this.count -= expired;
      this.filterCounts[slot]! -= expired;
      clearBit(agent.blocked, slot);
      agent.pending.push(slot);
    }
    agent.nextExpiry = next;
  }

  /** Forgets one framework's filters on one agent, freeing its slot once it has none anywhere. */
  private dropSlot(agent: AgentFilters, slot: number): void {
    const removed = agent.bySlot.get(slot)?.length ?? 0;
    agent.bySlot.delete(slot);
    clearBit(agent.blocked, slot);
    this.count -= removed;
    this.filterCounts[slot]! -= removed;
    if (this.filterCounts[slot] === 0) {
      this.slots.delete(this.slotOwners[slot]!);
      this.slotOwners[slot] = undefined;
      this.freeSlots.push(slot);
    }
  }

  private slotFor(frameworkId: FrameworkId): number {
    let slot = this.slots.get(frameworkId);
    if (slot !== undefined) return slot;
    slot = this.freeSlots.pop() ?? this.slotOwners.length;
    this.slots.set(frameworkId, slot);
    this.slotOwners[slot] = frameworkId;
    this.filterCounts[slot] = 0;
    this.words = Math.max(this.words, (slot >>> 5) + 1);
    return slot;
  }
}

function anyCovers(list: readonly DeclineFilter[], offerable: readonly Resource[], now: number): boolean {
  for (const f of list) if (isLive(f, now) && covers(f.refused, offerable)) return true;
  return false;
}

function sameResources(a: readonly Resource[], b: readonly Resource[]): boolean {
  return a.length === b.length && covers(a, b) && covers(b, a);
}

export function hasBit(bits: Uint32Array, slot: number): boolean {
  return ((bits[slot >>> 5] ?? 0) & (1 << (slot & 31))) !== 0;
}

function setBit(bits: Uint32Array, slot: number): void {
  bits[slot >>> 5]! |= 1 << (slot & 31);
}

function clearBit(bits: Uint32Array, slot: number): void {
  if (slot >>> 5 < bits.length) bits[slot >>> 5]! &= ~(1 << (slot & 31));
}
