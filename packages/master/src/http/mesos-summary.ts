import { type AgentId, mesosAttributes, mesosResources, type TaskState } from "@agora/protocol";
import type { FrameworkEntryView, MasterView, TaskEntryView } from "../view.js";
import { mesosReservedByRole, mesosUnreserved } from "./mesos-resources.js";
import { agentPid } from "./mesos-state.js";

/** The task states Mesos reports as counts in `/master/state-summary`. */
const COUNTED_STATES: readonly TaskState[] = [
  "TASK_STAGING",
  "TASK_STARTING",
  "TASK_RUNNING",
  "TASK_KILLING",
  "TASK_FINISHED",
  "TASK_KILLED",
  "TASK_FAILED",
  "TASK_LOST",
  "TASK_ERROR",
  "TASK_UNREACHABLE",
];

type Counts = Record<string, number>;

/** `/master/state-summary` in Mesos' shape: agents and frameworks with task counts, no task lists. */
export function mesosStateSummary(view: MasterView) {
  const all = [...view.frameworks.values()];
  const byAgent = new Map<AgentId, { counts: Counts; frameworks: Set<string> }>();
  for (const f of all) {
    for (const t of tasksOf(f)) {
      let entry = byAgent.get(t.agentId);
      if (!entry) {
        entry = { counts: zeroCounts(), frameworks: new Set() };
        byAgent.set(t.agentId, entry);
      }
      count(entry.counts, t);
      entry.frameworks.add(f.id);
    }
  }
  return {
    hostname: view.hostname,
    cluster: view.cluster,
    slaves: [...view.agents.values()].map((a) => {
      const stats = byAgent.get(a.id);
      return {
        id: a.id,
        pid: agentPid(a),
        hostname: a.info.hostname,
        registered_time: a.registeredAt / 1000,
        resources: mesosResources(a.resources.total),
        used_resources: mesosResources(a.resources.used),
        offered_resources: mesosResources(a.resources.offered),
        reserved_resources: mesosReservedByRole(a.resources.total),
        unreserved_resources: mesosUnreserved(a.resources.total),
        attributes: mesosAttributes(a.info.attributes),
        active: a.active,
        version: a.info.version,
        ...(stats?.counts ?? zeroCounts()),
        framework_ids: [...(stats?.frameworks ?? [])],
      };
    }),
    frameworks: all.map((f) => {
      const counts = zeroCounts();
      const agents = new Set<string>();
      for (const t of tasksOf(f)) {
        count(counts, t);
        agents.add(t.agentId);
      }
      return {
        id: f.id,
        name: f.info.name,
        hostname: f.info.hostname ?? "",
        webui_url: f.info.webuiUrl ?? "",
        active: f.active,
        connected: f.connected,
        recovered: false,
        capabilities: f.info.capabilities ?? [],
        used_resources: mesosResources(f.resources.used),
        offered_resources: mesosResources(f.resources.offered),
        ...counts,
        slave_ids: [...agents],
      };
    }),
  };
}

function tasksOf(f: FrameworkEntryView): TaskEntryView[] {
  return [...f.tasks.values(), ...f.completedTasks.values()];
}

function zeroCounts(): Counts {
  return Object.fromEntries(COUNTED_STATES.map((s) => [s, 0]));
}

function count(counts: Counts, t: TaskEntryView): void {
  if (t.state in counts) counts[t.state] = (counts[t.state] ?? 0) + 1;
}
