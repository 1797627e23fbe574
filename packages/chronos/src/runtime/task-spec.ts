import type { TaskSpec } from "@agora/framework-sdk";
import { attributeValues, type Offer } from "@agora/protocol";
import type { JobDefinition } from "../model/job.js";
import type { JobRun } from "../model/run.js";

/**
 * Chronos' task id: `ct:<dueMillis>:<attempt>:<job>:<run id>`. Tools split it on `:` and read the
 * job name at index 3, as they did with Chronos; the last field (Chronos' arguments) holds the run id
 * instead, so two manual runs in the same millisecond still get distinct ids.
 */
export function taskIdOf(run: JobRun, attempt: number): string {
  const due = Date.parse(run.scheduledAt ?? run.createdAt);
  return `ct:${due}:${attempt}:${run.jobName}:${run.id}`;
}

/** The task of one attempt of `run`, for `packTasks`; `job` has its resource defaults applied. */
export function taskSpecOf(job: JobDefinition, run: JobRun, attempt: number): TaskSpec {
  const env: Record<string, string> = {
    CHRONOS_JOB_NAME: job.name,
    CHRONOS_JOB_OWNER: job.owner,
    CHRONOS_JOB_RUN_TIME: run.scheduledAt ?? run.createdAt,
    CHRONOS_JOB_RUN_ATTEMPT: String(attempt),
    CHRONOS_RESOURCE_CPU: String(job.cpus),
    CHRONOS_RESOURCE_MEM: String(job.mem),
    CHRONOS_RESOURCE_DISK: String(job.disk),
  };
  for (const v of job.environmentVariables) env[v.name] = v.value;
  const uris = [
    ...job.fetch.map((f) => ({ value: f.uri, executable: f.executable, extract: f.extract, cache: f.cache })),
    ...job.uris.map((value) => ({ value })),
  ];
  // A manual run's arguments replace the job's, as Chronos' `PUT /job/{name}?arguments=` does.
  const args = run.arguments.length > 0 ? run.arguments : job.arguments;
  const viaShell = job.shell || (job.command !== "" && args.length === 0);
  const command: { value?: string; shell: boolean; arguments?: string[] } = viaShell
    ? { value: [job.command, ...args].filter((s) => s !== "").join(" "), shell: true }
    : { ...(job.command === "" ? {} : { value: job.command }), shell: false, arguments: args };
  const hasCommand = (command.value ?? "") !== "" || (command.arguments?.length ?? 0) > 0;
  return {
    taskId: taskIdOf(run, attempt),
    name: `ChronosTask:${job.name}`,
    resources: { cpus: job.cpus, mem: job.mem, disk: job.disk },
    ...(hasCommand || job.container === undefined
      ? {
          command: {
            ...command,
            user: job.runAsUser,
            ...(uris.length > 0 ? { uris } : {}),
          },
        }
      : {}),
    env,
    labels: { "chronos.job": job.name, "chronos.run": run.id },
    ...(job.container
      ? {
          container: {
            type: "DOCKER" as const,
            docker: {
              image: job.container.image,
              network: job.container.network,
              forcePullImage: job.container.forcePullImage,
              ...(job.container.parameters.length > 0 ? { parameters: job.container.parameters } : {}),
            },
            ...(job.container.volumes.length > 0 ? { volumes: job.container.volumes } : {}),
          },
        }
      : {}),
  };
}

/**
 * Whether `offer` satisfies every constraint of `job`, as Chronos' constraints: `hostname` is the
 * offer's host, any other field an agent attribute; EQUALS compares the whole value, LIKE / UNLIKE
 * match / do not match a regex against the whole value; a missing attribute fails all but UNLIKE.
 * A job with a container needs an agent that runs Docker.
 */
export function offerFits(job: JobDefinition, offer: Offer): boolean {
  if (job.container && offer.capabilities.length > 0 && !offer.capabilities.includes("docker")) return false;
  if (job.constraints.length === 0) return true;
  const attributes = attributeValues(offer.attributes);
  return job.constraints.every(([field, op, value]) => {
    const actual = field === "hostname" ? offer.hostname : attributes[field];
    if (actual === undefined) return op === "UNLIKE";
    if (op === "EQUALS") return actual === value;
    const matches = wholeMatch(value, actual);
    return op === "LIKE" ? matches : !matches;
  });
}

function wholeMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}
