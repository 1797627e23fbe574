import { z } from "zod";
import { ChronosError, type ErrorDetail } from "../errors.js";
import {
  isScheduled,
  type JobConstraint,
  type JobDefaults,
  JobDefinition,
  type JobDefinitionInput,
  JobName,
  type JobStats,
} from "./job.js";
import type { JobRun } from "./run.js";

/**
 * Metronome's job JSON (`/v1/jobs`: JobSpec, ScheduleSpec, runs) as zod schemas, strict where
 * Metronome's JSON schema is (`additionalProperties: false` on the job and its `run`), and the
 * translation both ways between it and the one stored `JobDefinition`. Metronome is a second view
 * of the same jobs: a job made here is visible to Chronos 3 clients and the other way round.
 *
 * Accepted for compatibility but not kept (they come back as Metronome's defaults):
 * `maxLaunchDelay`, `taskKillGracePeriodSeconds`, `restart.activeDeadlineSeconds`. Refused, as
 * Agora cannot honour them: `gpus` > 0, `docker.privileged`, `ucr`, `secrets`, non-host `networks`.
 */

/** Metronome's job id: dot-separated segments of lowercase letters, digits and inner dashes. */
export const METRONOME_ID_PATTERN = /^([a-z0-9]+(-+[a-z0-9]+)*)(\.([a-z0-9]+(-+[a-z0-9]+)*))*$/;
/** Metronome's schedule id (at least two characters, as its schema says). */
export const SCHEDULE_ID_PATTERN = /^[a-z0-9][a-z0-9-]*[a-z0-9]+$/;

export const MetronomeJobId = z
  .string()
  .regex(
    METRONOME_ID_PATTERN,
    "must be dot-separated segments of lowercase letters, digits and dashes (not at a segment's start or end)",
  );

/** A time zone the runtime's Intl knows (the IANA database). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const unsupported = (what: string) =>
  z
    .unknown()
    .optional()
    .refine((v) => v === undefined, `${what} is not supported by Agora`);

/** One schedule; extra fields (the `nextRunAt` a client echoes back) are ignored, as Metronome's schema allows. */
export const MetronomeSchedule = z.object({
  id: z
    .string()
    .regex(SCHEDULE_ID_PATTERN, "must be lowercase letters, digits and inner dashes, 2+ characters"),
  cron: z
    .string()
    .refine(
      (c) => /^\S+(\s+\S+){4}$/.test(c.trim()),
      "must be a 5-field cron expression (minute hour day-of-month month day-of-week)",
    ),
  timezone: z.string().refine(isTimeZone, "is not an IANA time zone").default("UTC"),
  startingDeadlineSeconds: z.number().int().min(60, "must be at least 60").default(900),
  concurrencyPolicy: z.enum(["ALLOW", "FORBID"]).default("ALLOW"),
  enabled: z.boolean().default(true),
});
export type MetronomeSchedule = z.output<typeof MetronomeSchedule>;

const MetronomeConstraint = z.strictObject({
  attribute: z.string().min(1),
  operator: z.enum(["IS", "EQ", "LIKE", "UNLIKE"]),
  value: z.string({ error: "a constraint needs a value" }),
});

const MetronomeArtifact = z.strictObject({
  uri: z.string().min(1),
  executable: z.boolean().default(false),
  extract: z.boolean().default(true),
  cache: z.boolean().default(false),
});

const MetronomeDocker = z.strictObject({
  image: z.string().min(1),
  forcePullImage: z.boolean().default(false),
  privileged: z
    .boolean()
    .default(false)
    .refine((p) => !p, "privileged containers are not supported by Agora"),
  parameters: z.array(z.strictObject({ key: z.string().min(1), value: z.string() })).default([]),
});

const MetronomeVolume = z.strictObject({
  containerPath: z.string().min(1),
  hostPath: z.string().min(1).optional(),
  mode: z.enum(["RO", "RW"]).default("RW"),
  secret: unsupported("a secret volume"),
});

export const MetronomeRunSpec = z
  .strictObject({
    cpus: z.number().min(0.01).default(1),
    mem: z.number().min(32).default(128),
    disk: z.number().min(0).default(0),
    gpus: z
      .number()
      .int()
      .min(0)
      .default(0)
      .refine((g) => g === 0, "GPUs are not supported by Agora"),
    cmd: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    user: z.string().optional(),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"),
        z.string(),
      )
      .default({}),
    placement: z
      .strictObject({ constraints: z.array(MetronomeConstraint).default([]) })
      .default({ constraints: [] }),
    artifacts: z.array(MetronomeArtifact).default([]),
    maxLaunchDelay: z.number().int().min(1).default(3600),
    docker: MetronomeDocker.optional(),
    ucr: unsupported("UCR"),
    volumes: z.array(MetronomeVolume).default([]),
    restart: z
      .strictObject({
        policy: z.enum(["NEVER", "ON_FAILURE"]),
        activeDeadlineSeconds: z.number().int().min(0).optional(),
      })
      .default({ policy: "NEVER" }),
    taskKillGracePeriodSeconds: z.number().min(0).optional(),
    secrets: z
      .record(z.string(), z.unknown())
      .default({})
      .refine((s) => Object.keys(s).length === 0, "secrets are not supported by Agora"),
    networks: z
      .array(
        z.strictObject({
          name: z.string().optional(),
          mode: z.literal("host", { error: "only the host network mode is supported by Agora" }),
          labels: z.record(z.string(), z.string()).optional(),
        }),
      )
      .default([]),
  })
  .superRefine((run, ctx) => {
    if (run.cmd === undefined && run.args === undefined && run.docker === undefined)
      ctx.addIssue({ code: "custom", path: [], message: "Cmd, Docker or UCR image must be specified" });
    if (run.cmd !== undefined && run.args !== undefined)
      ctx.addIssue({ code: "custom", path: ["args"], message: "set cmd or args, not both" });
    if (run.volumes.length > 0 && run.docker === undefined)
      ctx.addIssue({ code: "custom", path: ["volumes"], message: "volumes need a docker image" });
  });
export type MetronomeRunSpec = z.output<typeof MetronomeRunSpec>;

/** Metronome's JobSpec (POST/PUT `/v1/jobs`). `dependencies` name any job, Chronos-made ones included. */
export const MetronomeJob = z
  .strictObject({
    id: MetronomeJobId,
    description: z.string().optional(),
    dependencies: z.array(z.object({ id: JobName })).default([]),
    labels: z.record(z.string(), z.string()).default({}),
    schedules: z.array(MetronomeSchedule).max(1, "only one schedule per job is supported").default([]),
    run: MetronomeRunSpec,
  })
  .superRefine((job, ctx) => {
    if (job.schedules.length > 0 && job.dependencies.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["dependencies"],
        message: "Jobs may not have both dependencies and schedules specified",
      });
    const ids = job.dependencies.map((d) => d.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: "custom", path: ["dependencies"], message: "has double entries" });
  });
export type MetronomeJob = z.output<typeof MetronomeJob>;

/** The fields of a `JobDefinition` that Metronome's schedule carries. */
type ScheduleFields = Pick<
  JobDefinition,
  "schedule" | "scheduleTimeZone" | "startingDeadlineSeconds" | "scheduleId" | "concurrent" | "disabled"
>;

/**
 * The stored job for a Metronome JobSpec. `base` is the job it replaces (PUT): what Metronome cannot
 * express (owner, softError, executor, maxCompletionTime, a container's network, the retries of an
 * ON_FAILURE job …) is kept from it. Throws `ChronosError` `INVALID_JOB` naming the field.
 */
export function jobFromMetronome(spec: MetronomeJob, base?: JobDefinition): JobDefinition {
  const run = spec.run;
  const input: JobDefinitionInput = {
    ...base,
    name: spec.id,
    description: spec.description ?? "",
    command: run.cmd ?? "",
    shell: run.args === undefined,
    arguments: run.args ?? [],
    cpus: run.cpus,
    mem: run.mem,
    disk: run.disk,
    runAsUser: run.user ?? "",
    environmentVariables: Object.entries(run.env).map(([name, value]) => ({ name, value })),
    constraints: run.placement.constraints.map(
      (c): JobConstraint => [
        c.attribute,
        c.operator === "IS" || c.operator === "EQ" ? "EQUALS" : c.operator,
        c.value,
      ],
    ),
    fetch: run.artifacts.map((a) => ({
      uri: a.uri,
      executable: a.executable,
      cache: a.cache,
      extract: a.extract,
    })),
    uris: [],
    container: run.docker && {
      type: "DOCKER",
      image: run.docker.image,
      network: base?.container?.network ?? "HOST",
      volumes: run.volumes.map((v) => ({
        containerPath: v.containerPath,
        ...(v.hostPath === undefined ? {} : { hostPath: v.hostPath }),
        mode: v.mode,
      })),
      parameters: run.docker.parameters,
      forcePullImage: run.docker.forcePullImage,
    },
    labels: spec.labels,
    retries: run.restart.policy === "NEVER" ? 0 : base && base.retries > 0 ? base.retries : 2,
    parents: spec.dependencies.length > 0 ? spec.dependencies.map((d) => d.id) : undefined,
    ...scheduleFields(spec.schedules[0], base),
  };
  return parseJob(input);
}

/** `job` with `schedule` as its one schedule, or none (`undefined`: an on-demand or dependent job). */
export function withSchedule(job: JobDefinition, schedule: MetronomeSchedule | undefined): JobDefinition {
  return parseJob({ ...job, ...scheduleFields(schedule, job) });
}

/** `to` with the schedule of `from` (Metronome's PUT of a job keeps its schedules). */
export function keepSchedule(from: JobDefinition, to: JobDefinition): JobDefinition {
  const kept: ScheduleFields = {
    schedule: from.schedule,
    scheduleTimeZone: from.scheduleTimeZone,
    startingDeadlineSeconds: from.startingDeadlineSeconds,
    scheduleId: from.scheduleId,
    concurrent: from.concurrent,
    disabled: from.disabled,
  };
  return parseJob({ ...to, ...kept });
}

function scheduleFields(
  schedule: MetronomeSchedule | undefined,
  base: JobDefinition | undefined,
): ScheduleFields {
  if (schedule === undefined)
    return {
      schedule: undefined,
      scheduleTimeZone: "",
      startingDeadlineSeconds: undefined,
      scheduleId: undefined,
      // Metronome's default policy (ALLOW) for runs asked by hand, unless the job said otherwise.
      concurrent: base?.concurrent ?? true,
      disabled: false,
    };
  return {
    schedule: schedule.cron.trim(),
    scheduleTimeZone: schedule.timezone,
    startingDeadlineSeconds: schedule.startingDeadlineSeconds,
    scheduleId: schedule.id,
    concurrent: schedule.concurrencyPolicy === "ALLOW",
    disabled: !schedule.enabled,
  };
}

function parseJob(input: JobDefinitionInput): JobDefinition {
  const parsed = JobDefinition.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ChronosError("INVALID_JOB", "Object is not valid", { details: zodDetails(parsed.error) });
}

/** A zod error as `{path, errors}` details, one per field, with JSON-pointer-like paths (`/run/cpus`). */
export function zodDetails(error: z.ZodError, prefix = ""): ErrorDetail[] {
  const byPath = new Map<string, string[]>();
  for (const issue of error.issues) {
    const path = `${prefix}/${issue.path.map(String).join("/")}`;
    const key = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    byPath.set(key, [...(byPath.get(key) ?? []), issue.message]);
  }
  return [...byPath].map(([path, errors]) => ({ path, errors }));
}

/** Metronome writes instants as `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (`2016-07-15T13:02:59.735+0000`). */
export function metronomeTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString().replace("Z", "+0000");
}

/** The job's one schedule as Metronome shows it; an ISO 8601 schedule shows in `cron` as it is. */
export function metronomeSchedules(
  job: JobDefinition,
  nextRunAt: string | undefined,
): Record<string, unknown>[] {
  if (!isScheduled(job)) return [];
  return [
    {
      id: job.scheduleId ?? "default",
      cron: job.schedule,
      timezone: job.scheduleTimeZone === "" ? "UTC" : job.scheduleTimeZone,
      startingDeadlineSeconds: job.startingDeadlineSeconds ?? 900,
      concurrencyPolicy: job.concurrent ? "ALLOW" : "FORBID",
      enabled: !job.disabled,
      nextRunAt: nextRunAt === undefined ? null : metronomeTime(nextRunAt),
    },
  ];
}

/**
 * A stored job as Metronome's JobSpec. Zero cpus/mem (Chronos' "the flag's default") show as the
 * defaults, so the JSON passes Metronome's minimums when a client sends it back; zero disk is
 * Metronome's own default and shows as 0.
 */
export function metronomeJob(
  job: JobDefinition,
  defaults: JobDefaults,
  nextRunAt: string | undefined,
): Record<string, unknown> {
  const container = job.container;
  const run: Record<string, unknown> = {
    cpus: job.cpus > 0 ? job.cpus : defaults.cpus,
    mem: job.mem > 0 ? job.mem : defaults.mem,
    disk: job.disk,
    gpus: 0,
    ...(job.shell
      ? job.command === ""
        ? {}
        : { cmd: job.command }
      : { args: job.command === "" ? job.arguments : [job.command, ...job.arguments] }),
    ...(job.runAsUser === "" ? {} : { user: job.runAsUser }),
    env: Object.fromEntries(job.environmentVariables.map((e) => [e.name, e.value])),
    placement: {
      constraints: job.constraints.map(([attribute, operator, value]) => ({
        attribute,
        operator: operator === "EQUALS" ? "IS" : operator,
        value,
      })),
    },
    artifacts: [
      ...job.fetch.map((f) => ({ uri: f.uri, extract: f.extract, executable: f.executable, cache: f.cache })),
      ...job.uris.map((uri) => ({ uri, extract: true, executable: false, cache: false })),
    ],
    maxLaunchDelay: 3600,
    ...(container
      ? {
          docker: {
            image: container.image,
            privileged: false,
            parameters: container.parameters,
            forcePullImage: container.forcePullImage,
          },
        }
      : {}),
    volumes: (container?.volumes ?? []).map((v) => ({
      containerPath: v.containerPath,
      ...(v.hostPath === undefined ? {} : { hostPath: v.hostPath }),
      mode: v.mode,
    })),
    restart: { policy: job.retries === 0 ? "NEVER" : "ON_FAILURE" },
  };
  return {
    id: job.name,
    ...(job.description === "" ? {} : { description: job.description }),
    dependencies: (job.parents ?? []).map((id) => ({ id })),
    labels: job.labels,
    run,
    schedules: metronomeSchedules(job, nextRunAt),
  };
}

/** A run as Metronome shows it: `{id, jobId, status, createdAt, completedAt, tasks}`. */
export function metronomeRun(run: JobRun): Record<string, unknown> {
  return {
    id: run.id,
    jobId: run.jobName,
    status: run.status,
    createdAt: metronomeTime(run.createdAt),
    completedAt: run.finishedAt === undefined ? null : metronomeTime(run.finishedAt),
    tasks: run.attempts.map((a) => ({
      id: a.taskId,
      startedAt: metronomeTime(a.startedAt ?? a.launchedAt ?? run.createdAt),
      ...(a.finishedAt === undefined ? {} : { completedAt: metronomeTime(a.finishedAt) }),
      status: a.state ?? "TASK_STAGING",
    })),
  };
}

/** `historySummary`: counts and last times from the job's counters. */
export function metronomeHistorySummary(stats: JobStats): Record<string, unknown> {
  return {
    successCount: stats.successCount,
    failureCount: stats.errorCount,
    lastSuccessAt: stats.lastSuccess === "" ? null : metronomeTime(stats.lastSuccess),
    lastFailureAt: stats.lastError === "" ? null : metronomeTime(stats.lastError),
  };
}

/** `history`: the summary plus the finished runs kept (newest first), split by outcome. */
export function metronomeHistory(stats: JobStats, finished: readonly JobRun[]): Record<string, unknown> {
  const info = (r: JobRun) => ({
    id: r.id,
    createdAt: metronomeTime(r.createdAt),
    finishedAt: metronomeTime(r.finishedAt ?? r.createdAt),
    tasks: r.attempts.map((a) => a.taskId),
  });
  return {
    ...metronomeHistorySummary(stats),
    successfulFinishedRuns: finished.filter((r) => r.status === "SUCCESS").map(info),
    failedFinishedRuns: finished.filter((r) => r.status === "FAILED").map(info),
  };
}
