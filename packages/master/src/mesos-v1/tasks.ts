import type {
  CommandInfoInput,
  ContainerInfoInput,
  ExecutorInfo,
  HealthCheckInput,
  TaskInfoInput,
} from "@agora/protocol";
import type { z } from "zod";
import { MesosV1Error } from "./errors.js";
import { fromMesosLabels, fromMesosResources } from "./resources.js";
import type {
  MesosCommandInfo,
  MesosContainerInfo,
  MesosExecutorInfo,
  MesosHealthCheck,
  MesosTaskInfo,
} from "./schemas.js";

type ExecutorInfoInput = z.input<typeof ExecutorInfo>;

const NANOS_PER_SECOND = 1e9;

/**
 * Mesos' `TaskInfo` as ours: `command` (shell or argv, environment, uris) for the shell executor,
 * `container` type DOCKER for the docker executor, `executor` (a CUSTOM `ExecutorInfo` with a
 * command, and the task's `data`) for the framework's own executor, which the agent runs and serves
 * through Mesos' executor API.
 */
export function fromMesosTaskInfo(t: MesosTaskInfo, field: string): TaskInfoInput {
  return {
    taskId: t.task_id.value as TaskInfoInput["taskId"],
    name: t.name,
    agentId: t.agent_id.value as TaskInfoInput["agentId"],
    resources: fromMesosResources(t.resources, `${field}.resources`),
    ...(t.command ? { command: fromMesosCommand(t.command, `${field}.command`) } : {}),
    ...(t.container ? { container: fromMesosContainer(t.container, `${field}.container`) } : {}),
    ...(t.health_check ? { healthCheck: fromMesosHealthCheck(t.health_check, `${field}.health_check`) } : {}),
    ...(t.kill_policy?.grace_period
      ? { killPolicy: { gracePeriodSeconds: t.kill_policy.grace_period.nanoseconds / NANOS_PER_SECOND } }
      : {}),
    ...(t.labels ? { labels: fromMesosLabels(t.labels) } : {}),
    ...(t.max_completion_time
      ? { maxCompletionTimeSeconds: t.max_completion_time.nanoseconds / NANOS_PER_SECOND }
      : {}),
    ...(t.executor ? { executor: fromMesosExecutorInfo(t.executor, `${field}.executor`) } : {}),
    ...(t.data === undefined ? {} : { data: t.data }),
  };
}

/**
 * A CUSTOM `ExecutorInfo` as ours. The DEFAULT executor (task groups) and executors in a container
 * image are refused naming the field: Agora runs a custom executor as a process from its command.
 */
export function fromMesosExecutorInfo(e: MesosExecutorInfo, field: string): ExecutorInfoInput {
  if (e.type === "DEFAULT")
    throw new MesosV1Error(`${field}.type`, "the DEFAULT executor is not supported by Agora; use CUSTOM");
  if (e.container !== undefined)
    throw new MesosV1Error(
      `${field}.container`,
      "executors in a container are not supported by Agora; the executor runs as a process",
    );
  if (!e.command) throw new MesosV1Error(`${field}.command`, "a CUSTOM executor needs a command");
  return {
    executorId: e.executor_id.value as ExecutorInfoInput["executorId"],
    ...(e.name === undefined ? {} : { name: e.name }),
    command: fromMesosCommand(e.command, `${field}.command`) as ExecutorInfoInput["command"],
    ...(e.resources.length > 0 ? { resources: fromMesosResources(e.resources, `${field}.resources`) } : {}),
    ...(e.shutdown_grace_period
      ? { shutdownGracePeriodSeconds: e.shutdown_grace_period.nanoseconds / NANOS_PER_SECOND }
      : {}),
    ...(e.labels ? { labels: fromMesosLabels(e.labels) } : {}),
  };
}

/**
 * A SECRET variable's value: Mesos' Secret of type VALUE carries it (`value.data`, base64 bytes, as
 * Mesos' JSON writes `bytes`); a REFERENCE names an entry of a secret store, which Agora has not.
 */
function secretValue(secret: unknown, field: string): string {
  const s = secret as { type?: unknown; value?: { data?: unknown } } | undefined;
  if (s?.type === "REFERENCE")
    throw new MesosV1Error(
      `${field}.reference`,
      "secret references need a secret store, which Agora has not",
    );
  const data = s?.value?.data;
  if (typeof data !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(data))
    throw new MesosV1Error(`${field}.value.data`, "a VALUE secret needs its data as base64");
  return Buffer.from(data, "base64").toString("utf8");
}

export function fromMesosCommand(c: MesosCommandInfo, field: string): CommandInfoInput {
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [i, v] of (c.environment?.variables ?? []).entries()) {
    if (v.type === "SECRET" || v.secret !== undefined) {
      env[v.name] = secretValue(v.secret, `${field}.environment.variables[${i}].secret`);
      secrets.push(v.name);
      continue;
    }
    env[v.name] = v.value ?? "";
  }
  return {
    ...(c.value === undefined ? {} : { value: c.value }),
    shell: c.shell ?? true,
    ...(c.arguments ? { arguments: [...c.arguments] } : {}),
    ...(c.environment ? { environment: env } : {}),
    ...(secrets.length > 0 ? { secrets } : {}),
    ...(c.user === undefined ? {} : { user: c.user }),
    ...(c.uris
      ? {
          uris: c.uris.map((u, i) => {
            if (u.output_file !== undefined)
              throw new MesosV1Error(`${field}.uris[${i}].output_file`, "is not supported by Agora");
            return {
              value: u.value,
              ...(u.executable === undefined ? {} : { executable: u.executable }),
              ...(u.extract === undefined ? {} : { extract: u.extract }),
              ...(u.cache === undefined ? {} : { cache: u.cache }),
            };
          }),
        }
      : {}),
  };
}

export function fromMesosContainer(c: MesosContainerInfo, field: string): ContainerInfoInput {
  if (c.type === "MESOS" && c.mesos?.image !== undefined)
    throw new MesosV1Error(
      `${field}.mesos.image`,
      "images in the Mesos containerizer are not supported by Agora; use type DOCKER",
    );
  if (c.type === "DOCKER" && !c.docker)
    throw new MesosV1Error(`${field}.docker`, "a DOCKER container needs 'docker'");
  const d = c.docker;
  if (d?.network === "USER")
    throw new MesosV1Error(`${field}.docker.network`, "USER networks are not supported by Agora");
  return {
    type: c.type,
    ...(d
      ? {
          docker: {
            image: d.image,
            ...(d.network === undefined ? {} : { network: d.network }),
            ...(d.port_mappings
              ? {
                  portMappings: d.port_mappings.map((p) => ({
                    hostPort: p.host_port,
                    containerPort: p.container_port,
                    ...(p.protocol === undefined ? {} : { protocol: p.protocol as "tcp" | "udp" }),
                  })),
                }
              : {}),
            ...(d.parameters ? { parameters: d.parameters.map(({ key, value }) => ({ key, value })) } : {}),
            ...(d.force_pull_image === undefined ? {} : { forcePullImage: d.force_pull_image }),
            ...(d.privileged === undefined ? {} : { privileged: d.privileged }),
          },
        }
      : {}),
    ...(c.volumes
      ? {
          volumes: c.volumes.map((v, i) => {
            if (v.image !== undefined || v.source !== undefined)
              throw new MesosV1Error(
                `${field}.volumes[${i}]`,
                "only host_path volumes are supported by Agora",
              );
            return {
              containerPath: v.container_path,
              ...(v.host_path === undefined ? {} : { hostPath: v.host_path }),
              ...(v.mode === undefined ? {} : { mode: v.mode }),
            };
          }),
        }
      : {}),
  };
}

function fromMesosHealthCheck(h: MesosHealthCheck, field: string): HealthCheckInput {
  if (h.type === undefined || h.type === "UNKNOWN")
    throw new MesosV1Error(`${field}.type`, "must be COMMAND, HTTP or TCP");
  return {
    type: h.type,
    ...(h.command ? { command: fromMesosCommand(h.command, `${field}.command`) as never } : {}),
    ...(h.http
      ? {
          http: {
            port: h.http.port,
            ...(h.http.path === undefined ? {} : { path: h.http.path }),
            ...(h.http.scheme === undefined ? {} : { scheme: h.http.scheme as "http" | "https" }),
          },
        }
      : {}),
    ...(h.tcp ? { tcp: { port: h.tcp.port } } : {}),
    ...(h.delay_seconds === undefined ? {} : { delaySeconds: h.delay_seconds }),
    ...(h.interval_seconds === undefined ? {} : { intervalSeconds: h.interval_seconds }),
    ...(h.timeout_seconds === undefined ? {} : { timeoutSeconds: h.timeout_seconds }),
    ...(h.consecutive_failures === undefined ? {} : { consecutiveFailures: h.consecutive_failures }),
    ...(h.grace_period_seconds === undefined ? {} : { gracePeriodSeconds: h.grace_period_seconds }),
  };
}
