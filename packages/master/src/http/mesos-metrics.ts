import { isTerminalState, type Resource, scalarOf, TaskState } from "@agora/protocol";
import { METRIC_RESOURCES } from "../metrics.js";
import type { MasterView } from "../view.js";

/** Non-terminal states reported as current counts; terminal ones are counted since start. */
const CURRENT_STATES = TaskState.options.filter((s) => !isTerminalState(s));
const TERMINAL_STATES = TaskState.options.filter(isTerminalState);

/** `/metrics/snapshot` with Mesos' keys (`master/tasks_running`, `master/cpus_total`, …). */
export function mesosMetricsSnapshot(view: MasterView): Record<string, number> {
  const agents = [...view.agents.values()];
  const frameworks = [...view.frameworks.values()];
  const out: Record<string, number> = {
    "master/uptime_secs": (view.now - view.startedAt) / 1000,
    "master/elected": view.electedAt === undefined ? 0 : 1,
    "master/slaves_active": agents.filter((a) => a.active).length,
    "master/slaves_inactive": agents.filter((a) => !a.active).length,
    "master/slaves_connected": agents.length,
    "master/slaves_unreachable": view.unreachableAgents.size,
    "master/frameworks_active": frameworks.filter((f) => f.active).length,
    "master/frameworks_inactive": frameworks.filter((f) => !f.active).length,
    "master/frameworks_connected": frameworks.filter((f) => f.connected).length,
    "master/frameworks_disconnected": frameworks.filter((f) => !f.connected).length,
    "master/outstanding_offers": view.offers.size,
    "master/invalid_messages": view.counters.invalidMessages,
    "master/messages_status_update": view.counters.statusUpdatesRelayed,
    "allocator/mesos/allocation_run_ms": view.counters.lastAllocationRunMs,
  };
  const current = new Map<TaskState, number>();
  for (const f of frameworks)
    for (const t of f.tasks.values()) current.set(t.state, (current.get(t.state) ?? 0) + 1);
  for (const s of CURRENT_STATES) out[key(s)] = current.get(s) ?? 0;
  for (const s of TERMINAL_STATES) out[key(s)] = view.terminalCounts.get(s) ?? 0;
  for (const name of METRIC_RESOURCES) {
    const total = sum(
      agents.map((a) => a.resources.total),
      name,
    );
    const used = sum(
      agents.map((a) => a.resources.used),
      name,
    );
    out[`master/${name}_total`] = total;
    out[`master/${name}_used`] = used;
    out[`master/${name}_percent`] = total > 0 ? used / total : 0;
  }
  return out;
}

function key(state: TaskState): string {
  return `master/tasks_${state.slice("TASK_".length).toLowerCase()}`;
}

function sum(lists: readonly (readonly Resource[])[], name: string): number {
  let n = 0;
  for (const l of lists) n += scalarOf(l, name);
  return n;
}
