import { AGORA_VERSION, type ExecutorInfo, firstIssue, scalarOf } from "@agora/protocol";
import {
  toMesosExecutorInfo,
  toMesosFrameworkInfo,
  toMesosLabels,
  toMesosResources,
  toMesosTaskStatus,
  withoutNulls,
} from "@agora/protocol/mesos-v1";
import { z } from "zod";
import type { AgentView, FrameworkView, TaskView } from "../agent-view.js";
import type { TaskUsage } from "../executor.js";
import type { CustomExecutorView } from "../executors/custom-executor.js";
import { MesosAgentApiError } from "./errors.js";
import { toMesosAgentInfo } from "./executor-events.js";

/** The calls of Mesos' agent operator API (`agent::Call`) this agent answers. */
export const AGENT_CALLS = [
  "GET_HEALTH",
  "GET_VERSION",
  "GET_AGENT",
  "GET_STATE",
  "GET_FRAMEWORKS",
  "GET_EXECUTORS",
  "GET_TASKS",
  "GET_CONTAINERS",
  "LIST_FILES",
  "READ_FILE",
] as const;

/** Every type of Mesos' `agent::Call` (include/mesos/v1/agent/agent.proto), answered or not. */
const MESOS_AGENT_CALLS: ReadonlySet<string> = new Set([
  ...AGENT_CALLS,
  "UNKNOWN",
  "GET_FLAGS",
  "GET_METRICS",
  "GET_LOGGING_LEVEL",
  "SET_LOGGING_LEVEL",
  "GET_OPERATIONS",
  "GET_RESOURCE_PROVIDERS",
  "LAUNCH_NESTED_CONTAINER",
  "WAIT_NESTED_CONTAINER",
  "KILL_NESTED_CONTAINER",
  "REMOVE_NESTED_CONTAINER",
  "LAUNCH_NESTED_CONTAINER_SESSION",
  "ATTACH_CONTAINER_INPUT",
  "ATTACH_CONTAINER_OUTPUT",
  "LAUNCH_CONTAINER",
  "WAIT_CONTAINER",
  "KILL_CONTAINER",
  "REMOVE_CONTAINER",
  "ADD_RESOURCE_PROVIDER_CONFIG",
  "UPDATE_RESOURCE_PROVIDER_CONFIG",
  "REMOVE_RESOURCE_PROVIDER_CONFIG",
  "MARK_RESOURCE_PROVIDER_GONE",
  "PRUNE_IMAGES",
]);

/** Mesos' `agent::Call` JSON; a type Mesos defines that this agent lacks is 501, any other type a 400. */
export const MesosAgentCall = z.object({
  type: z.string().min(1),
  list_files: z.object({ path: z.string().min(1) }).optional(),
  read_file: z
    .object({
      path: z.string().min(1),
      offset: z.number().int().nonnegative(),
      length: z.number().int().nonnegative().optional(),
    })
    .optional(),
  get_containers: z
    .object({ show_nested: z.boolean().optional(), show_standalone: z.boolean().optional() })
    .optional(),
});
export type MesosAgentCall = z.infer<typeof MesosAgentCall>;

export type AgentCallType = (typeof AGENT_CALLS)[number];

/** Reads an agent call: Mesos' messages for a body that is no `agent::Call` and for a missing part. */
export function parseAgentCall(json: unknown): MesosAgentCall & { type: AgentCallType } {
  // Mesos reads `null` as an unset field.
  const parsed = MesosAgentCall.safeParse(withoutNulls(json));
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new MesosAgentApiError(
      `Failed to convert JSON into Call protobuf: ${field ? `${field}: ` : ""}${message}`,
      400,
      field,
    );
  }
  const call = parsed.data;
  // A type Mesos does not define fails its protobuf parse (400); one it defines and we lack is 501.
  if (!MESOS_AGENT_CALLS.has(call.type))
    throw new MesosAgentApiError(
      `Failed to convert JSON into Call protobuf: type: unknown call type '${call.type.slice(0, 100)}'`,
      400,
      "type",
    );
  if (!(AGENT_CALLS as readonly string[]).includes(call.type))
    throw new MesosAgentApiError(`${call.type} is not supported by Agora's agent`, 501, "type");
  if (call.type === "LIST_FILES" && !call.list_files)
    throw new MesosAgentApiError("Expecting 'list_files' to be present", 400, "list_files");
  if (call.type === "READ_FILE" && !call.read_file)
    throw new MesosAgentApiError("Expecting 'read_file' to be present", 400, "read_file");
  return call as MesosAgentCall & { type: AgentCallType };
}

/**
 * The executor a task runs under, as Mesos' agent shows it: its framework's own executor, or for
 * our shell and Docker tasks the command executor Mesos would generate (its id is the task's).
 */
function executorOf(t: TaskView): ExecutorInfo {
  if (t.task.executor) return t.task.executor;
  const value = t.task.command?.value ?? t.task.container?.docker?.image ?? t.task.taskId;
  return {
    executorId: t.task.taskId as unknown as ExecutorInfo["executorId"],
    name: `Command Executor (Task: ${t.task.taskId}) (Command: ${t.executor})`,
    command: { value, shell: true },
    resources: t.task.resources,
  };
}

/** Mesos' v1 `Task`, as the agent's GET_TASKS lists it. */
export function mesosTask(t: TaskView) {
  const { task } = t;
  const last = t.statuses[t.statuses.length - 1];
  return {
    name: task.name,
    task_id: { value: task.taskId },
    framework_id: { value: t.frameworkId },
    executor_id: { value: executorOf(t).executorId },
    agent_id: { value: task.agentId },
    state: t.state,
    resources: toMesosResources(task.resources),
    statuses: t.statuses.map(toMesosTaskStatus),
    ...(last ? { status_update_state: last.state } : {}),
    ...(task.labels === undefined ? {} : { labels: toMesosLabels(task.labels) }),
    ...(task.container?.docker
      ? { container: { type: "DOCKER", docker: { image: task.container.docker.image } } }
      : {}),
  };
}

function getFrameworks(agent: AgentView) {
  const info = (f: FrameworkView) => ({ framework_info: toMesosFrameworkInfo(f.info, f.info.id!) });
  return {
    frameworks: agent.frameworks().map(info),
    completed_frameworks: agent.completedFrameworks().map(info),
  };
}

function getTasks(agent: AgentView) {
  const all = [...agent.frameworks(), ...agent.completedFrameworks()];
  const live = all.flatMap((f) => f.tasks);
  return {
    // STAGING tasks are still being fetched or started: Mesos' "queued" ones (waiting for their executor).
    pending_tasks: [],
    queued_tasks: live.filter((t) => t.state === "TASK_STAGING").map(mesosTask),
    launched_tasks: live.filter((t) => t.state !== "TASK_STAGING").map(mesosTask),
    terminated_tasks: [],
    completed_tasks: all.flatMap((f) => f.completedTasks).map(mesosTask),
  };
}

function getExecutors(agent: AgentView) {
  const seen = new Set<string>();
  const executors: unknown[] = [];
  const completed: unknown[] = [];
  for (const f of [...agent.frameworks(), ...agent.completedFrameworks()]) {
    for (const [tasks, live] of [
      [f.tasks, true],
      [f.completedTasks, false],
    ] as const) {
      for (const t of tasks) {
        const info = executorOf(t);
        const key = `${t.frameworkId}/${info.executorId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        (live ? executors : completed).push({ executor_info: toMesosExecutorInfo(info, t.frameworkId) });
      }
    }
  }
  return { executors, completed_executors: completed };
}

/** Mesos' `ResourceStatistics` from what a task or executor used. */
function resourceStatistics(usage: TaskUsage | undefined, limits: { cpus: number; memBytes: number }) {
  return {
    timestamp: Date.now() / 1000,
    cpus_limit: limits.cpus,
    mem_limit_bytes: limits.memBytes,
    ...(usage
      ? {
          cpus_user_time_secs: usage.cpuUserSeconds,
          cpus_system_time_secs: usage.cpuSystemSeconds,
          mem_rss_bytes: usage.memBytes,
        }
      : {}),
  };
}

/** What GET_CONTAINERS is built from: the running tasks with their usage, and the custom executors. */
export interface ContainerFacts {
  readonly tasks: ReadonlyArray<{ task: TaskView; usage: TaskUsage | undefined }>;
  readonly executors: ReadonlyArray<{ executor: CustomExecutorView; usage: TaskUsage | undefined }>;
}

/**
 * GET_CONTAINERS: one container per shell or Docker task (its Docker container's id, or for a shell
 * task its sandbox's name, the task id), and one per custom executor, which its tasks share.
 */
export function getContainers(facts: ContainerFacts) {
  const containers: unknown[] = [];
  for (const { task: t, usage } of facts.tasks) {
    if (t.task.executor) continue;
    const containerId =
      [...t.statuses].reverse().find((s) => s.containerStatus?.containerId)?.containerStatus?.containerId ??
      t.task.taskId;
    const pid = [...t.statuses].reverse().find((s) => s.containerStatus?.executorPid)
      ?.containerStatus?.executorPid;
    containers.push({
      framework_id: { value: t.frameworkId },
      executor_id: { value: t.task.taskId },
      executor_name: executorOf(t).name,
      container_id: { value: containerId },
      ...(pid === undefined ? {} : { container_status: { executor_pid: pid } }),
      resource_statistics: resourceStatistics(usage, {
        cpus: scalarOf(t.task.resources, "cpus"),
        memBytes: Math.round(scalarOf(t.task.resources, "mem") * 1024 * 1024),
      }),
    });
  }
  for (const { executor: e, usage } of facts.executors) {
    containers.push({
      framework_id: { value: e.frameworkId },
      executor_id: { value: e.info.executorId },
      executor_name: e.info.name ?? "",
      container_id: { value: e.containerId },
      container_status: { executor_pid: e.pid },
      resource_statistics: resourceStatistics(usage, {
        cpus: scalarOf(e.info.resources ?? [], "cpus"),
        memBytes: Math.round(scalarOf(e.info.resources ?? [], "mem") * 1024 * 1024),
      }),
    });
  }
  return { containers };
}

/** The answer to a read call that needs nothing but the agent's view (not files, not usage). */
export function agentResponse(
  type: Exclude<AgentCallType, "GET_CONTAINERS" | "LIST_FILES" | "READ_FILE">,
  agent: AgentView,
): Record<string, unknown> {
  const key = type.toLowerCase();
  switch (type) {
    case "GET_HEALTH":
      return { type, [key]: { healthy: true } };
    case "GET_VERSION":
      return { type, [key]: { version_info: { version: AGORA_VERSION } } };
    case "GET_AGENT":
      return {
        type,
        [key]: {
          agent_info: toMesosAgentInfo({
            id: agent.id ?? ("" as never),
            hostname: agent.hostname,
            port: agent.port ?? 0,
            resources: agent.resources,
            attributes: agent.attributes,
          }),
        },
      };
    case "GET_FRAMEWORKS":
      return { type, [key]: getFrameworks(agent) };
    case "GET_EXECUTORS":
      return { type, [key]: getExecutors(agent) };
    case "GET_TASKS":
      return { type, [key]: getTasks(agent) };
    case "GET_STATE":
      return {
        type,
        [key]: {
          get_tasks: getTasks(agent),
          get_executors: getExecutors(agent),
          get_frameworks: getFrameworks(agent),
        },
      };
  }
}

/** Mesos' `FileInfo` from a directory entry's facts (`mtime` a TimeInfo, `mode` the st_mode number). */
export function fileInfo(entry: {
  path: string;
  nlink: number;
  size: number;
  mtimeMs: number;
  mode: number;
  uid: string;
  gid: string;
}) {
  return {
    path: entry.path,
    nlink: entry.nlink,
    size: entry.size,
    mtime: { nanoseconds: Math.floor(entry.mtimeMs) * 1e6 },
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
  };
}
