import { ChronosError } from "../errors.js";
import { isScheduled, type JobDefinition, type JobStats } from "../model/job.js";
import { isTimeZone } from "../model/metronome.js";
import type { JobRun, RunStatus } from "../model/run.js";
import type { ChronosEvent, ChronosInfo, ChronosService, JobEntry, JobView } from "../service.js";

/**
 * An in-memory `ChronosService` for the HTTP layer's tests: jobs are checked the way the runtime
 * checks them (a schedule that looks like ISO 8601 or 5-field cron, a known zone, parents that
 * exist, no cycle) with just enough logic to answer; runs are made by `runNow` and finished by the
 * test (`finish`). The real schedule, graph and runtime modules are tested on their own.
 */
export class MemoryChronos implements ChronosService {
  infoValue: ChronosInfo = {
    name: "chronos",
    version: "3.0.2-agora",
    frameworkId: "fw-1",
    leader: "127.0.0.1:4400",
    elected: true,
    httpPort: 4400,
    config: {},
  };
  /** What `nextRunAt` shows per job (the runtime computes it). */
  readonly nextRunAt = new Map<string, string>();
  readonly calls: string[] = [];
  now: () => Date = () => new Date("2026-01-01T00:00:00.000Z");
  private readonly defs = new Map<string, JobDefinition>();
  private readonly stats = new Map<string, JobStats>();
  private readonly active = new Map<string, JobRun[]>();
  private readonly finished = new Map<string, JobRun[]>();
  private readonly listeners = new Set<(e: ChronosEvent) => void>();
  private sorted: JobView[] | undefined;
  private nextRun = 1;

  jobs(): readonly JobView[] {
    this.sorted ??= [...this.defs.keys()].sort().map((name) => this.view(name));
    return this.sorted;
  }

  entries(): readonly JobEntry[] {
    return this.jobs();
  }

  job(name: string): JobView | undefined {
    return this.defs.has(name) ? this.view(name) : undefined;
  }

  async putJob(job: JobDefinition): Promise<void> {
    this.check(job);
    const existed = this.defs.has(job.name);
    this.defs.set(job.name, job);
    this.sorted = undefined;
    this.calls.push(`put ${job.name}`);
    this.emit({ type: existed ? "job_updated" : "job_created", timestamp: this.stamp(), jobName: job.name });
  }

  async deleteJob(name: string, options: { stopRuns?: boolean } = {}): Promise<void> {
    this.mustExist(name);
    if (options.stopRuns !== false) await this.killTasks(name);
    for (const [childName, child] of this.defs) {
      if (!child.parents?.includes(name)) continue;
      const parents = child.parents.filter((p) => p !== name);
      this.defs.set(childName, { ...child, parents: parents.length > 0 ? parents : undefined });
    }
    this.defs.delete(name);
    this.sorted = undefined;
    this.calls.push(`delete ${name}`);
    this.emit({ type: "job_deleted", timestamp: this.stamp(), jobName: name });
  }

  async runNow(name: string, options: { arguments?: string[] } = {}): Promise<JobRun> {
    this.mustExist(name);
    const at = this.stamp();
    const run: JobRun = {
      id: `20260101000000run${String(this.nextRun++).padStart(2, "0")}`,
      jobName: name,
      trigger: "manual",
      arguments: options.arguments ?? [],
      status: "STARTING",
      createdAt: at,
      attempts: [],
    };
    this.active.set(name, [...(this.active.get(name) ?? []), run]);
    this.sorted = undefined;
    this.calls.push(`run ${name}${run.arguments.length > 0 ? ` ${run.arguments.join(",")}` : ""}`);
    this.emit({ type: "run_created", timestamp: at, jobName: name, run });
    return run;
  }

  async markSuccess(name: string): Promise<void> {
    this.mustExist(name);
    const s = this.statsOf(name);
    this.stats.set(name, {
      ...s,
      successCount: s.successCount + 1,
      lastSuccess: this.stamp(),
      errorsSinceLastSuccess: 0,
    });
    this.sorted = undefined;
    this.calls.push(`success ${name}`);
  }

  async killTasks(name: string): Promise<void> {
    this.mustExist(name);
    for (const run of [...(this.active.get(name) ?? [])]) this.finish(name, run.id, "FAILED");
    this.calls.push(`kill ${name}`);
  }

  async stopRun(name: string, runId: string): Promise<JobRun> {
    this.mustExist(name);
    if (!(this.active.get(name) ?? []).some((r) => r.id === runId))
      throw new ChronosError("RUN_NOT_FOUND", `Job ${name} has no active run ${runId}`);
    return this.finish(name, runId, "FAILED");
  }

  activeRuns(name: string): readonly JobRun[] {
    return this.active.get(name) ?? [];
  }

  history(name: string): readonly JobRun[] {
    return this.finished.get(name) ?? [];
  }

  run(name: string, runId: string): JobRun | undefined {
    return [...this.activeRuns(name), ...this.history(name)].find((r) => r.id === runId);
  }

  onEvent(listener: (event: ChronosEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  info(): ChronosInfo {
    return this.infoValue;
  }

  /** Ends an active run with `status`, counting it as Chronos does, and emits its event. */
  finish(name: string, runId: string, status: Extract<RunStatus, "SUCCESS" | "FAILED">): JobRun {
    const runs = this.active.get(name) ?? [];
    const run = runs.find((r) => r.id === runId);
    if (!run) throw new Error(`no active run ${runId}`);
    const at = this.stamp();
    const done: JobRun = { ...run, status, finishedAt: at };
    this.active.set(
      name,
      runs.filter((r) => r.id !== runId),
    );
    this.record(done);
    const s = this.statsOf(name);
    this.stats.set(
      name,
      status === "SUCCESS"
        ? { ...s, successCount: s.successCount + 1, lastSuccess: at, errorsSinceLastSuccess: 0 }
        : {
            ...s,
            errorCount: s.errorCount + 1,
            lastError: at,
            errorsSinceLastSuccess: s.errorsSinceLastSuccess + 1,
          },
    );
    this.sorted = undefined;
    this.emit({
      type: status === "SUCCESS" ? "run_succeeded" : "run_failed",
      timestamp: at,
      jobName: name,
      run: done,
    });
    return done;
  }

  /** Puts a finished run into the job's history as it is (newest first), without counting it. */
  record(run: JobRun): void {
    this.finished.set(run.jobName, [run, ...(this.finished.get(run.jobName) ?? [])]);
  }

  /** Adds an active run as it is. */
  addActive(run: JobRun): void {
    this.active.set(run.jobName, [...(this.active.get(run.jobName) ?? []), run]);
    this.sorted = undefined;
  }

  setStats(name: string, stats: Partial<JobStats>): void {
    this.stats.set(name, { ...this.statsOf(name), ...stats });
    this.sorted = undefined;
  }

  emit(event: ChronosEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private view(name: string): JobView {
    const definition = this.defs.get(name)!;
    const stats = this.statsOf(name);
    const running = this.activeRuns(name).length;
    return {
      definition,
      stats,
      lastStatus:
        stats.lastSuccess === "" && stats.lastError === ""
          ? "fresh"
          : stats.lastSuccess >= stats.lastError
            ? "success"
            : "failure",
      state: running > 0 ? `${running} running` : "idle",
      nextRunAt: isScheduled(definition) && !definition.disabled ? this.nextRunAt.get(name) : undefined,
      parentsDone: [],
    };
  }

  private statsOf(name: string): JobStats {
    return (
      this.stats.get(name) ?? {
        successCount: 0,
        errorCount: 0,
        lastSuccess: "",
        lastError: "",
        errorsSinceLastSuccess: 0,
      }
    );
  }

  private mustExist(name: string): void {
    if (!this.defs.has(name)) throw new ChronosError("JOB_NOT_FOUND", `Job '${name}' not found`);
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  /** The runtime's checks, roughly: schedule syntax and zone, parents exist, no cycle. */
  private check(job: JobDefinition): void {
    if (isScheduled(job) && !ISO.test(job.schedule) && !CRON.test(job.schedule.trim()))
      throw new ChronosError("INVALID_SCHEDULE", `Cannot parse schedule '${job.schedule}'`, {
        details: [{ path: "/schedule", errors: ["not an ISO 8601 repeating interval or a 5-field cron"] }],
      });
    if (job.scheduleTimeZone !== "" && !isTimeZone(job.scheduleTimeZone))
      throw new ChronosError("INVALID_SCHEDULE", `Unknown time zone '${job.scheduleTimeZone}'`, {
        details: [{ path: "/scheduleTimeZone", errors: ["not an IANA time zone"] }],
      });
    (job.parents ?? []).forEach((parent, i) => {
      if (parent === job.name)
        throw new ChronosError("DEPENDENCY_CYCLE", `Job ${job.name} cannot be its own parent`, {
          details: [{ path: `/parents/${i}`, errors: ["a job cannot be its own parent"] }],
        });
      if (!this.defs.has(parent))
        throw new ChronosError("UNKNOWN_PARENT", `Parent job ${parent} of ${job.name} does not exist`, {
          details: [{ path: `/parents/${i}`, errors: [`no job is named ${parent}`] }],
        });
    });
    const seen = new Set<string>();
    const reaches = (from: string): boolean => {
      if (from === job.name) return true;
      if (seen.has(from)) return false;
      seen.add(from);
      return (this.defs.get(from)?.parents ?? []).some(reaches);
    };
    if ((job.parents ?? []).some(reaches))
      throw new ChronosError("DEPENDENCY_CYCLE", `Job ${job.name} would depend on itself`, {
        details: [{ path: "/parents", errors: ["the job graph would have a cycle"] }],
      });
  }
}

const ISO = /^R\d*\/[^/]*\/P[0-9YMWDTHS.,]+$/;
const CRON = /^\S+(\s+\S+){4}$/;
