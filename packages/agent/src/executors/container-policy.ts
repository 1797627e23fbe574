import { realpath } from "node:fs/promises";
import path from "node:path";
import type { TaskInfo } from "@agora/protocol";
import { AgentError } from "../errors.js";

/**
 * What an agent lets a container reach beyond itself. Both are off on cluster agents: a privileged
 * container, or a bind of any host path, is root on the machine (Nomad's docker driver refuses both
 * by default too: `allow_privileged`, `volumes.enabled`).
 */
export interface ContainerPolicy {
  /** `--allow-privileged-containers`: `docker.privileged`, or Docker's `privileged` parameter. */
  readonly allowPrivileged: boolean;
  /** `--allow-host-volumes`: a volume whose `hostPath` is outside the task's sandbox. */
  readonly allowHostVolumes: boolean;
}

export const STRICT_CONTAINER_POLICY: ContainerPolicy = { allowPrivileged: false, allowHostVolumes: false };

/** True for Docker's `privileged` parameter set to anything but false (`--privileged` takes no value). */
function privilegedParameter(p: { key: string; value: string }): boolean {
  return p.key.replace(/^--/, "") === "privileged" && p.value.trim().toLowerCase() !== "false";
}

/** Whether a task asks for a privileged container, through the field or Docker's parameter. */
export function wantsPrivileged(task: TaskInfo): boolean {
  const docker = task.container?.docker;
  return docker !== undefined && (docker.privileged || (docker.parameters ?? []).some(privilegedParameter));
}

/**
 * Where a volume's `hostPath` points on the host: an absolute path as is, a relative one inside
 * the task's sandbox (Mesos' SANDBOX_PATH volumes), resolved so `..` cannot hide an escape.
 */
export function hostPathOf(hostPath: string, sandbox: string): string {
  return path.resolve(sandbox, hostPath);
}

function insideSandbox(resolved: string, sandbox: string): boolean {
  const relative = path.relative(path.resolve(sandbox), resolved);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * Why this agent refuses to run `task`'s container, naming the field, or undefined when it may run
 * (pure). A relative `hostPath` that stays inside the sandbox is the task's own and always allowed.
 * `realPaths` (by volume index) are where each host path really leads once symlinks are followed
 * (see `realHostPath`): a sandbox holds fetched files, and a link among them must not lead out.
 */
export function containerRefusal(
  task: TaskInfo,
  sandbox: string,
  policy: ContainerPolicy,
  realPaths: ReadonlyArray<string | undefined> = [],
): string | undefined {
  const docker = task.container?.docker;
  if (docker && !policy.allowPrivileged) {
    if (docker.privileged) {
      return "container.docker.privileged: this agent refuses privileged containers (start it with --allow-privileged-containers)";
    }
    const i = (docker.parameters ?? []).findIndex(privilegedParameter);
    if (i >= 0) {
      return `container.docker.parameters[${i}] (privileged): this agent refuses privileged containers (start it with --allow-privileged-containers)`;
    }
  }
  if (!policy.allowHostVolumes) {
    const volumes = task.container?.volumes ?? [];
    for (const [i, v] of volumes.entries()) {
      if (v.hostPath === undefined) continue;
      if (insideSandbox(realPaths[i] ?? hostPathOf(v.hostPath, sandbox), sandbox)) continue;
      return `container.volumes[${i}].hostPath '${v.hostPath}': this agent refuses host-path volumes outside the task's sandbox (start it with --allow-host-volumes)`;
    }
  }
  return undefined;
}

/**
 * Where `p` really leads: the real path of its longest existing prefix (symlinks followed) with the
 * rest appended, as Docker would create the missing part under wherever the links lead.
 */
export async function realHostPath(p: string): Promise<string> {
  const rest: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(await realpath(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return p;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

/**
 * Throws the refusal as a launch failure (the task ends TASK_FAILED, REASON_TASK_UNAUTHORIZED),
 * after following the symlinks of every host path and of the sandbox itself.
 */
export async function checkContainerPolicy(
  task: TaskInfo,
  sandbox: string,
  policy: ContainerPolicy,
): Promise<void> {
  const realSandbox = await realHostPath(sandbox);
  const realPaths = await Promise.all(
    (task.container?.volumes ?? []).map((v) =>
      v.hostPath === undefined ? undefined : realHostPath(hostPathOf(v.hostPath, sandbox)),
    ),
  );
  const refusal = containerRefusal(task, realSandbox, policy, realPaths);
  if (refusal !== undefined) {
    throw new AgentError("LAUNCH_FAILED", refusal, { reason: "REASON_TASK_UNAUTHORIZED" });
  }
}
