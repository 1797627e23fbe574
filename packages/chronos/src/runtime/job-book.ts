import type { JobDefinition } from "../model/job.js";
import { type JobRun, JobState } from "../model/run.js";

/**
 * Chronos' memory: every job, its state, its active runs and its bounded history, with an index
 * from task id to run. Every API read is answered from here, never from the store.
 */
export class JobBook {
  readonly jobs = new Map<string, JobDefinition>();
  private readonly states = new Map<string, JobState>();
  private readonly active = new Map<string, JobRun[]>();
  private readonly finished = new Map<string, JobRun[]>();
  private readonly byTask = new Map<string, JobRun>();
  /**
   * Every active run in one array, built again only after a change: each scheduling pass (one per
   * status update) reads it several times, and flattening a thousand jobs' lists each time was a
   * third of Chronos' CPU with 1,000 jobs due at once (`agora simulate --chronos-jobs`).
   */
  private activeList: readonly JobRun[] | undefined;
  private sortedNames: string[] | undefined;
  /** Bumped whenever a job's definition or state is set or a job removed: readers cache by it. */
  version = 0;

  constructor(private readonly historySize: number) {}

  names(): string[] {
    this.sortedNames ??= [...this.jobs.keys()].sort();
    return this.sortedNames;
  }

  setJob(job: JobDefinition): void {
    if (!this.jobs.has(job.name)) this.sortedNames = undefined;
    this.jobs.set(job.name, job);
    this.version++;
  }

  /** Forgets the job with its state and runs; returns the ids of every run it had. */
  removeJob(name: string): string[] {
    const runs = [...(this.active.get(name) ?? []), ...(this.finished.get(name) ?? [])];
    for (const r of this.active.get(name) ?? []) for (const a of r.attempts) this.byTask.delete(a.taskId);
    this.jobs.delete(name);
    this.states.delete(name);
    this.active.delete(name);
    this.finished.delete(name);
    this.activeList = undefined;
    this.sortedNames = undefined;
    this.version++;
    return runs.map((r) => r.id);
  }

  state(name: string): JobState {
    let s = this.states.get(name);
    if (!s) {
      s = JobState.parse({});
      this.states.set(name, s);
    }
    return s;
  }

  setState(name: string, state: JobState): void {
    this.states.set(name, state);
    this.version++;
  }

  activeRuns(name: string): readonly JobRun[] {
    return this.active.get(name) ?? [];
  }

  history(name: string): readonly JobRun[] {
    return this.finished.get(name) ?? [];
  }

  allActive(): readonly JobRun[] {
    this.activeList ??= [...this.active.values()].flat();
    return this.activeList;
  }

  run(name: string, id: string): JobRun | undefined {
    return this.activeRuns(name).find((r) => r.id === id) ?? this.history(name).find((r) => r.id === id);
  }

  runOfTask(taskId: string): JobRun | undefined {
    return this.byTask.get(taskId);
  }

  addActive(run: JobRun): void {
    const list = this.active.get(run.jobName) ?? [];
    list.push(run);
    this.active.set(run.jobName, list);
    this.activeList = undefined;
    for (const a of run.attempts) this.byTask.set(a.taskId, run);
  }

  indexTask(taskId: string, run: JobRun): void {
    this.byTask.set(taskId, run);
  }

  /** Moves a run to the history (newest first); returns the ids of runs pushed out of the bound. */
  finish(run: JobRun): string[] {
    const left = (this.active.get(run.jobName) ?? []).filter((r) => r.id !== run.id);
    if (left.length > 0) this.active.set(run.jobName, left);
    else this.active.delete(run.jobName);
    this.activeList = undefined;
    for (const a of run.attempts) this.byTask.delete(a.taskId);
    const history = [run, ...(this.finished.get(run.jobName) ?? [])];
    const evicted = history.splice(this.historySize);
    this.finished.set(run.jobName, history);
    return evicted.map((r) => r.id);
  }

  /** Loads stored runs: active ones indexed, finished ones newest first within the bound; returns those beyond it. */
  load(runs: readonly JobRun[]): JobRun[] {
    const done = runs.filter((r) => r.status === "SUCCESS" || r.status === "FAILED");
    for (const r of runs) if (r.status !== "SUCCESS" && r.status !== "FAILED") this.addActive(r);
    done.sort((a, b) => (b.finishedAt ?? "").localeCompare(a.finishedAt ?? ""));
    const evicted: JobRun[] = [];
    for (const r of done) {
      const history = this.finished.get(r.jobName) ?? [];
      if (history.length < this.historySize) {
        history.push(r);
        this.finished.set(r.jobName, history);
      } else evicted.push(r);
    }
    return evicted;
  }
}
