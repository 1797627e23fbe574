import { allTasks } from "../../api/queries";
import type { MasterState, Scalars } from "../../api/schemas";

export const RESOURCE_NAMES = ["cpus", "mem", "disk", "gpus"] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

export interface ResourceSummary {
  total: number;
  allocated: number;
  offered: number;
  idle: number;
}

/** Mesos' home page numbers: total, allocated, offered, idle for one resource. */
export function resourceSummary(
  current: { total: Scalars; allocated: Scalars; offered: Scalars },
  name: ResourceName,
): ResourceSummary {
  const total = current.total[name];
  const allocated = current.allocated[name];
  const offered = current.offered[name];
  return { total, allocated, offered, idle: Math.max(0, total - allocated - offered) };
}

/** Tasks by state (every state seen, with Mesos' main ones always listed). */
export function tasksByState(state: MasterState): Array<[string, number]> {
  const counts = new Map<string, number>(
    [
      "TASK_STAGING",
      "TASK_STARTING",
      "TASK_RUNNING",
      "TASK_UNREACHABLE",
      "TASK_KILLING",
      "TASK_FINISHED",
      "TASK_KILLED",
      "TASK_FAILED",
      "TASK_LOST",
    ].map((s) => [s, 0]),
  );
  for (const t of allTasks(state)) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return [...counts];
}
