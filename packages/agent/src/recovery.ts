import type { AgentId, FrameworkId, TaskId } from "@agora/protocol";
import type { Logger } from "pino";
import type { AgentCheckpoint } from "./checkpoint.js";
import type { Executor } from "./executor.js";
import type { Sandboxes } from "./sandbox.js";
import type { AgentStatus } from "./status-reporter.js";
import type { TaskBook, TaskEntry } from "./task-book.js";
import { taskEnvironment } from "./task-env.js";
import type { ActiveFramework } from "./task-launcher.js";
import type { TaskSupervisor } from "./task-supervisor.js";

/** What a task nothing was found of after a restart is reported as, once the agent has reregistered. */
export const LOST_IN_RESTART: AgentStatus = {
  state: "TASK_FAILED",
  source: "SOURCE_AGENT",
  reason: "REASON_EXECUTOR_TERMINATED",
  message: "The task was gone when the agent recovered after a restart",
};

export interface RecoveryOptions {
  checkpoint: AgentCheckpoint;
  book: TaskBook;
  executors: Readonly<Record<string, Executor>>;
  sandboxes: Sandboxes;
  supervisor: TaskSupervisor;
  hostname: string;
  logger: Logger;
}

/**
 * Takes over the tasks a previous agent process with id `agentId` checkpointed: each is booked
 * RUNNING and handed to its executor to find again, then supervised as if launched here. Returns
 * the tasks nothing was found of; they are reported `LOST_IN_RESTART` once registered.
 */
export async function recoverTasks(options: RecoveryOptions, agentId: AgentId): Promise<TaskEntry[]> {
  const { book, executors, sandboxes, supervisor, logger } = options;
  const lost: TaskEntry[] = [];
  for (const saved of await options.checkpoint.readTasks()) {
    const framework = saved.framework as ActiveFramework;
    const { task } = saved;
    if (task.agentId !== agentId || book.active(framework.id, task.taskId)) continue;
    const entry = book.add(framework, task, saved.executor, sandboxes.pathOf(framework.id, task.taskId));
    entry.state = "TASK_RUNNING";
    const handle = await executors[saved.executor]
      ?.recover?.(task, {
        run: saved.run,
        frameworkId: framework.id,
        agentId,
        sandbox: entry.sandbox,
        onExit: (exit) => supervisor.exited(entry, exit),
      })
      .catch((err: unknown) => {
        logger.warn({ err, taskId: task.taskId }, "recovering a task failed");
        return undefined;
      });
    if (!handle) {
      lost.push(entry);
      continue;
    }
    entry.handle = handle;
    supervisor.watchHealth(
      entry,
      taskEnvironment({
        task,
        frameworkId: framework.id,
        agentId,
        hostname: options.hostname,
        sandbox: entry.sandbox,
      }),
    );
  }
  logger.info(
    { agentId, recovered: book.activeTasks().length - lost.length, lost: lost.length },
    "recovered from the checkpoint",
  );
  return lost;
}

/** Asks each executor to remove what it runs for this agent that no task here owns. */
export async function removeOrphans(
  executors: Readonly<Record<string, Executor>>,
  book: TaskBook,
  agentId: AgentId,
  logger: Logger,
): Promise<void> {
  const known = (key: string) => {
    const [frameworkId, taskId] = key.split("/") as [FrameworkId, TaskId];
    return book.active(frameworkId, taskId) !== undefined;
  };
  await Promise.all(
    Object.values(executors).map((e) =>
      e.removeOrphans?.(agentId, known).catch((err: unknown) => {
        logger.warn({ err }, "removing orphans failed");
        return 0;
      }),
    ),
  );
}
