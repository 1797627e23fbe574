import type { TaskState } from "@agora/protocol";
import type { JobStats } from "../model/job.js";

/** What a task state means for the attempt that runs it. */
export type AttemptPhase = "launched" | "running" | "succeeded" | "failed" | "waiting";

export function phaseOf(state: TaskState): AttemptPhase {
  switch (state) {
    case "TASK_STAGING":
    case "TASK_STARTING":
      return "launched";
    case "TASK_RUNNING":
    case "TASK_KILLING":
      return "running";
    case "TASK_FINISHED":
      return "succeeded";
    // Out of reach is not over: the agent may come back with the task still running.
    case "TASK_UNREACHABLE":
    case "TASK_UNKNOWN":
      return "waiting";
    default:
      return "failed";
  }
}

/** Chronos' counters after a run finished well: `errorsSinceLastSuccess` returns to 0. */
export function countSuccess(stats: JobStats, at: Date): JobStats {
  return {
    ...stats,
    successCount: stats.successCount + 1,
    lastSuccess: at.toISOString(),
    errorsSinceLastSuccess: 0,
  };
}

/** Chronos' counters after a run failed for good (once per run, after its retries are spent). */
export function countFailure(stats: JobStats, at: Date): JobStats {
  return {
    ...stats,
    errorCount: stats.errorCount + 1,
    lastError: at.toISOString(),
    errorsSinceLastSuccess: stats.errorsSinceLastSuccess + 1,
  };
}

/**
 * Whether a failed attempt gets another try. Unlike Chronos, whose retries were skipped whenever the
 * job's previous run had failed too, every run gets its `retries`; a run someone stopped, or one
 * killed for overrunning `maxCompletionTime`, does not.
 */
export function shouldRetry(o: { attempt: number; retries: number; stopped: boolean }): boolean {
  return !o.stopped && o.attempt < o.retries;
}

/** Metronome-style run ids: `<yyyyMMddHHmmss><5 random lowercase letters or digits>`. */
export function newRunId(at: Date, random: () => number = Math.random): string {
  const stamp = at.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(random() * alphabet.length)];
  return `${stamp}${suffix}`;
}
