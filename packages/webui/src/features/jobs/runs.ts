import type { Task } from "../../api/schemas";
import type { JobDetail, Run } from "./chronos";

/** One task of a run (the first attempt or a retry), with what the master still knows of it. */
export interface RunAttempt {
  readonly taskId: string;
  /** The task as the master books it; absent once the master forgot it (completed tasks are bounded). */
  readonly task: Task | undefined;
  readonly exitCode: number | undefined;
  /** From TASK_RUNNING to its end (or to now while it runs), seconds; undefined before it ran. */
  readonly seconds: number | undefined;
}

export interface RunRow {
  readonly id: string;
  /** Metronome's run status (ACTIVE, SUCCESS, FAILED, …). */
  readonly status: string;
  readonly createdAt: string;
  /** Creation to completion (or to now while active), seconds. */
  readonly seconds: number;
  readonly finished: boolean;
  readonly attempts: RunAttempt[];
}

const ENDED = new Set([
  "TASK_FINISHED",
  "TASK_FAILED",
  "TASK_KILLED",
  "TASK_ERROR",
  "TASK_LOST",
  "TASK_DROPPED",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
]);

/** How long a task ran: its first TASK_RUNNING to its terminal status (or to `nowSec`). */
export function taskSeconds(task: Task, nowSec: number): number | undefined {
  const started = task.statuses.find((s) => s.state === "TASK_RUNNING")?.timestamp;
  if (started === undefined) return undefined;
  const ended = task.statuses.find((s) => ENDED.has(s.state))?.timestamp;
  return Math.max(0, (ended ?? nowSec) - started);
}

/**
 * A job's runs, active first and then newest first, each with its attempts joined to the master's
 * tasks (exit code, how long each ran): Chronos' history names a run's tasks only by id.
 */
export function runRows(
  detail: Pick<JobDetail, "activeRuns" | "history">,
  tasks: ReadonlyMap<string, Task>,
  nowMs: number,
): RunRow[] {
  const row = (r: Run, status: string, finished: boolean): RunRow => {
    const end = r.completedAt ?? r.finishedAt;
    const endMs = finished && end ? Date.parse(end) : nowMs;
    return {
      id: r.id,
      status,
      createdAt: r.createdAt,
      seconds: Math.max(0, (endMs - Date.parse(r.createdAt)) / 1000),
      finished,
      attempts: r.tasks.map((t) => {
        const taskId = typeof t === "string" ? t : t.id;
        const task = tasks.get(taskId);
        return {
          taskId,
          task,
          exitCode: task?.exitCode,
          seconds: task ? taskSeconds(task, nowMs / 1000) : undefined,
        };
      }),
    };
  };
  const finished = [
    ...(detail.history?.successfulFinishedRuns ?? []).map((r) => row(r, "SUCCESS", true)),
    ...(detail.history?.failedFinishedRuns ?? []).map((r) => row(r, "FAILED", true)),
  ].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return [...detail.activeRuns.map((r) => row(r, r.status ?? "ACTIVE", false)), ...finished];
}

/**
 * Runs finished in `next` that `prev` did not know finished: a run seen active that has ended, or one
 * that started and ended between two polls. The job's details (state, counters) change with each.
 */
export function newlyFinishedRuns(
  prev: Pick<JobDetail, "history">,
  next: Pick<JobDetail, "history">,
): string[] {
  const finished = (d: Pick<JobDetail, "history">) => [
    ...(d.history?.successfulFinishedRuns ?? []),
    ...(d.history?.failedFinishedRuns ?? []),
  ];
  const known = new Set(finished(prev).map((r) => r.id));
  return finished(next)
    .map((r) => r.id)
    .filter((id) => !known.has(id));
}
