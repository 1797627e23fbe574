import type { AgentId, Attribute, FrameworkInfo, Resource } from "@agora/protocol";
import type { CgroupMode } from "./cgroups/cgroups.js";
import type { TaskUsage } from "./executor.js";
import type { CustomExecutors } from "./executors/custom-executor.js";
import type { FrameworkEntry, TaskEntry } from "./task-book.js";

/** A task as the agent's HTTP API shows it. */
export type TaskView = Readonly<
  Pick<TaskEntry, "frameworkId" | "task" | "executor" | "sandbox" | "state" | "statuses">
>;

/** A framework as the agent's HTTP API shows it. */
export interface FrameworkView {
  readonly info: FrameworkInfo;
  readonly tasks: readonly TaskView[];
  readonly completedTasks: readonly TaskView[];
}

/** The read-only view of an agent the HTTP API renders. */
export interface AgentView {
  readonly id: AgentId | undefined;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly resources: readonly Resource[];
  readonly attributes: readonly Attribute[];
  readonly capabilities: readonly string[];
  /** The directory every sandbox lives under. */
  readonly sandboxRoot: string;
  /** How shell tasks are confined: cgroup v1 or v2, or `none` (limits advisory, usage from /proc). */
  readonly cgroupMode: CgroupMode;
  /** Frameworks' own executors, served by the agent's `/api/v1/executor` (absent in views built for tests). */
  readonly customExecutors?: CustomExecutors;
  /** Each running task with what it used so far (undefined when it could not be measured). */
  taskUsage(): Promise<Array<{ task: TaskView; usage: TaskUsage | undefined }>>;
  frameworks(): FrameworkView[];
  completedFrameworks(): FrameworkView[];
}

export function frameworkView(f: FrameworkEntry): FrameworkView {
  return { info: f.info, tasks: [...f.tasks.values()], completedTasks: [...f.completed] };
}
