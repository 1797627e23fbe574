import type { FrameworkId, FrameworkInfo, TaskId, TaskInfo, TaskState, TaskStatus } from "@agora/protocol";
import type { ExecutorHandle } from "./executor.js";
import type { HealthMonitor } from "./health/health-monitor.js";

/** A task on this agent, from runTask until long after it ended (for `/state` and its sandbox). */
export interface TaskEntry {
  readonly frameworkId: FrameworkId;
  readonly task: TaskInfo;
  /** The executor (`shell`, `docker`) that runs it. */
  readonly executor: string;
  readonly sandbox: string;
  state: TaskState;
  /** Every status the agent produced for it, oldest first. */
  readonly statuses: TaskStatus[];
  /** Present once the executor launched it. */
  handle: ExecutorHandle | undefined;
  /** A kill that arrived while the task was still launching; applied as soon as it runs. */
  pendingKillMs: number | undefined;
  /** Aborts the fetch of its `command.uris`, while they are being fetched (before launch). */
  fetching?: AbortController;
  /** Its health checks, while it runs and has a `healthCheck`. */
  health?: HealthMonitor;
  /** Why the agent killed it for failing its health checks (its terminal update says so). */
  unhealthyKill?: string;
  /** Resolves when the task has reached a terminal state. */
  readonly ended: Promise<void>;
  markEnded(): void;
}

export interface FrameworkEntry {
  info: FrameworkInfo;
  readonly tasks: Map<TaskId, TaskEntry>;
  /** Ended tasks, newest last, at most `maxCompletedTasks`. */
  readonly completed: TaskEntry[];
  /** shutdownFramework arrived: the framework moves to the completed list once its tasks ended. */
  shuttingDown: boolean;
}

export interface TaskBookLimits {
  /** Ended tasks kept per framework (Mesos: 1,000 per agent framework, 200 per executor). */
  maxCompletedTasks: number;
  /** Shut-down frameworks kept (Mesos' `max_completed_frameworks`, 50). */
  maxCompletedFrameworks: number;
}

/** The agent's bookkeeping of frameworks and their tasks. No I/O. */
export class TaskBook {
  private readonly frameworks = new Map<FrameworkId, FrameworkEntry>();
  private readonly completedFrameworks: FrameworkEntry[] = [];

  constructor(
    private readonly limits: TaskBookLimits = { maxCompletedTasks: 1000, maxCompletedFrameworks: 50 },
  ) {}

  /** Creates a task entry in TASK_STAGING, registering its framework if new. */
  add(
    frameworkInfo: FrameworkInfo & { id: FrameworkId },
    task: TaskInfo,
    executor: string,
    sandbox: string,
  ): TaskEntry {
    const framework = this.frameworkFor(frameworkInfo);
    let markEnded = () => {};
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    const entry: TaskEntry = {
      frameworkId: frameworkInfo.id,
      task,
      executor,
      sandbox,
      state: "TASK_STAGING",
      statuses: [],
      handle: undefined,
      pendingKillMs: undefined,
      ended,
      markEnded,
    };
    framework.tasks.set(task.taskId, entry);
    return entry;
  }

  active(frameworkId: FrameworkId, taskId: TaskId): TaskEntry | undefined {
    return this.frameworks.get(frameworkId)?.tasks.get(taskId);
  }

  /** The info of a framework active here (its tasks may all have ended), not of a retired one. */
  frameworkInfo(frameworkId: FrameworkId): FrameworkInfo | undefined {
    return this.frameworks.get(frameworkId)?.info;
  }

  hasFramework(frameworkId: FrameworkId): boolean {
    return this.frameworks.has(frameworkId);
  }

  /** True when the task ran here and ended (it is still among the completed tasks kept). */
  isCompleted(frameworkId: FrameworkId, taskId: TaskId): boolean {
    return this.frameworks.get(frameworkId)?.completed.some((t) => t.task.taskId === taskId) ?? false;
  }

  /** Moves an ended task to its framework's completed tasks. */
  complete(entry: TaskEntry): void {
    const framework = this.frameworks.get(entry.frameworkId);
    if (!framework || framework.tasks.get(entry.task.taskId) !== entry) return;
    framework.tasks.delete(entry.task.taskId);
    framework.completed.push(entry);
    if (framework.completed.length > this.limits.maxCompletedTasks) framework.completed.shift();
    entry.markEnded();
    this.retireIfDone(framework);
  }

  /** Marks a framework shut down; returns its active tasks (to kill). */
  shutDown(frameworkId: FrameworkId): TaskEntry[] {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return [];
    framework.shuttingDown = true;
    const tasks = [...framework.tasks.values()];
    this.retireIfDone(framework);
    return tasks;
  }

  /** True once shutdownFramework arrived for this framework (while its tasks end, and after). */
  isShutDown(frameworkId: FrameworkId): boolean {
    const active = this.frameworks.get(frameworkId);
    if (active) return active.shuttingDown;
    return this.completedFrameworks.some((f) => f.info.id === frameworkId);
  }

  activeTasks(): TaskEntry[] {
    const out: TaskEntry[] = [];
    for (const f of this.frameworks.values()) out.push(...f.tasks.values());
    return out;
  }

  /** Frameworks with tasks here (active or recently completed), for `/state` and reregistration. */
  frameworkList(): readonly FrameworkEntry[] {
    return [...this.frameworks.values()];
  }

  completedFrameworkList(): readonly FrameworkEntry[] {
    return this.completedFrameworks;
  }

  private frameworkFor(info: FrameworkInfo & { id: FrameworkId }): FrameworkEntry {
    let framework = this.frameworks.get(info.id);
    if (!framework) {
      framework = { info, tasks: new Map(), completed: [], shuttingDown: false };
      this.frameworks.set(info.id, framework);
    }
    framework.info = info;
    framework.shuttingDown = false;
    return framework;
  }

  private retireIfDone(framework: FrameworkEntry): void {
    if (!framework.shuttingDown || framework.tasks.size > 0 || !framework.info.id) return;
    this.frameworks.delete(framework.info.id);
    this.completedFrameworks.push(framework);
    if (this.completedFrameworks.length > this.limits.maxCompletedFrameworks)
      this.completedFrameworks.shift();
  }
}
