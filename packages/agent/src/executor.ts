import type {
  AgentId,
  FrameworkId,
  FrameworkInfo,
  TaskInfo,
  TaskStatus,
  TaskStatusReason,
} from "@agora/protocol";
import type { CgroupMode } from "./cgroups/cgroups.js";
import type { RunCheckpoint } from "./checkpoint.js";
import type { UserAccount } from "./executors/task-user.js";
import type { CommandRunner } from "./health/probes.js";

/**
 * How a task's main process (or container) ended. The agent turns it into the terminal status
 * update (see `terminalStatus` in `task-exit.ts`), so every executor reports the same facts the same way.
 */
export type TaskExit =
  /** The process exited by itself with this code. */
  | { readonly kind: "exited"; readonly exitCode: number }
  /** The process died of a signal nobody asked for (OOM killer, a user's `kill`, a crash). */
  | { readonly kind: "signaled"; readonly signal: NodeJS.Signals }
  /** The task ended because `ExecutorHandle.kill` was called. */
  | { readonly kind: "killed" }
  /**
   * The task's process ended while no agent watched it (it was not the agent's child) and left no
   * record of how: the shell executor's recovery, when the exit status file is missing.
   */
  | { readonly kind: "unknown" }
  /**
   * The framework's own executor, which runs the task, ended before the task did (Mesos:
   * TASK_FAILED, REASON_EXECUTOR_TERMINATED, from the agent).
   */
  | { readonly kind: "executorTerminated"; readonly message: string }
  /** The task was stopped for exceeding a limit (the memory limit: its container or cgroup ran out). */
  | {
      readonly kind: "limited";
      readonly reason: Extract<TaskStatusReason, `REASON_CONTAINER_LIMITATION${string}`>;
      readonly message: string;
    };

/** What a task used so far: cpu time and the memory it holds now. */
export interface TaskUsage {
  readonly cpuUserSeconds: number;
  readonly cpuSystemSeconds: number;
  readonly memBytes: number;
}

/** What the agent hands an executor with each task. */
export interface LaunchContext {
  readonly frameworkId: FrameworkId;
  readonly agentId: AgentId;
  /** The task's sandbox directory, created before launch; stdout and stderr files belong here. */
  readonly sandbox: string;
  /**
   * The task's environment as the agent computed it (`taskEnvironment`): the task's own variables,
   * PORT0…/PORTS, HOST, AGORA_TASK_ID and MESOS_*. Executors add nothing from the host but what
   * running a process needs (the shell executor adds PATH).
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Called exactly once, when the task has ended and nothing of it runs any more (for the shell
   * executor: the whole process group is gone). Never called for a handle that was `release`d.
   */
  onExit(exit: TaskExit): void;
  /** The framework the task belongs to (a custom executor is told about it when it subscribes). */
  readonly framework?: FrameworkInfo;
  /**
   * A status the executor reports itself (a custom executor's UPDATE), recorded and delivered to the
   * framework like the agent's own; used only by handles that `reportsOwnStatus`.
   */
  onStatus?(status: ExecutorReportedStatus): void;
}

/** A task status as an executor reports it; the agent adds the task, agent, time and uuid. */
export type ExecutorReportedStatus = Omit<TaskStatus, "taskId" | "agentId" | "timestamp" | "uuid">;

/** What the agent hands an executor to take over a task a previous agent process launched. */
export type RecoverContext = Omit<LaunchContext, "env" | "framework" | "onStatus"> & {
  /** How the task's run was checkpointed: its container, or its pid and process start time. */
  readonly run: RunCheckpoint;
};

/** A launched task, as the agent holds it. */
export interface ExecutorHandle {
  /** The main process id (its process group id for the shell executor), when there is a process. */
  readonly pid?: number;
  /** The container's id, for tasks that run in one. */
  readonly containerId?: string;
  /**
   * Runs a health check command where the task runs (inside its container). Without it, check
   * commands run on the host, in the task's sandbox and environment.
   */
  readonly runCommand?: CommandRunner;
  /**
   * The executor sends the task's statuses itself (a framework's custom executor): the agent reports
   * no TASK_RUNNING on launch and runs no health checks (Mesos leaves both to such executors).
   */
  readonly reportsOwnStatus?: boolean;
  /** Measures the task (its cgroup, its container's stats, or /proc). */
  usage?(): Promise<TaskUsage>;
  /**
   * Stops the task: a graceful signal first (SIGTERM), then a forced one (SIGKILL) once
   * `gracePeriodMs` has passed. Resolves after `onExit` has been called with `{ kind: "killed" }`
   * (or with whatever ended the task first). Safe to call more than once and after the task ended.
   */
  kill(gracePeriodMs: number): Promise<void>;
  /**
   * Stops watching the task and leaves it running: the agent is shutting down without killing its
   * tasks, and a later agent process recovers them. `onExit` is not called afterwards.
   */
  release(): void;
}

/**
 * Runs tasks: the shell executor and the Docker executor. The seam every way of running a
 * task (and, later, its health checks) plugs into.
 */
export interface Executor {
  /**
   * Starts `task` and resolves once it runs (the agent then sends TASK_RUNNING). Rejects with an
   * `AgentError` of code LAUNCH_FAILED (its `reason` names the status reason) when it could not be
   * started; `onExit` is then never called.
   */
  launch(task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle>;
  /**
   * Refuses a task this executor will not run here (a user it may not switch to, a privileged
   * container…), before anything is fetched for it; rejects as `launch` would. `launch` checks the
   * same again, so this is only about failing early. Resolves to the account the task will run as
   * when it is not the agent's own user: its local URIs are fetched only if that user could read them.
   */
  admit?(task: TaskInfo, ctx: Pick<LaunchContext, "sandbox" | "framework">): Promise<UserAccount | undefined>;
  /** How this executor confines its tasks' processes with cgroups (`none`: limits are advisory). */
  readonly cgroupMode?: CgroupMode;
  /**
   * Watches again a task a previous agent process launched and checkpointed. Resolves undefined
   * when nothing of it is left; a task that ended meanwhile reports its exit through `onExit`.
   * Executors that cannot recover leave this out, and their checkpointed tasks are reported gone.
   */
  recover?(task: TaskInfo, ctx: RecoverContext): Promise<ExecutorHandle | undefined>;
  /**
   * Removes what this executor runs for `agentId` but the agent does not know (`known` is asked
   * about `frameworkId/taskId` keys). Called once the agent has recovered its tasks.
   */
  removeOrphans?(agentId: AgentId, known: (key: string) => boolean): Promise<number>;
  /**
   * Resolves once what this executor still cleans up after tasks that ended (their cgroups) is done:
   * an agent that stops waits for it, or it would be left behind.
   */
  settled?(): Promise<void>;
  /**
   * Readies what the next launches take (the shell executor starts its ready shells). Blocking work
   * belongs here: the agent calls it once registered, then after acknowledgements came (the updates
   * of the launches that took what was ready have reached their frameworks).
   */
  prepare?(): void;
  /** Ends what this executor keeps ready for launches: the agent stops. */
  stop?(): Promise<void>;
}
