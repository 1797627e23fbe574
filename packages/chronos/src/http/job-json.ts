import { applyResourceDefaults, type JobDefaults, type JobDefinition } from "../model/job.js";
import type { JobEntry, JobView } from "../service.js";

type Json = Record<string, unknown>;

const EMPTY = Buffer.alloc(0);
const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

interface Written {
  pieces: readonly [string, string, string];
  stats: JobView["stats"] | undefined;
  bytes: Buffer;
}

/**
 * Jobs as Chronos' `JobSerializer` writes them, field for field and in its order: the definition with
 * the resource flags filling zero cpus/mem/disk (and the `--user` an empty `runAsUser`), the counters,
 * then `parents` (dependent jobs) or `schedule` and `scheduleTimeZone` (scheduled ones). Agora's own
 * fields (`startingDeadlineSeconds`, `scheduleId`, `labels`) follow, only when set. An on-demand job
 * (made through `/v1/jobs` without a schedule) has neither `parents` nor `schedule`.
 *
 * Written once per job and kept as bytes: a view's `definition` and `stats` are objects the service
 * replaces, never mutates (see `JobView`), so the same objects are the same JSON, and `GET /jobs` with
 * 10,000 jobs concatenates bytes (Chronos became unusable at ~1,000 jobs).
 */
export class JobText {
  private readonly cache = new WeakMap<JobDefinition, Written>();
  /** The last full listing: the service hands out the same entries array until a job changes. */
  private lastList: { entries: readonly JobEntry[]; bytes: Buffer } | undefined;

  constructor(private readonly defaults: JobDefaults) {}

  /** The job's JSON as UTF-8 bytes. */
  of(view: JobEntry): Buffer {
    let written = this.cache.get(view.definition);
    if (written === undefined) {
      const { head, middle, tail } = jobParts(view.definition, this.defaults);
      written = {
        pieces: [
          `${JSON.stringify(head).slice(0, -1)},`,
          `${JSON.stringify(middle).slice(1, -1)},`,
          JSON.stringify(tail).slice(1),
        ],
        stats: undefined,
        bytes: EMPTY,
      };
      this.cache.set(view.definition, written);
    }
    // The counters are an object the service replaces when they change, so the same object is the same text.
    if (written.stats !== view.stats) {
      const s = view.stats;
      const [head, middle, tail] = written.pieces;
      written.bytes = Buffer.from(
        `${head}"successCount":${s.successCount},"errorCount":${s.errorCount},"lastSuccess":${JSON.stringify(
          s.lastSuccess,
        )},"lastError":${JSON.stringify(s.lastError)},${middle}"errorsSinceLastSuccess":${s.errorsSinceLastSuccess},${tail}`,
      );
      written.stats = view.stats;
    }
    return written.bytes;
  }

  /** A JSON array of the jobs, joined from their bytes (no JSON written for jobs that did not change). */
  list(views: Iterable<JobEntry>): Buffer {
    const parts: Buffer[] = [OPEN];
    for (const v of views) parts.push(parts.length > 1 ? COMMA : EMPTY, this.of(v));
    parts.push(CLOSE);
    return Buffer.concat(parts);
  }

  /** Every job (`ChronosService.entries()`), the same bytes again while nothing changed. */
  all(entries: readonly JobEntry[]): Buffer {
    if (this.lastList?.entries !== entries) this.lastList = { entries, bytes: this.list(entries) };
    return this.lastList.bytes;
  }
}

/** The definition's fields around the counters: before `successCount`, before `errorsSinceLastSuccess`, after. */
function jobParts(
  definition: JobDefinition,
  defaults: JobDefaults,
): { head: Json; middle: Json; tail: Json } {
  const job = applyResourceDefaults(definition, defaults);
  const head: Json = {
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
  };
  const middle: Json = {
    cpus: job.cpus,
    disk: job.disk,
    mem: job.mem,
    disabled: job.disabled,
    softError: job.softError,
    dataProcessingJobType: job.dataProcessingJobType,
  };
  const tail: Json = {
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
    tail.container = {
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
  tail.constraints = job.constraints;
  if (job.parents !== undefined) tail.parents = job.parents;
  else if (job.schedule !== undefined && job.schedule !== "") {
    tail.schedule = job.schedule;
    tail.scheduleTimeZone = job.scheduleTimeZone;
  }
  if (job.startingDeadlineSeconds !== undefined) tail.startingDeadlineSeconds = job.startingDeadlineSeconds;
  if (job.scheduleId !== undefined) tail.scheduleId = job.scheduleId;
  if (Object.keys(job.labels).length > 0) tail.labels = job.labels;
  return { head, middle, tail };
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
