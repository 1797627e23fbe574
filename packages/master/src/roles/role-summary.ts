import { add, type FrameworkId, type Resource, type Resources } from "@agora/protocol";
import { holdingsByRole } from "../registry/holdings.js";
import type { MasterState } from "../registry/master-state.js";
import type { QuotaInfo } from "./quota.js";

/** One role as `/master/roles` shows it. */
export interface RoleSummary {
  readonly name: string;
  readonly weight: number;
  readonly quota: QuotaInfo | undefined;
  /** Offered to and used by its frameworks, for this role. */
  readonly allocated: Resources;
  /** Reserved for it on agents (static and dynamic), used or not. */
  readonly reserved: Resources;
  /** The dominant share of what it is allocated (unweighted): max over scalars of allocated / cluster total. */
  readonly dominantShare: number;
  readonly frameworks: readonly FrameworkId[];
}

/**
 * Every role the master knows of: those frameworks subscribed to, those with a weight, a quota
 * or a reservation; sorted by name.
 */
export function summarizeRoles(state: MasterState): RoleSummary[] {
  const allocated = new Map<string, Resource[]>();
  const frameworks = new Map<string, FrameworkId[]>();
  const reserved = new Map<string, Resource[]>();
  const push = <T>(m: Map<string, T[]>, role: string, ...items: T[]) => {
    const list = m.get(role);
    if (list) list.push(...items);
    else m.set(role, [...items]);
  };
  for (const f of state.frameworks.values()) {
    for (const role of f.info.roles) push(frameworks, role, f.id);
    for (const [role, held] of holdingsByRole(state.offers, f)) push(allocated, role, ...held);
  }
  const total = state.clusterTotal();
  for (const a of state.agents.values())
    for (const r of a.resources.total) if (r.reservation) push(reserved, r.reservation.role, r);
  const names = new Set([
    ...frameworks.keys(),
    ...allocated.keys(),
    ...reserved.keys(),
    ...state.weights.keys(),
    ...state.quotas.keys(),
  ]);
  return [...names].sort().map((name) => {
    const held = add([], allocated.get(name) ?? []);
    return {
      name,
      weight: state.weights.get(name) ?? 1,
      quota: state.quotas.get(name),
      allocated: held,
      reserved: add([], reserved.get(name) ?? []),
      dominantShare: dominantShare(held, total),
      frameworks: frameworks.get(name) ?? [],
    };
  });
}

/** The cluster's total scalars over active agents. */
export function clusterTotal(
  agents: Iterable<{ readonly active: boolean; readonly resources: { readonly total: readonly Resource[] } }>,
): Map<string, number> {
  const total = new Map<string, number>();
  for (const a of agents) {
    if (!a.active) continue;
    for (const r of a.resources.total)
      if ("scalar" in r) total.set(r.name, (total.get(r.name) ?? 0) + r.scalar);
  }
  return total;
}

/** Max over scalar resources of held / total (0 for resources the cluster has none of). */
export function dominantShare(held: readonly Resource[], total: ReadonlyMap<string, number>): number {
  const sums = new Map<string, number>();
  for (const r of held) if ("scalar" in r) sums.set(r.name, (sums.get(r.name) ?? 0) + r.scalar);
  let share = 0;
  for (const [name, amount] of sums) {
    const t = total.get(name);
    if (t && t > 0) share = Math.max(share, amount / t);
  }
  return Math.round(share * 1e6) / 1e6;
}
