import { applyResourceDefaults, type JobDefaults } from "../model/job.js";
import type { JobView } from "../service.js";

type Json = Record<string, unknown>;

/**
 * A job as Chronos' `JobSerializer` writes it, field for field and in its order: the definition with
 * the resource flags filling zero cpus/mem/disk (and the `--user` an empty `runAsUser`), the counters,
 * then `parents` (dependent jobs) or `schedule` and `scheduleTimeZone` (scheduled ones). Agora's own
 * fields (`startingDeadlineSeconds`, `scheduleId`, `labels`) follow, only when set. An on-demand job
 * (made through `/v1/jobs` without a schedule) has neither `parents` nor `schedule`.
 */
export function jobJson(view: JobView, defaults: JobDefaults): Json {
  const job = applyResourceDefaults(view.definition, defaults);
  const stats = view.stats;
  const out: Json = {
    name: job.name,
    command: job.command,
    shell: job.shell,
    executor: job.executor,
    executorFlags: job.executorFlags,
    taskInfoData: job.taskInfoData,
    retries: job.retries,
    owner: job.owner,
    ownerName: job.ownerName,
    description: job.description,
    successCount: stats.successCount,
    errorCount: stats.errorCount,
    lastSuccess: stats.lastSuccess,
    lastError: stats.lastError,
    cpus: job.cpus,
    disk: job.disk,
    mem: job.mem,
    disabled: job.disabled,
    softError: job.softError,
    dataProcessingJobType: job.dataProcessingJobType,
    errorsSinceLastSuccess: stats.errorsSinceLastSuccess,
    fetch: job.fetch.map((f) => ({
      uri: f.uri,
      executable: f.executable,
      cache: f.cache,
      extract: f.extract,
      ...(f.output_file ? { output_file: f.output_file } : {}),
    })),
    uris: job.uris,
    environmentVariables: job.environmentVariables,
    arguments: job.arguments,
    highPriority: job.highPriority,
    runAsUser: job.runAsUser,
    concurrent: job.concurrent,
    maxCompletionTime: job.maxCompletionTime,
  };
  if (job.container) {
    const c = job.container;
    out.container = {
      type: c.type,
      image: c.image,
      network: c.network,
      networkInfos: [],
      volumes: c.volumes.map((v) => ({
        ...(v.hostPath === undefined ? {} : { hostPath: v.hostPath }),
        containerPath: v.containerPath,
        mode: v.mode,
      })),
      forcePullImage: c.forcePullImage,
      parameters: c.parameters,
    };
  }
  out.constraints = job.constraints;
  if (job.parents !== undefined) out.parents = job.parents;
  else if (job.schedule !== undefined && job.schedule !== "") {
    out.schedule = job.schedule;
    out.scheduleTimeZone = job.scheduleTimeZone;
  }
  if (job.startingDeadlineSeconds !== undefined) out.startingDeadlineSeconds = job.startingDeadlineSeconds;
  if (job.scheduleId !== undefined) out.scheduleId = job.scheduleId;
  if (Object.keys(job.labels).length > 0) out.labels = job.labels;
  return out;
}

/** One entry of `/jobs/summary` (`{name, status, state, schedule, parents, disabled}`). */
export function summaryJson(view: JobView): Json {
  const job = view.definition;
  return {
    name: job.name,
    status: view.lastStatus,
    state: view.state,
    schedule: job.parents === undefined ? (job.schedule ?? "") : "",
    parents: job.parents ?? [],
    disabled: job.disabled,
  };
}
