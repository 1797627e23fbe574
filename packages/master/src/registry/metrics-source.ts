import { scalarOf, type TaskState } from "@agora/protocol";
import type { MetricsSource, ResourceColumn } from "../metrics.js";
import { summarizeRoles } from "../roles/role-summary.js";
import type { MasterState } from "./master-state.js";

/** The gauges' reader over the master's books, evaluated at each scrape. */
export function metricsSource(state: MasterState): MetricsSource {
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
      let sum = 0;
      for (const a of state.agents.values()) sum += scalarOf(a.resources[column], name);
      return sum;
    },
  };
}

function count<T>(items: Iterable<T>, keep: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (keep(item)) n += 1;
  return n;
}
