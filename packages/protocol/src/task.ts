import { z } from "zod";
import { AgentId, ExecutorId, FrameworkId, RoleName, TaskId, UpdateUuid } from "./ids.js";
import { Resource } from "./resources/schema.js";

/** Mesos' task states, with their Mesos names so `/master/state` readers see what they know. */
export const TaskState = z.enum([
  "TASK_STAGING",
  "TASK_STARTING",
  "TASK_RUNNING",
  "TASK_KILLING",
  "TASK_FINISHED",
  "TASK_FAILED",
  "TASK_KILLED",
  "TASK_ERROR",
  "TASK_DROPPED",
  "TASK_LOST",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
  "TASK_UNREACHABLE",
  "TASK_UNKNOWN",
]);
export type TaskState = z.infer<typeof TaskState>;

export const TaskStatusReason = z.enum([
  "REASON_COMMAND_EXECUTOR_FAILED",
  "REASON_CONTAINER_LAUNCH_FAILED",
  "REASON_CONTAINER_LIMITATION",
  "REASON_CONTAINER_LIMITATION_MEMORY",
  "REASON_CONTAINER_LIMITATION_DISK",
  "REASON_CONTAINER_PREEMPTED",
  "REASON_EXECUTOR_REGISTRATION_TIMEOUT",
  "REASON_EXECUTOR_TERMINATED",
  "REASON_EXECUTOR_UNREGISTERED",
  "REASON_FRAMEWORK_REMOVED",
  "REASON_GC_ERROR",
  "REASON_INVALID_FRAMEWORKID",
  "REASON_INVALID_OFFERS",
  "REASON_MASTER_DISCONNECTED",
  "REASON_RECONCILIATION",
  "REASON_RESOURCES_UNKNOWN",
  "REASON_AGENT_DISCONNECTED",
  "REASON_AGENT_REMOVED",
  "REASON_AGENT_REMOVED_BY_OPERATOR",
  "REASON_AGENT_REREGISTERED",
  "REASON_AGENT_RESTARTED",
  "REASON_AGENT_UNKNOWN",
  "REASON_TASK_CHECK_STATUS_UPDATED",
  "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
  "REASON_TASK_GROUP_INVALID",
  "REASON_TASK_INVALID",
  "REASON_TASK_KILLED_DURING_LAUNCH",
  "REASON_TASK_UNAUTHORIZED",
  "REASON_TASK_UNKNOWN",
  "REASON_MAX_COMPLETION_TIME_REACHED",
]);
export type TaskStatusReason = z.infer<typeof TaskStatusReason>;

export const StatusSource = z.enum(["SOURCE_MASTER", "SOURCE_AGENT", "SOURCE_EXECUTOR"]);
export type StatusSource = z.infer<typeof StatusSource>;

export const Labels = z.record(z.string(), z.string());

const EnvironmentName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

export const Environment = z.record(EnvironmentName, z.string());

/** What every rendering of a task (state, events, logs, the UI) shows instead of a secret's value. */
export const SECRET_MASK = "******";

/** The fields of a command; `CommandInfo` adds that it names something to run. */
const CommandFields = z
  .object({
    value: z.string().optional(),
    shell: z.boolean().default(true),
    arguments: z.array(z.string()).optional(),
    environment: Environment.optional(),
    /**
     * Names of `environment` variables whose values are secret (Mesos' Environment.Variable type
     * SECRET): the agent gives the task the real value; everything that shows the task shows
     * `SECRET_MASK` instead (Mesos' JSON: `toMesosCommandInfo`). A list beside `environment`, so that code which
     * only passes values on needs no change.
     */
    secrets: z.array(EnvironmentName).optional(),
    /** The OS user the task runs as (empty: the agent's own), when the agent switches users (docs/security.md). */
    user: z.string().optional(),
    uris: z
      .array(
        z
          .object({
            value: z.string().min(1),
            executable: z.boolean().optional(),
            extract: z.boolean().optional(),
            cache: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict()
  .refine((c) => (c.secrets ?? []).every((name) => c.environment?.[name] !== undefined), {
    message: "every name in secrets must be a variable of environment",
    path: ["secrets"],
  });

/** True when a command names a program to run (a value or arguments), not only its environment. */
export function hasProgram(c: { value?: string | undefined; arguments?: string[] | undefined }): boolean {
  return c.value !== undefined || (c.arguments?.length ?? 0) > 0;
}

/**
 * What to run. `shell: true` (the default) runs `value` through `/bin/sh -c`; `shell: false` runs
 * `value` as the program with `arguments` as its argv, without a shell.
 */
export const CommandInfo = CommandFields.refine(hasProgram, {
  message: "a command needs a value or arguments",
  path: ["value"],
});
export type CommandInfo = z.infer<typeof CommandInfo>;
/** What the schema accepts before its defaults apply (e.g. `shell` may be left out). */
export type CommandInfoInput = z.input<typeof CommandInfo>;

export const Volume = z
  .object({
    containerPath: z.string().min(1),
    hostPath: z.string().min(1).optional(),
    mode: z.enum(["RO", "RW"]).default("RW"),
  })
  .strict();

export const PortMapping = z
  .object({
    hostPort: z.number().int().min(0).max(65535),
    containerPort: z.number().int().min(0).max(65535),
    protocol: z.enum(["tcp", "udp"]).default("tcp"),
  })
  .strict();

export const ContainerInfo = z
  .object({
    type: z.enum(["DOCKER", "MESOS"]),
    docker: z
      .object({
        image: z.string().min(1),
        network: z.enum(["HOST", "NONE", "BRIDGE"]).default("HOST"),
        portMappings: z.array(PortMapping).optional(),
        parameters: z.array(z.object({ key: z.string(), value: z.string() }).strict()).optional(),
        forcePullImage: z.boolean().default(false),
        privileged: z.boolean().default(false),
      })
      .strict()
      .optional(),
    volumes: z.array(Volume).optional(),
  })
  .strict();
export type ContainerInfo = z.infer<typeof ContainerInfo>;
export type ContainerInfoInput = z.input<typeof ContainerInfo>;

/** Agent-side health checks (Mesos' HealthCheck); their result rides on status updates as `healthy`. */
export const HealthCheck = z
  .object({
    type: z.enum(["COMMAND", "HTTP", "TCP"]),
    command: CommandInfo.optional(),
    http: z
      .object({
        port: z.number().int().min(1).max(65535),
        path: z.string().default("/"),
        scheme: z.enum(["http", "https"]).default("http"),
      })
      .strict()
      .optional(),
    tcp: z
      .object({ port: z.number().int().min(1).max(65535) })
      .strict()
      .optional(),
    delaySeconds: z.number().nonnegative().default(15),
    intervalSeconds: z.number().positive().default(10),
    timeoutSeconds: z.number().positive().default(20),
    consecutiveFailures: z.number().int().positive().default(3),
    gracePeriodSeconds: z.number().nonnegative().default(10),
  })
  .strict();
export type HealthCheck = z.infer<typeof HealthCheck>;
export type HealthCheckInput = z.input<typeof HealthCheck>;

export const KillPolicy = z.object({ gracePeriodSeconds: z.number().nonnegative() }).strict();
export type KillPolicy = z.infer<typeof KillPolicy>;

/**
 * A framework's own executor (Mesos' `ExecutorInfo` with a command): the agent runs `command` in the
 * executor's sandbox, and the process speaks Mesos' executor HTTP API (`/api/v1/executor` on the
 * agent), receiving the tasks launched on it as LAUNCH events and sending their status updates.
 */
export const ExecutorInfo = z
  .object({
    executorId: ExecutorId,
    name: z.string().max(512).optional(),
    command: CommandInfo,
    /** What the executor itself uses, beside its tasks (booked with the task that starts it). */
    resources: z.array(Resource).optional(),
    /** How long the executor has to end after SHUTDOWN before it is killed (Mesos' default 5 s). */
    shutdownGracePeriodSeconds: z.number().nonnegative().optional(),
    labels: Labels.optional(),
  })
  .strict();
export type ExecutorInfo = z.infer<typeof ExecutorInfo>;

/** A task to launch, as a framework sends it in an accept's launch operation. */
export const TaskInfo = z
  .object({
    taskId: TaskId,
    name: z.string().min(1).max(512),
    agentId: AgentId,
    resources: z.array(Resource).min(1, "a task needs resources"),
    /**
     * A docker task may carry a command with only `environment` (and `user`, `uris`): the image
     * runs as built, with the task's environment (Marathon's docker apps without `cmd`/`args`).
     */
    command: CommandFields.optional(),
    container: ContainerInfo.optional(),
    healthCheck: HealthCheck.optional(),
    killPolicy: KillPolicy.optional(),
    labels: Labels.optional(),
    maxCompletionTimeSeconds: z.number().positive().optional(),
    /** Runs the task on the framework's own executor instead of a shell or Docker executor. */
    executor: ExecutorInfo.optional(),
    /** Opaque bytes for the task's custom executor (base64, as Mesos' JSON carries `bytes`). */
    data: z.base64().optional(),
  })
  .strict()
  .refine((t) => t.command !== undefined || t.container?.docker !== undefined || t.executor !== undefined, {
    message: "a task needs a command, a docker container or an executor",
    path: ["command"],
  })
  // As Mesos: "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present".
  .refine((t) => t.executor === undefined || (t.command === undefined && t.container === undefined), {
    message: "a task with an executor has neither a command nor a container of its own",
    path: ["executor"],
  })
  .refine((t) => t.command === undefined || hasProgram(t.command) || t.container?.docker !== undefined, {
    message: "a command needs a value or arguments (only a docker task may carry an environment alone)",
    path: ["command", "value"],
  });
export type TaskInfo = z.infer<typeof TaskInfo>;
export type TaskInfoInput = z.input<typeof TaskInfo>;

/** One observation of a task's state. Updates sent by an agent carry a `uuid` and are acknowledged. */
export const TaskStatus = z
  .object({
    taskId: TaskId,
    state: TaskState,
    agentId: AgentId.optional(),
    executorId: ExecutorId.optional(),
    source: StatusSource,
    reason: TaskStatusReason.optional(),
    message: z.string().optional(),
    /** Seconds since the epoch, as in Mesos. */
    timestamp: z.number(),
    uuid: UpdateUuid.optional(),
    healthy: z.boolean().optional(),
    labels: Labels.optional(),
    containerStatus: z
      .object({
        containerId: z.string().optional(),
        executorPid: z.number().int().optional(),
        exitCode: z.number().int().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TaskStatus = z.infer<typeof TaskStatus>;

/** A task as the master and agents book it: what was launched, where, and its latest status. */
export const TaskRecord = z
  .object({
    task: TaskInfo,
    frameworkId: FrameworkId,
    role: RoleName,
    state: TaskState,
    statuses: z.array(TaskStatus),
  })
  .strict();
export type TaskRecord = z.infer<typeof TaskRecord>;
