import type { JobDefinition, JobStats } from "./model/job.js";
import type { JobRun } from "./model/run.js";

/**
 * The contract between Chronos' HTTP layer (`http/`, both the Chronos 3 and the Metronome-style
 * APIs) and its runtime (`runtime/`). Reads are synchronous views of the runtime's memory (never a
 * store round trip: Chronos reloaded every job from ZooKeeper on each pass and became unusable at
 * ~1,000 jobs); writes validate, persist, then answer.
 */
export interface ChronosService {
  /** Every job, in name order. */
  jobs(): readonly JobView[];
  /**
   * Every job's definition and counters, in name order, without the rest of its view: what listing
   * and searching need. The same array is returned until a job or its counters change, so a caller
   * may keep what it derived from it.
   */
  entries(): readonly JobEntry[];
  job(name: string): JobView | undefined;

  /**
   * Creates or replaces a job (Chronos' POST `/iso8601` and `/dependency` replace; no rename).
   * Validates the schedule and the graph against every other job. Rejects with `ChronosError`
   * (`INVALID_JOB`, `INVALID_SCHEDULE`, `UNKNOWN_PARENT`, `DEPENDENCY_CYCLE`) and stores nothing then.
   */
  putJob(job: JobDefinition): Promise<void>;
  /** DELETE: kills the job's running tasks (unless `stopRuns` is false) and re-wires its children as Chronos does. */
  deleteJob(name: string, options?: { stopRuns?: boolean }): Promise<void>;

  /** Run now (Chronos' PUT `/job/{name}`, Metronome's POST `/runs`); the schedule is unchanged. */
  runNow(name: string, options?: { arguments?: string[] }): Promise<JobRun>;
  /** PUT `/job/success/{name}`: counts a success and fires the job's children. */
  markSuccess(name: string): Promise<void>;
  /** DELETE `/task/kill/{name}`: kills every running task of the job (their runs fail). */
  killTasks(name: string): Promise<void>;
  /** Stops one active run (Metronome's `/runs/{id}/actions/stop`). */
  stopRun(name: string, runId: string): Promise<JobRun>;

  /** Active runs, oldest first. */
  activeRuns(name: string): readonly JobRun[];
  /** Finished runs, newest first, bounded per job (`--history-size`). */
  history(name: string): readonly JobRun[];
  run(name: string, runId: string): JobRun | undefined;

  /** Subscribes to job and run events; returns the unsubscribe function. */
  onEvent(listener: (event: ChronosEvent) => void): () => void;
  info(): ChronosInfo;
}

/** A job's definition and counters (objects replaced, never mutated, when they change). */
export interface JobEntry {
  definition: JobDefinition;
  stats: JobStats;
}

/**
 * A job with what the runtime knows of it now. `definition` and `stats` are replaced, never mutated,
 * when they change: the HTTP layer keeps each job's JSON keyed by these objects.
 */
export interface JobView extends JobEntry {
  /** `success` | `failure` | `fresh` (never finished a run), as Chronos' summary. */
  lastStatus: "success" | "failure" | "fresh";
  /** `idle` | `queued` | `N running`, as Chronos' summary. */
  state: string;
  /** The next time the job is due (ISO UTC), absent for dependent, disabled and exhausted jobs. */
  nextRunAt: string | undefined;
  /** Parents that have succeeded since this job's last run (dependent jobs). */
  parentsDone: readonly string[];
}

export type ChronosEventType =
  | "job_created"
  | "job_updated"
  | "job_deleted"
  | "run_created"
  | "run_started"
  | "run_retry"
  | "run_succeeded"
  | "run_failed"
  | "run_skipped";

export interface ChronosEvent {
  type: ChronosEventType;
  /** ISO UTC. */
  timestamp: string;
  jobName: string;
  /** For run events. */
  run?: JobRun;
  /** For `run_skipped`: the slot missed beyond its starting deadline. */
  slot?: string;
}

export interface ChronosInfo {
  name: string;
  version: string;
  frameworkId: string | undefined;
  /** `host:port` of the leading Chronos, undefined when none leads. */
  leader: string | undefined;
  elected: boolean;
  httpPort: number;
  /** Flags Chronos runs with (`/v1/scheduler/config`-like views, `/metrics`). */
  config: Record<string, unknown>;
}
