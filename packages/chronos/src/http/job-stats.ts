import type { JobRun, RunAttempt } from "../model/run.js";

/**
 * Chronos' run statistics: the duration histogram of a job's successful runs (milliseconds, as its
 * codahale histogram `jobs.run.time.<job>` holds them) and the per-task history of `/job/stat/{name}`.
 * Computed from the runs the runtime keeps (`--history-size`), so they cover that window.
 */

/** The percentile names of `/stats/{percentile}` and of the `histogram` object, in Chronos' order. */
export const PERCENTILES = [
  "75thPercentile",
  "95thPercentile",
  "98thPercentile",
  "99thPercentile",
  "median",
  "mean",
] as const;
export type Percentile = (typeof PERCENTILES)[number];

export type Histogram = Record<Percentile | "count", number>;

/** Durations (ms) of successful runs: their last attempt's start to its end. */
export function runDurations(runs: readonly JobRun[]): number[] {
  const out: number[] = [];
  for (const run of runs) {
    if (run.status !== "SUCCESS") continue;
    const last = run.attempts.at(-1);
    const ms = last ? attemptMillis(last) : undefined;
    if (ms !== undefined) out.push(ms);
  }
  return out;
}

/**
 * `{75thPercentile, 95thPercentile, 98thPercentile, 99thPercentile, median, mean, count}` of `values`,
 * with codahale's quantile interpolation; all zeros when empty. `mean` is the arithmetic mean
 * (Chronos wrote the median there, a bug).
 */
export function histogram(values: readonly number[]): Histogram {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => quantile(sorted, p);
  return {
    "75thPercentile": q(0.75),
    "95thPercentile": q(0.95),
    "98thPercentile": q(0.98),
    "99thPercentile": q(0.99),
    median: q(0.5),
    mean: sorted.length === 0 ? 0 : sorted.reduce((s, v) => s + v, 0) / sorted.length,
    count: sorted.length,
  };
}

/** codahale's `UniformSnapshot.getValue`: linear interpolation at `q × (n + 1)`. */
export function quantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = q * (n + 1);
  const index = Math.floor(pos);
  if (index < 1) return sorted[0]!;
  if (index >= n) return sorted[n - 1]!;
  const lower = sorted[index - 1]!;
  const upper = sorted[index]!;
  return lower + (pos - index) * (upper - lower);
}

/** `{min, max, mean, stddev, p50 …}` for `/metrics`' histograms, as codahale's JSON writes them. */
export function metricsHistogram(values: readonly number[]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? 0 : sorted.reduce((s, v) => s + v, 0) / n;
  const variance = n <= 1 ? 0 : sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return {
    count: n,
    max: n === 0 ? 0 : sorted[n - 1]!,
    mean,
    min: n === 0 ? 0 : sorted[0]!,
    p50: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    p95: quantile(sorted, 0.95),
    p98: quantile(sorted, 0.98),
    p99: quantile(sorted, 0.99),
    p999: quantile(sorted, 0.999),
    stddev: Math.sqrt(variance),
  };
}

/**
 * `taskStatHistory`: one entry per task (attempt), newest first, as Chronos' `JobStatWrapperSerializer`
 * writes it: times as `MM/dd/yy HH:mm:ss` (UTC) or `N/A`, `duration` (`1h2m3s`) only once ended,
 * `status` Success | Fail | Running | Idle.
 */
export function taskStatHistory(runs: readonly JobRun[]): Record<string, unknown>[] {
  const entries: { at: number; json: Record<string, unknown> }[] = [];
  for (const run of runs)
    for (const a of run.attempts) {
      const start = a.startedAt ?? a.launchedAt;
      const ms = attemptMillis(a);
      entries.push({
        at: Date.parse(start ?? run.createdAt),
        json: {
          taskId: a.taskId,
          jobName: run.jobName,
          slaveId: a.agentId ?? "",
          startTime: start === undefined ? "N/A" : chronosTime(start),
          endTime: a.finishedAt === undefined ? "N/A" : chronosTime(a.finishedAt),
          ...(ms === undefined ? {} : { duration: periodText(ms) }),
          status: taskStatus(a),
        },
      });
    }
  return entries.sort((x, y) => y.at - x.at).map((e) => e.json);
}

function attemptMillis(a: RunAttempt): number | undefined {
  const start = a.startedAt ?? a.launchedAt;
  if (start === undefined || a.finishedAt === undefined) return undefined;
  const ms = Date.parse(a.finishedAt) - Date.parse(start);
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}

const RUNNING = new Set(["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING"]);

function taskStatus(a: RunAttempt): "Success" | "Fail" | "Running" | "Idle" {
  if (a.state === undefined) return "Idle";
  if (a.state === "TASK_FINISHED") return "Success";
  if (RUNNING.has(a.state) && a.finishedAt === undefined) return "Running";
  return "Fail";
}

/** Joda's `MM/dd/yy HH:mm:ss`, in UTC. */
export function chronosTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "N/A";
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${two(d.getUTCFullYear() % 100)} ${two(
    d.getUTCHours(),
  )}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** Chronos' period text: hours and minutes when not zero, seconds always (`1h5s`, `2m0s`, `0s`). */
export function periodText(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s}s`;
}
