import type { AgentId, FrameworkId, TaskInfo } from "@agora/protocol";
import { hasProgram, scalarOf } from "@agora/protocol";
import type Dockerode from "dockerode";
import { hostPathOf, wantsPrivileged } from "./container-policy.js";

/** The labels every Agora container carries; recovery and orphan cleanup find containers by them. */
export const LABELS = {
  taskId: "agora.task-id",
  frameworkId: "agora.framework-id",
  agentId: "agora.agent-id",
} as const;

/** Where the task's sandbox is mounted inside its container (Mesos' path), given as MESOS_SANDBOX. */
export const SANDBOX_MOUNT = "/mnt/mesos/sandbox";

/** Docker's cpu period (µs); the quota is `cpus` of it. */
const CPU_PERIOD_US = 100_000;
/** Docker refuses fewer shares than this. */
const MIN_CPU_SHARES = 2;

export interface ContainerTarget {
  readonly frameworkId: FrameworkId;
  readonly agentId: AgentId;
  readonly sandbox: string;
  readonly env: Readonly<Record<string, string>>;
  /** The container's name. */
  readonly name: string;
  /** The user the container's process runs as (Docker's `User`, resolved in the image), if any. */
  readonly user?: string;
}

/**
 * The container a task asks for, as Docker's create options:
 * - command: `shell: true` runs `value` as `/bin/sh -c value`; `shell: false` makes `value` (when
 *   given) the entrypoint and `arguments` its arguments (Docker's and Mesos' docker convention);
 *   no command, or one with only an environment (which `target.env` carries), keeps the image's
 *   entrypoint and cmd;
 * - resources: `cpus` → cpu shares (1024 per cpu) and a CFS quota; `mem` → a memory limit with no
 *   swap beyond it;
 * - network: HOST or NONE, or BRIDGE with the task's port mappings;
 * - volumes: `hostPath` bound (a relative one inside the sandbox), or a container-only volume;
 *   whether the agent allows them, and privileged containers, is `checkContainerPolicy`'s to say;
 * - user: `target.user` as Docker's `User`.
 */
export function dockerCreateOptions(
  task: TaskInfo,
  target: ContainerTarget,
): Dockerode.ContainerCreateOptions {
  const docker = task.container!.docker!;
  const cpus = scalarOf(task.resources, "cpus");
  const memMb = scalarOf(task.resources, "mem");
  const env = { ...target.env, MESOS_SANDBOX: SANDBOX_MOUNT };
  const binds = [`${target.sandbox}:${SANDBOX_MOUNT}:rw`];
  const anonymous: Record<string, object> = {};
  for (const v of task.container?.volumes ?? []) {
    if (v.hostPath === undefined) {
      anonymous[v.containerPath] = {};
      continue;
    }
    const host = hostPathOf(v.hostPath, target.sandbox);
    binds.push(`${host}:${v.containerPath}:${v.mode === "RO" ? "ro" : "rw"}`);
  }
  const network = docker.network.toLowerCase();
  const portBindings: Record<string, Array<{ HostPort: string }>> = {};
  const exposed: Record<string, object> = {};
  if (docker.network === "BRIDGE") {
    for (const m of docker.portMappings ?? []) {
      const key = `${m.containerPort}/${m.protocol}`;
      exposed[key] = {};
      portBindings[key] = [...(portBindings[key] ?? []), { HostPort: String(m.hostPort) }];
    }
  }
  return {
    name: target.name,
    Image: docker.image,
    ...commandOf(task),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: SANDBOX_MOUNT,
    ...(target.user === undefined ? {} : { User: target.user }),
    Labels: {
      ...task.labels,
      [LABELS.taskId]: task.taskId,
      [LABELS.frameworkId]: target.frameworkId,
      [LABELS.agentId]: target.agentId,
    },
    ...(Object.keys(anonymous).length > 0 ? { Volumes: anonymous } : {}),
    ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      NetworkMode: network,
      Binds: binds,
      ...(Object.keys(portBindings).length > 0 ? { PortBindings: portBindings } : {}),
      Privileged: wantsPrivileged(task),
      ...(cpus > 0
        ? {
            CpuShares: Math.max(MIN_CPU_SHARES, Math.round(cpus * 1024)),
            CpuPeriod: CPU_PERIOD_US,
            CpuQuota: Math.round(cpus * CPU_PERIOD_US),
          }
        : {}),
      ...(memMb > 0
        ? { Memory: Math.round(memMb * 1024 * 1024), MemorySwap: Math.round(memMb * 1024 * 1024) }
        : {}),
    },
  };
}

function commandOf(task: TaskInfo): Pick<Dockerode.ContainerCreateOptions, "Entrypoint" | "Cmd"> {
  const command = task.command;
  if (!command || !hasProgram(command)) return {};
  if (command.shell) return { Entrypoint: ["/bin/sh", "-c"], Cmd: [command.value ?? ""] };
  return {
    ...(command.value === undefined ? {} : { Entrypoint: [command.value] }),
    Cmd: [...(command.arguments ?? [])],
  };
}
