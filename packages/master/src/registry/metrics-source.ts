import type { Resource, TaskState } from "@agora/protocol";
import type { MetricsSource, ResourceColumn } from "../metrics.js";
import { summarizeRoles } from "../roles/role-summary.js";
import type { MasterState } from "./master-state.js";

/** The gauges' reader over the master's books, evaluated at each scrape. */
export function metricsSource(state: MasterState): MetricsSource {
  let sums: Map<string, number> | undefined;
  return {
    activeFilters: () => state.filters.size,
    roleShares: () => summarizeRoles(state),
    activeAgents: () => count(state.agents.values(), (a) => a.active),
    unreachableAgents: () => state.unreachableAgents.size,
    activeFrameworks: () => count(state.frameworks.values(), (f) => f.active),
    *liveTaskStates(): Iterable<TaskState> {
      for (const f of state.frameworks.values()) for (const t of f.tasks.values()) yield t.state;
    },
    terminalCounts: () => state.terminalCounts,
    outstandingOffers: () => state.offers.size,
    resourceSum(column: ResourceColumn, name: string): number {
      if (column === "total") return state.clusterTotal().get(name) ?? 0;
      // Each gauge asks for its own column and name: sum every agent once per scrape (the sums live
      // until the scrape's turn of the event loop ends), not once per question (8 passes over 10,000 agents).
      if (!sums) {
        sums = usedAndOffered(state);
        setImmediate(() => {
          sums = undefined;
        });
      }
      return sums.get(`${column}/${name}`) ?? 0;
    },
  };
}

/** Used and offered scalars over every agent, keyed `<column>/<name>`. */
function usedAndOffered(state: MasterState): Map<string, number> {
  // Summed by name per column, keyed once at the end: a key built per entry cost a string per
  // entry of 10,000 agents at every scrape.
  const used = new Map<string, number>();
  const offered = new Map<string, number>();
  for (const a of state.agents.values()) {
    addScalars(used, a.resources.used);
    addScalars(offered, a.resources.offered);
  }
  const sums = new Map<string, number>();
  for (const [name, sum] of used) sums.set(`used/${name}`, sum);
  for (const [name, sum] of offered) sums.set(`offered/${name}`, sum);
  return sums;
}

function addScalars(sums: Map<string, number>, resources: readonly Resource[]): void {
  for (const r of resources) if ("scalar" in r) sums.set(r.name, (sums.get(r.name) ?? 0) + r.scalar);
}

function count<T>(items: Iterable<T>, keep: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (keep(item)) n += 1;
  return n;
}
