import { z } from "zod";
import { JobStats } from "./job.js";

/**
 * One invocation of a job (scheduled, manual or fired by its parents) with all its attempts: the
 * first task and each retry. Chronos' `taskStatHistory` shows one entry per attempt; Metronome's run
 * shows the run with its `tasks`.
 */

/** Metronome's run states; a run is active until SUCCESS or FAILED. */
export const RunStatus = z.enum(["INITIAL", "STARTING", "ACTIVE", "SUCCESS", "FAILED"]);
export type RunStatus = z.output<typeof RunStatus>;

export const RunTrigger = z.enum(["scheduled", "manual", "dependency"]);
export type RunTrigger = z.output<typeof RunTrigger>;

export const RunAttempt = z.object({
  /** 0 for the first task, 1 for the first retry, … */
  attempt: z.number().int().nonnegative(),
  /** Chronos' form: `ct:<dueMillis>:<attempt>:<job>:<arguments>`. */
  taskId: z.string(),
  agentId: z.string().optional(),
  host: z.string().optional(),
  /** The last task state seen (`TASK_RUNNING`, `TASK_FINISHED`, …); absent until the task is launched. */
  state: z.string().optional(),
  /** When the task was launched (ISO UTC). */
  launchedAt: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  exitCode: z.number().int().optional(),
  message: z.string().optional(),
  /** When a kill of this attempt's task was last sent (ISO UTC). */
  killSentAt: z.string().optional(),
});
export type RunAttempt = z.output<typeof RunAttempt>;

export const JobRun = z.object({
  /** Metronome's form: `<yyyyMMddHHmmss><5 random lowercase letters or digits>`. */
  id: z.string(),
  jobName: z.string(),
  trigger: RunTrigger,
  /** The schedule slot this run is for (ISO UTC); absent for manual and dependency runs. */
  scheduledAt: z.string().optional(),
  /** The arguments of a manual run (`PUT /job/{name}?arguments=…`). */
  arguments: z.array(z.string()).default([]),
  status: RunStatus,
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  attempts: z.array(RunAttempt).default([]),
  /** When the next retry is due (ISO UTC), while it waits for `--failure-retry`. */
  retryAt: z.string().optional(),
  /** Why the run was stopped, if it was: no retry follows a stop. */
  stopped: z.enum(["user", "maxCompletionTime", "deleted"]).optional(),
  /** Why the run failed, when it did (the last attempt's message, or "killed: maxCompletionTime"). */
  message: z.string().optional(),
});
export type JobRun = z.output<typeof JobRun>;

/**
 * What Chronos keeps about a job beside its definition, persisted so a restart or a new leader
 * carries on where the last left off (Chronos kept the parents' successes only in memory).
 */
export const JobState = z.object({
  stats: JobStats.default({
    successCount: 0,
    errorCount: 0,
    lastSuccess: "",
    lastError: "",
    errorsSinceLastSuccess: 0,
  }),
  /** The last schedule slot a run was created for (or skipped past), ISO UTC: never launched twice. */
  lastSlot: z.string().optional(),
  /** Parents that have succeeded (or finally failed with `softError`) since this job's last run. */
  parentsDone: z.array(z.string()).default([]),
  /** The last run's final outcome; Chronos' retry quirk reads it (we do not). */
  lastOutcome: z.enum(["success", "failure"]).optional(),
});
export type JobState = z.output<typeof JobState>;
