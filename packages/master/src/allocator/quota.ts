import { type Resource, roundScalar } from "@agora/protocol";
import { ancestorRoles } from "./role-sorter.js";

/** Scalar quantities by resource name (`cpus` → 4). */
export type Quantities = ReadonlyMap<string, number>;

/**
 * A role's quota, as the allocator sees it. The guarantee is given to the role before any
 * fair-share allocation; the limit is never exceeded. Both count the role's whole subtree, and
 * reservations count as consumed whether or not they are in use (Mesos' quota consumption).
 */
export interface RoleQuota {
  readonly guarantee: Quantities;
  readonly limit: Quantities;
}

/** What one role (of the subtree) holds: unreserved resources allocated to its frameworks. */
export interface RoleHolding {
  readonly role: string;
  readonly resources: readonly Resource[];
}

/**
 * One cycle's quota books: what each quota role consumes (its subtree's reservations plus the
 * unreserved resources allocated in it), what it still needs to meet its guarantee, what it may
 * still take under its limits, and the headroom (Σ unmet guarantees) held back from other roles.
 * No I/O; the allocator charges every plan here.
 */
export class QuotaLedger {
  private readonly consumed = new Map<string, Map<string, number>>();
  private readonly governingCache = new Map<string, string[]>();
  /**
   * Needs and headroom as of the last charge to a quota role: a cycle asks for them per agent and
   * role (10⁵ times at 10,000 agents) but charges quota roles far less often.
   */
  private readonly needCache = new Map<string, Quantities>();
  private readonly needOfCache = new Map<string, Quantities>();
  private readonly limitRoomCache = new Map<string, Quantities>();
  private headroomCache: Quantities | undefined;

  /**
   * @param reservations every reserved resource of every agent's total (each counts for its role)
   * @param holdings what frameworks hold per role (reserved entries in them are skipped: counted above)
   */
  constructor(
    private readonly quotas: ReadonlyMap<string, RoleQuota>,
    reservations: Iterable<Resource>,
    holdings: Iterable<RoleHolding>,
  ) {
    for (const role of quotas.keys()) this.consumed.set(role, new Map());
    for (const r of reservations) {
      if (!r.reservation || !("scalar" in r)) continue;
      for (const q of this.governing(r.reservation.role)) addTo(this.consumed.get(q)!, r.name, r.scalar);
    }
    for (const h of holdings) this.charge(h.role, h.resources);
  }

  get isEmpty(): boolean {
    return this.quotas.size === 0;
  }

  /** Quota roles whose subtree holds `role`: the role itself and its ancestors that have a quota. */
  governing(role: string): readonly string[] {
    let found = this.governingCache.get(role);
    if (!found) {
      found = [...ancestorRoles(role), role].filter((r) => this.quotas.has(r));
      this.governingCache.set(role, found);
    }
    return found;
  }

  /** Counts newly allocated unreserved scalars against every quota role governing `role`. */
  charge(role: string, resources: readonly Resource[]): void {
    const governing = this.governing(role);
    if (governing.length === 0) return;
    this.needCache.clear();
    this.needOfCache.clear();
    this.limitRoomCache.clear();
    this.headroomCache = undefined;
    for (const r of resources) {
      if (r.reservation || !("scalar" in r)) continue;
      for (const q of governing) addTo(this.consumed.get(q)!, r.name, r.scalar);
    }
  }

  consumption(role: string): Quantities {
    return this.consumed.get(role) ?? new Map();
  }

  /** Guarantee − consumption of one quota role, positive parts only. */
  need(quotaRole: string): Quantities {
    let out = this.needCache.get(quotaRole);
    if (out) return out;
    const missing = new Map<string, number>();
    const quota = this.quotas.get(quotaRole);
    const used = this.consumed.get(quotaRole);
    for (const [name, amount] of quota?.guarantee ?? []) {
      const short = roundScalar(amount - (used?.get(name) ?? 0));
      if (short > 0) missing.set(name, short);
    }
    out = missing;
    this.needCache.set(quotaRole, out);
    return out;
  }

  /** What `role` still needs for the guarantees governing it (the largest need per name). */
  needOf(role: string): Quantities {
    let out = this.needOfCache.get(role);
    if (out) return out;
    const largest = new Map<string, number>();
    for (const q of this.governing(role))
      for (const [name, n] of this.need(q)) largest.set(name, Math.max(largest.get(name) ?? 0, n));
    out = largest;
    this.needOfCache.set(role, out);
    return out;
  }

  /** Σ unmet guarantees over every quota role: unreserved resources other roles must leave alone. */
  headroom(): Quantities {
    if (this.headroomCache) return this.headroomCache;
    const out = new Map<string, number>();
    for (const q of this.quotas.keys()) for (const [name, n] of this.need(q)) addTo(out, name, n);
    this.headroomCache = out;
    return out;
  }

  /** How much more of each limited resource `role` may take: the tightest limit governing it. */
  limitRoom(role: string): Quantities {
    const cached = this.limitRoomCache.get(role);
    if (cached) return cached;
    const out = new Map<string, number>();
    for (const q of this.governing(role)) {
      const used = this.consumed.get(q)!;
      for (const [name, limit] of this.quotas.get(q)!.limit) {
        const room = Math.max(0, roundScalar(limit - (used.get(name) ?? 0)));
        out.set(name, Math.min(out.get(name) ?? Number.POSITIVE_INFINITY, room));
      }
    }
    this.limitRoomCache.set(role, out);
    return out;
  }
}

/**
 * Caps the unreserved scalars of `resources` at `caps` (per name, rounded down to Mesos' three
 * decimals); reserved entries and other kinds pass unchanged. Entries capped to zero are dropped.
 * When no cap bites, `resources` itself comes back (a fair-share cycle asks 10⁵ times).
 */
export function capUnreserved(resources: readonly Resource[], caps: Quantities): readonly Resource[] {
  if (!resources.some((r) => bites(r, caps))) return resources;
  const out: Resource[] = [];
  for (const r of resources) {
    const cap = caps.get(r.name);
    if (r.reservation || !("scalar" in r) || cap === undefined || r.scalar <= cap) {
      out.push(r);
      continue;
    }
    const scalar = Math.floor(cap * 1000) / 1000;
    if (scalar > 0) out.push({ ...r, scalar });
  }
  return out;
}

function bites(r: Resource, caps: Quantities): boolean {
  if (r.reservation || !("scalar" in r)) return false;
  const cap = caps.get(r.name);
  return cap !== undefined && r.scalar > cap;
}

function addTo(into: Map<string, number>, name: string, amount: number): void {
  into.set(name, roundScalar((into.get(name) ?? 0) + amount));
}
