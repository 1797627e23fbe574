import { z } from "zod";

/**
 * Chronos' job JSON, the one source of a job's type, its validation and its defaults. Chronos 3 and
 * the Metronome-style `/v1/jobs` API are two views of the same stored `JobDefinition`.
 *
 * Unknown fields are dropped rather than refused, so JSON written for any Chronos loads unchanged;
 * the read-only counters a client echoes back (`successCount`, `lastError`, …) are dropped the same way.
 */

/** Chronos' name rule (`JobUtils.jobNamePattern`): a name with spaces or slashes is refused. */
export const JOB_NAME_PATTERN = /^[\w.-]+$/;
// At most 128 characters: the name goes into each run's task id, which Mesos (and our TaskId) caps at 255;
// a longer name was accepted and then failed at every launch (found by the fuzz suite).
export const JobName = z
  .string()
  .max(128, "must be at most 128 characters (it goes into task ids)")
  .regex(JOB_NAME_PATTERN, "must match [\\w.-]+ (letters, digits, _ . -)");

export const EnvironmentVariable = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"),
  value: z.string(),
});

export const FetchUri = z.object({
  uri: z.string().min(1),
  executable: z.boolean().default(false),
  cache: z.boolean().default(false),
  extract: z.boolean().default(true),
  output_file: z.string().optional(),
});
export type FetchUri = z.output<typeof FetchUri>;

export const ConstraintOperator = z.enum(["EQUALS", "LIKE", "UNLIKE"]);
/** `[attribute, EQUALS|LIKE|UNLIKE, value]`; `hostname` is the agent's host name. */
export const JobConstraint = z.tuple([z.string().min(1), ConstraintOperator, z.string()]);
export type JobConstraint = z.output<typeof JobConstraint>;

export const JobContainer = z.object({
  type: z.enum(["DOCKER", "MESOS"]).default("DOCKER"),
  image: z.string().min(1, "a container needs an image"),
  network: z.enum(["HOST", "BRIDGE", "NONE"]).default("HOST"),
  volumes: z
    .array(
      z.object({
        containerPath: z.string().min(1),
        hostPath: z.string().min(1).optional(),
        mode: z.enum(["RO", "RW"]).default("RW"),
      }),
    )
    .default([]),
  parameters: z.array(z.object({ key: z.string().min(1), value: z.string() })).default([]),
  forcePullImage: z.boolean().default(false),
});
export type JobContainer = z.output<typeof JobContainer>;

/** Metronome's concurrency policy; Chronos' `concurrent: true` is ALLOW, false is FORBID. */
export const ConcurrencyPolicy = z.enum(["ALLOW", "FORBID"]);

/**
 * The fields every job has, with Chronos' defaults. `cpus`/`mem`/`disk` of 0 (or absent) mean "the
 * flag's default" (`--mesos_task_cpu` …), applied by `applyResourceDefaults`, as Chronos does.
 */
const JobFields = z.object({
  name: JobName,
  command: z.string().default(""),
  shell: z.boolean().default(true),
  arguments: z.array(z.string()).default([]),
  executor: z.string().default(""),
  executorFlags: z.string().default(""),
  taskInfoData: z.string().default(""),
  retries: z.number().int().min(0).default(2),
  owner: z.string().default(""),
  ownerName: z.string().default(""),
  description: z.string().default(""),
  cpus: z.number().nonnegative().default(0),
  mem: z.number().nonnegative().default(0),
  disk: z.number().nonnegative().default(0),
  disabled: z.boolean().default(false),
  concurrent: z.boolean().default(false),
  softError: z.boolean().default(false),
  dataProcessingJobType: z.boolean().default(false),
  highPriority: z.boolean().default(false),
  /** Empty: the `--user` flag's user. */
  runAsUser: z.string().default(""),
  /** Seconds a run may take before it is killed and counted as failed; 0: no limit. */
  maxCompletionTime: z.number().nonnegative().default(0),
  environmentVariables: z.array(EnvironmentVariable).default([]),
  fetch: z.array(FetchUri).default([]),
  /** Chronos' older form of `fetch`: plain URIs. */
  uris: z.array(z.string().min(1)).default([]),
  constraints: z.array(JobConstraint).default([]),
  container: JobContainer.optional(),
  /** ISO 8601 repeating interval `R[n]/[start]/period`, or (an Agora extension, Metronome's form) 5-field cron. */
  schedule: z.string().optional(),
  /** IANA zone the schedule's wall-clock fields are read in; "" means the start's own offset (ISO) or UTC (cron). */
  scheduleTimeZone: z.string().default(""),
  parents: z.array(JobName).optional(),
  /** Metronome's `startingDeadlineSeconds`: a slot missed by more is skipped, not caught up. Absent: always caught up. */
  startingDeadlineSeconds: z.number().int().min(60).optional(),
  /** Metronome's schedule id, kept so `/v1/jobs/{id}/schedules` round-trips. */
  scheduleId: z.string().optional(),
  /** Metronome's job `labels`, kept for its API. */
  labels: z.record(z.string(), z.string()).default({}),
});

/**
 * A stored job: a scheduled job (`schedule`), a dependent job (a non-empty `parents`), or, with
 * neither, an on-demand job that runs only when asked (Metronome's job without a schedule). Never
 * both. Chronos' own endpoints ask for their kind (`/iso8601` a schedule, `/dependency` parents).
 * The graph rules (parents exist, no cycles) need every job and live in `graph/`.
 */
export const JobDefinition = JobFields.superRefine((job, ctx) => {
  const scheduled = job.schedule !== undefined && job.schedule !== "";
  const dependent = job.parents !== undefined;
  if (scheduled && dependent)
    ctx.addIssue({ code: "custom", path: ["parents"], message: "a job has a schedule or parents, not both" });
  if (dependent && job.parents?.length === 0)
    ctx.addIssue({ code: "custom", path: ["parents"], message: "a dependent job needs at least one parent" });
  job.constraints.forEach(([, op, value], i) => {
    if (op !== "EQUALS" && !compiles(value))
      ctx.addIssue({
        code: "custom",
        path: ["constraints", i, 2],
        message: `${op} needs a valid regular expression`,
      });
  });
  if (job.uris.length > 0 && job.fetch.length > 0)
    ctx.addIssue({ code: "custom", path: ["uris"], message: "set fetch or uris, not both" });
  if (!job.shell && job.command === "" && job.arguments.length === 0 && job.container === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["arguments"],
      message: "a job without a shell needs a command or arguments",
    });
});
export type JobDefinition = z.output<typeof JobDefinition>;

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
export type JobDefinitionInput = z.input<typeof JobDefinition>;

export function isScheduled(job: JobDefinition): job is JobDefinition & { schedule: string } {
  return job.schedule !== undefined && job.schedule !== "";
}

/** The flags that fill a job's zero resources (Chronos' `--mesos_task_cpu/mem/disk`) and its user. */
export interface JobDefaults {
  cpus: number;
  mem: number;
  disk: number;
  user: string;
}

export const DEFAULT_JOB_RESOURCES: JobDefaults = { cpus: 0.1, mem: 128, disk: 256, user: "root" };

export function applyResourceDefaults(job: JobDefinition, d: JobDefaults): JobDefinition {
  return {
    ...job,
    cpus: job.cpus > 0 ? job.cpus : d.cpus,
    mem: job.mem > 0 ? job.mem : d.mem,
    disk: job.disk > 0 ? job.disk : d.disk,
    runAsUser: job.runAsUser !== "" ? job.runAsUser : d.user,
  };
}

/**
 * Chronos' counters of a job, as it counts them: `errorCount` rises once per run whose retries are
 * spent, `errorsSinceLastSuccess` returns to 0 with a success; times are ISO UTC, "" when never.
 */
export const JobStats = z.object({
  successCount: z.number().int().nonnegative().default(0),
  errorCount: z.number().int().nonnegative().default(0),
  lastSuccess: z.string().default(""),
  lastError: z.string().default(""),
  errorsSinceLastSuccess: z.number().int().nonnegative().default(0),
});
export type JobStats = z.output<typeof JobStats>;
