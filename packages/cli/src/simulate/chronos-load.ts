import { z } from "zod";
import { type Started, startFrameworkProcess } from "./cluster.js";
import { type ChronosSummary, percentiles } from "./report.js";
import { prng } from "./workload.js";

/** A job's task asks for little, as Marathon's apps do here: the run measures scheduling, not packing. */
const JOB_CPUS = 0.1;
const JOB_MEM = 32;
/** Jobs POSTed at once: Chronos writes each job to its store before it answers. */
const POST_CONCURRENCY = 16;
const POLL_MS = 1000;
/** Where the scheduled jobs' first slot is while their dependents are posted. */
const PARKED_START = new Date("2099-01-01T00:00:00.000Z");
/**
 * With every schedule used up and no run going, how long nothing may change before the runs seen are
 * all there will be (a dependent's run is created only after its parent's success is written).
 */
const QUIET_MS = 3000;

export interface ChronosPlanInput {
  jobs: number;
  repeats: number;
  intervalMs: number;
  /** Share of the jobs that depend on one of the scheduled jobs instead of having a schedule. */
  dependents: number;
  seed: number;
  /** The scheduled jobs' first slot, one for all of them. */
  start: Date;
}

/** One job the simulator POSTs: to `/v1/scheduler/iso8601` with a schedule or `/dependency` with a parent. */
export interface PlannedChronosJob {
  name: string;
  /** The job it depends on; absent for a scheduled job. */
  parent?: string;
  body: Record<string, unknown>;
}

/**
 * Which jobs run: `jobs − dependents` jobs on the same ISO 8601 schedule (`R<repeats>/<start>/PT…`),
 * and `⌊dependents × jobs⌋` (at least one job stays scheduled) each depending on one scheduled job
 * drawn from the seed, so each runs once after every run of its parent: `repeats` runs per job in all.
 * Pure and deterministic.
 */
export function planChronosJobs(i: ChronosPlanInput): PlannedChronosJob[] {
  const dependents = Math.min(Math.floor(i.dependents * i.jobs), i.jobs - 1);
  const scheduled = i.jobs - dependents;
  const schedule = `R${i.repeats}/${i.start.toISOString()}/PT${i.intervalMs / 1000}S`;
  const common = { command: "true", cpus: JOB_CPUS, mem: JOB_MEM };
  const out: PlannedChronosJob[] = [];
  for (let j = 0; j < scheduled; j++) {
    const name = `sim-job-${j}`;
    out.push({ name, body: { name, schedule, ...common } });
  }
  const random = prng(i.seed ^ 0xc405);
  for (let j = 0; j < dependents; j++) {
    const name = `sim-dependent-${j}`;
    const parent = `sim-job-${Math.floor(random() * scheduled)}`;
    out.push({ name, parent, body: { name, parents: [parent], ...common } });
  }
  return out;
}

/** A run as Chronos' `/v1/events` carries it; only what the simulator checks. */
export const ChronosRunRecord = z.object({
  id: z.string(),
  jobName: z.string(),
  trigger: z.string(),
  /** The schedule slot, for scheduled runs. */
  scheduledAt: z.string().optional(),
  status: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  /** `startedAt`: when Chronos saw the attempt's TASK_RUNNING. */
  attempts: z.array(z.object({ startedAt: z.string().optional() })),
});
export type ChronosRunRecord = z.infer<typeof ChronosRunRecord>;

const RunEvent = z.object({ run: ChronosRunRecord.optional() });
const JobsAnswer = z.array(
  z.object({
    name: z.string(),
    successCount: z.number().int(),
    errorCount: z.number().int(),
    /** `R0/…` once a scheduled job has no repetition left. */
    schedule: z.string().optional(),
  }),
);

const finished = (r: ChronosRunRecord) => r.status === "SUCCESS" || r.status === "FAILED";

/** What the run events show beyond Chronos' counters: runs not done, slots run twice, order, jitter. */
export interface ChronosRunCheck {
  runsStuck: number;
  /** Slots of scheduled jobs that got no run of their own: `repeats` less the job's scheduled runs. */
  slotsCollapsed: number;
  slotsRunTwice: number;
  dependentRunsEarly: number;
  /** Each scheduled run's first attempt: its slot → TASK_RUNNING at Chronos (ms). */
  startJitterMs: number[];
}

/**
 * Checks the last record of every run against the plan: a run not finished is stuck; two scheduled
 * runs of one slot are a slot run twice; a dependent's n-th run created before its parent's n-th
 * success ended ran early (Chronos creates it when that success ends, so never before). Pure.
 */
export function checkChronosRuns(
  runs: Iterable<ChronosRunRecord>,
  plan: readonly PlannedChronosJob[],
  repeats: number,
): ChronosRunCheck {
  const byJob = new Map<string, ChronosRunRecord[]>();
  for (const r of runs) {
    const list = byJob.get(r.jobName);
    if (list) list.push(r);
    else byJob.set(r.jobName, [r]);
  }
  const all = [...byJob.values()].flat();
  const isScheduled = (r: ChronosRunRecord) => r.trigger === "scheduled" && r.scheduledAt !== undefined;
  const scheduled = all.filter(isScheduled);
  const slots = new Set(scheduled.map((r) => `${r.jobName}\n${Date.parse(r.scheduledAt!)}`));
  let dependentRunsEarly = 0;
  let slotsCollapsed = 0;
  for (const job of plan) {
    if (job.parent === undefined) {
      // Per job from its own runs: filtering every scheduled run per job is jobs × runs at 10,000 jobs.
      const ran = new Set((byJob.get(job.name) ?? []).filter(isScheduled).map((r) => r.scheduledAt));
      slotsCollapsed += Math.max(0, repeats - ran.size);
      continue;
    }
    const successes = (byJob.get(job.parent) ?? [])
      .filter((r) => r.status === "SUCCESS" && r.finishedAt !== undefined)
      .map((r) => Date.parse(r.finishedAt!))
      .sort((a, b) => a - b);
    const created = (byJob.get(job.name) ?? [])
      .filter((r) => r.trigger === "dependency")
      .map((r) => Date.parse(r.createdAt))
      .sort((a, b) => a - b);
    created.forEach((at, n) => {
      const parentDone = successes[n];
      if (parentDone === undefined || at < parentDone) dependentRunsEarly++;
    });
  }
  return {
    runsStuck: all.filter((r) => !finished(r)).length,
    slotsCollapsed,
    slotsRunTwice: scheduled.length - slots.size,
    dependentRunsEarly,
    startJitterMs: scheduled.flatMap((r) => {
      const started = r.attempts[0]?.startedAt;
      return started === undefined ? [] : [Date.parse(started) - Date.parse(r.scheduledAt!)];
    }),
  };
}

/** Chronos jobs run by the simulator through a real `agora chronos` process. */
export interface ChronosLoad {
  readonly expected: number;
  /** The `agora chronos` process, for its CPU. */
  readonly pid: number;
  /** Runs ended (Chronos' `successCount + errorCount`, summed) at the last poll. */
  completed(): number;
  /**
   * No run is going, and every job ran `repeats` times or Chronos will run nothing more: every
   * schedule is used up and nothing changed for `QUIET_MS`. Chronos merges a slot that comes while
   * the job's previous run still waits for its launch into that run (FORBID), so a late cluster
   * runs fewer than planned; the report counts those slots.
   */
  settled(): boolean;
  /** Why the `agora chronos` process ended by itself, if it did. */
  died(): string | undefined;
  /** The report's section, from a last read of Chronos' counters and the run events seen. */
  summary(): Promise<ChronosSummary>;
  stop(): Promise<void>;
}

/**
 * Starts `agora chronos` on the cluster's NATS, follows its `/v1/events` (every run's record as it
 * changes), and POSTs the planned jobs as a Chronos user would: the scheduled ones to
 * `/v1/scheduler/iso8601`, the dependent ones to `/v1/scheduler/dependency`, and the scheduled ones
 * again with their first slot one `intervalMs` after that (a slot passed while they are moved runs
 * at once, as Chronos catches up). Chronos' own counters (`GET /v1/scheduler/jobs`) are polled for
 * how many runs ended. The job's command is never run: the simulated agents' executor ends a task
 * without the simulator's labels at once, successfully.
 */
export async function deployChronosJobs(o: {
  nats: string;
  cluster: string;
  stateDir: string;
  jobs: number;
  repeats: number;
  intervalMs: number;
  dependents: number;
  seed: number;
  cpuProfDir?: string;
}): Promise<ChronosLoad> {
  const chronos = await startFrameworkProcess("chronos", o);
  const runs = new Map<string, ChronosRunRecord>();
  let lastChange = Date.now();
  const abort = new AbortController();
  let reading: Promise<void> = Promise.resolve();
  let plan: PlannedChronosJob[];
  try {
    const onRun = (r: ChronosRunRecord) => {
      runs.set(r.id, r);
      lastChange = Date.now();
    };
    reading = (await followRuns(chronos.url, abort.signal, onRun)).done;
    // Every job exists before any runs: the scheduled ones parked far ahead, then the dependents,
    // then the scheduled ones moved to their real start. A parent that ran before its dependent
    // existed would leave that dependent a run short for good.
    const scheduled = (p: PlannedChronosJob[]) => p.filter((j) => j.parent === undefined);
    const parked = planChronosJobs({ ...o, start: PARKED_START });
    const posting = Date.now();
    await postAll(chronos.url, scheduled(parked));
    await postAll(
      chronos.url,
      parked.filter((j) => j.parent !== undefined),
    );
    // Moving them takes about as long again: all are due in the same second, one interval after.
    const start = new Date(Math.ceil((2 * Date.now() - posting + o.intervalMs) / 1000) * 1000);
    plan = planChronosJobs({ ...o, start });
    await postAll(chronos.url, scheduled(plan));
  } catch (err) {
    abort.abort();
    await reading;
    await chronos.stop();
    throw err;
  }
  const expected = o.jobs * o.repeats;
  let counts = new Map<string, { success: number; error: number; usedUp: boolean }>();
  const sum = (pick: (c: { success: number; error: number }) => number) =>
    [...counts.values()].reduce((s, c) => s + pick(c), 0);
  const ended = (name: string) => (counts.get(name)?.success ?? 0) + (counts.get(name)?.error ?? 0);
  const poll = async () => {
    try {
      const r = await fetch(`${chronos.url}/v1/scheduler/jobs`, { signal: AbortSignal.timeout(30_000) });
      const parsed = JobsAnswer.safeParse(await r.json());
      if (!parsed.success) return;
      const before = sum((c) => c.success + c.error);
      counts = new Map(
        parsed.data.map((j) => [
          j.name,
          { success: j.successCount, error: j.errorCount, usedUp: j.schedule?.startsWith("R0/") ?? false },
        ]),
      );
      if (sum((c) => c.success + c.error) !== before) lastChange = Date.now();
    } catch {
      // Chronos busy: the next poll tells.
    }
  };
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await poll();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return {
    expected,
    pid: chronos.pid,
    completed: () => sum((c) => c.success + c.error),
    settled() {
      if (![...runs.values()].every(finished)) return false;
      if (plan.every((j) => ended(j.name) >= o.repeats)) return true;
      const usedUp = plan.every((j) => j.parent !== undefined || counts.get(j.name)?.usedUp === true);
      return usedUp && Date.now() - lastChange >= QUIET_MS;
    },
    died: () => exited(chronos),
    async summary() {
      await poll();
      const check = checkChronosRuns(runs.values(), plan, o.repeats);
      return {
        jobs: o.jobs,
        dependents: plan.filter((j) => j.parent !== undefined).length,
        repeats: o.repeats,
        intervalMs: o.intervalMs,
        runsExpected: expected,
        runsCompleted: sum((c) => c.success + c.error),
        runsFailed: sum((c) => c.error),
        runsStuck: check.runsStuck,
        slotsCollapsed: check.slotsCollapsed,
        slotsRunTwice: check.slotsRunTwice,
        dependentRunsEarly: check.dependentRunsEarly,
        startJitterMs: percentiles(check.startJitterMs),
      };
    },
    async stop() {
      polling = false;
      await poller;
      abort.abort();
      await reading;
      await chronos.stop();
    },
  };
}

function exited(p: Started): string | undefined {
  const e = p.exited();
  return e === undefined ? undefined : `agora chronos exited (${e})`;
}

async function postAll(url: string, jobs: readonly PlannedChronosJob[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const path = job.parent === undefined ? "iso8601" : "dependency";
      const r = await fetch(`${url}/v1/scheduler/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(job.body),
      });
      if (!r.ok) throw new Error(`POST ${url}/v1/scheduler/${path} answered ${r.status}: ${await r.text()}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(POST_CONCURRENCY, jobs.length) }, lane));
}

/**
 * Opens Chronos' run events and resolves once the stream is open (so no run is missed); `done`
 * settles when the stream ends (aborted, or Chronos gone). Each run's latest record goes to `onRun`;
 * a frame that does not parse is skipped.
 */
async function followRuns(
  url: string,
  signal: AbortSignal,
  onRun: (r: ChronosRunRecord) => void,
): Promise<{ done: Promise<void> }> {
  const types = ["run_created", "run_started", "run_retry", "run_succeeded", "run_failed"];
  const query = types.map((t) => `event_type=${t}`).join("&");
  const res = await fetch(`${url}/v1/events?${query}`, {
    headers: { accept: "text/event-stream" },
    signal,
  });
  if (!res.ok || !res.body) throw new Error(`GET ${url}/v1/events answered ${res.status}`);
  const body = res.body;
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const data = buffer
            .slice(0, end)
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
          buffer = buffer.slice(end + 2);
          if (data === "") continue;
          const event = RunEvent.safeParse(parseJson(data));
          if (event.success && event.data.run) onRun(event.data.run);
        }
      }
    } catch {
      // Aborted by stop(), or Chronos went away: what was seen stays.
    }
  })();
  return { done };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
