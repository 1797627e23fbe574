import { AGORA_VERSION, mesosAttributes, mesosResources } from "@agora/protocol";
import type { AgentView, FrameworkView, TaskView } from "../agent-view.js";

function taskJson(t: TaskView) {
  return {
    id: t.task.taskId,
    name: t.task.name,
    framework_id: t.frameworkId,
    executor_id: t.task.executor?.executorId ?? "",
    slave_id: t.task.agentId,
    state: t.state,
    resources: mesosResources(t.task.resources),
    statuses: t.statuses.map((s) => ({
      state: s.state,
      timestamp: s.timestamp,
      ...(s.healthy === undefined ? {} : { healthy: s.healthy }),
      ...(s.containerStatus
        ? {
            container_status: {
              ...(s.containerStatus.executorPid === undefined
                ? {}
                : { executor_pid: s.containerStatus.executorPid }),
              ...(s.containerStatus.exitCode === undefined ? {} : { exit_code: s.containerStatus.exitCode }),
            },
          }
        : {}),
    })),
    labels: Object.entries(t.task.labels ?? {}).map(([key, value]) => ({ key, value })),
    ...(t.task.container ? { container: t.task.container } : {}),
  };
}

/** Every task runs under its own executor, as with Mesos' command executor, whose id is the task's. */
function executorJson(t: TaskView, active: boolean) {
  return {
    id: t.task.taskId,
    name: `Command Executor (Task: ${t.task.taskId}) (Command: ${t.executor})`,
    source: t.task.taskId,
    framework_id: t.frameworkId,
    directory: t.sandbox,
    resources: mesosResources(t.task.resources),
    tasks: active ? [taskJson(t)] : [],
    queued_tasks: [],
    completed_tasks: active ? [] : [taskJson(t)],
  };
}

/** A framework's own executors, each once with all its tasks (they share its sandbox, as in Mesos). */
function customExecutorsJson(f: FrameworkView) {
  const byId = new Map<string, { tasks: TaskView[]; completed: TaskView[] }>();
  for (const [list, live] of [
    [f.tasks, true],
    [f.completedTasks, false],
  ] as const) {
    for (const t of list) {
      if (!t.task.executor) continue;
      const id = t.task.executor.executorId;
      const entry = byId.get(id) ?? { tasks: [], completed: [] };
      (live ? entry.tasks : entry.completed).push(t);
      byId.set(id, entry);
    }
  }
  return [...byId].map(([id, { tasks, completed }]) => {
    const first = (tasks[0] ?? completed[0])!;
    return {
      id,
      name: first.task.executor!.name ?? "",
      source: id,
      framework_id: f.info.id,
      directory: first.sandbox,
      resources: mesosResources(first.task.executor!.resources ?? []),
      tasks: tasks.map(taskJson),
      queued_tasks: [],
      completed_tasks: completed.map(taskJson),
    };
  });
}

function frameworkJson(f: FrameworkView) {
  return {
    id: f.info.id,
    name: f.info.name,
    user: f.info.user,
    role: f.info.roles[0],
    roles: f.info.roles,
    hostname: f.info.hostname ?? "",
    failover_timeout: f.info.failoverTimeout,
    checkpoint: f.info.checkpoint,
    // The executors of ended tasks stay here (with the task under `completed_tasks`), so one list
    // gives every sandbox directory; `completed_executors` is kept for Mesos readers and stays empty.
    executors: [
      ...f.tasks.filter((t) => !t.task.executor).map((t) => executorJson(t, true)),
      ...f.completedTasks.filter((t) => !t.task.executor).map((t) => executorJson(t, false)),
      ...customExecutorsJson(f),
    ],
    completed_executors: [],
  };
}

/**
 * `GET /state`, shaped like the Mesos agent's; `flags` (what the agent was started with) only when the
 * reader may see them (Mesos' `view_flags`).
 */
export function agentStateJson(agent: AgentView, { flags = true }: { flags?: boolean } = {}) {
  return {
    version: AGORA_VERSION,
    id: agent.id ?? "",
    hostname: agent.hostname,
    port: agent.port ?? 0,
    resources: mesosResources(agent.resources),
    attributes: mesosAttributes(agent.attributes),
    capabilities: agent.capabilities,
    ...(flags
      ? {
          flags: {
            isolation: agent.cgroupMode === "none" ? "posix/cpu,posix/mem" : "cgroups/cpu,cgroups/mem",
          },
        }
      : {}),
    isolation: {
      cgroups: agent.cgroupMode,
      enforced: agent.cgroupMode !== "none",
      ...(agent.cgroupMode === "none"
        ? {
            note: "no writable cgroup hierarchy: shell task limits are advisory, usage is measured from /proc",
          }
        : {}),
    },
    frameworks: agent.frameworks().map(frameworkJson),
    completed_frameworks: agent.completedFrameworks().map(frameworkJson),
  };
}
