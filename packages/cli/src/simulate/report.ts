import { z } from "zod";
import { PendingUpdate } from "./ipc.js";

const ms = z.number().nonnegative();
const Percentiles = z.object({ p50: ms, p99: ms, max: ms, samples: z.number().int().nonnegative() }).strict();
export type Percentiles = z.infer<typeof Percentiles>;

/** One sample of the cluster taken during the run (`t` in seconds since the run started). */
export const Sample = z
  .object({
    t: z.number().nonnegative(),
    agentsRegistered: z.number().int().nonnegative(),
    /** Active agents as the master counts them: more than the simulator runs means ghosts. */
    masterAgentsActive: z.number().int().nonnegative().nullable(),
    launched: z.number().int().nonnegative(),
    /** Tasks that have reached TASK_RUNNING so far (cumulative). */
    ran: z.number().int().nonnegative(),
    running: z.number().int().nonnegative(),
    /** Tasks out for good: finished, failed, killed, errored or lost. */
    ended: z.number().int().nonnegative(),
    /** Tasks each role's frameworks still have to launch. */
    pendingByRole: z.record(z.string(), z.number().int().nonnegative()),
    /** From the master's `/metrics` (cumulative counters as the master reports them). */
    allocationRuns: z.number().nonnegative().nullable(),
    allocationSecondsTotal: z.number().nonnegative().nullable(),
    offersMadeTotal: z.number().nonnegative().nullable(),
    outstandingOffers: z.number().nonnegative().nullable(),
    /** Each role's dominant share of the cluster (unweighted, 0…1). */
    roleShares: z.record(z.string(), z.number()),
    cpusUsed: z.number().nonnegative().nullable(),
    cpusTotal: z.number().nonnegative().nullable(),
    /** The master process, read from /proc when the simulator started it. */
    masterRssBytes: z.number().nonnegative().nullable(),
    masterCpuSecondsTotal: z.number().nonnegative().nullable(),
    /**
     * CPU time (user + system, s) of each process on this machine the run uses, by name: `master`,
     * `nats-server`, `worker-<n>` (agent hosts), `simulator` (this process: the SDK frameworks and the
     * metrics probe), `state-probe`, `marathon`, `chronos`. Without `master` and `nats-server` when
     * it did not start the cluster.
     */
    processCpuSeconds: z.record(z.string(), z.number().nonnegative()),
    /** Bytes nats-server holds for each connection, by connection name: queues not yet drained. */
    natsPendingBytes: z.record(z.string(), z.number().nonnegative()),
  })
  .strict();
export type Sample = z.infer<typeof Sample>;

const Interval = z
  .object({
    t: z.number().nonnegative(),
    /** Mean allocation cycle over the interval (ms), null without cycles. */
    allocationCycleMs: z.number().nonnegative().nullable(),
    allocationCyclesPerSec: z.number().nonnegative().nullable(),
    offersPerSec: z.number().nonnegative().nullable(),
    tasksRunningPerSec: z.number().nonnegative(),
    masterCpuPercent: z.number().nonnegative().nullable(),
    /** Each process's CPU over the interval, % of one core. */
    processCpuPercent: z.record(z.string(), z.number().nonnegative()),
    utilisation: z.number().min(0).nullable(),
    /** Each role's dominant share divided by its weight. */
    weightedShares: z.record(z.string(), z.number()),
    /** Every role still had tasks to launch at the interval's end: DRF had to divide the cluster. */
    contended: z.boolean(),
  })
  .strict();
export type Interval = z.infer<typeof Interval>;

export const FrameworkReport = z
  .object({
    name: z.string(),
    role: z.string(),
    weight: z.number().positive(),
    planned: z.number().int().nonnegative(),
    launched: z.number().int().nonnegative(),
    running: z.number().int().nonnegative(),
    finished: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    killed: z.number().int().nonnegative(),
    errored: z.number().int().nonnegative(),
    lost: z.number().int().nonnegative(),
    updatesReceived: z.number().int().nonnegative(),
    offers: z.number().int().nonnegative(),
    declined: z.number().int().nonnegative(),
    acceptsInFlightPeak: z.number().int().nonnegative(),
  })
  .strict();
export type FrameworkReport = z.infer<typeof FrameworkReport>;

/** An update a live agent still had unacknowledged when the run drained: what `updatesLost` counts. */
export const UnacknowledgedUpdateReport = PendingUpdate.omit({ producedAt: true, firstSentAt: true })
  .extend({
    /** When the agent produced it and first sent it, in seconds since the run started (as samples' `t`). */
    producedAtSec: z.number(),
    /** Null while it waited behind an earlier update of its task. */
    firstSentAtSec: z.number().nullable(),
    /** Whether a framework received it (so its acknowledgement is what went missing). */
    received: z.boolean(),
  })
  .strict();
export type UnacknowledgedUpdateReport = z.infer<typeof UnacknowledgedUpdateReport>;

/** One process's CPU over the run, in seconds of one core. */
export const ProcessCpu = z
  .object({
    /** From the first sample to the last. */
    cpuSecondsTotal: z.number().nonnegative(),
    cpuPercentMean: z.number().nonnegative(),
    /** From the first accept to the last TASK_RUNNING (interpolated between samples); null without launches. */
    cpuSecondsDuringLaunch: z.number().nonnegative().nullable(),
  })
  .strict();
export type ProcessCpu = z.infer<typeof ProcessCpu>;

/**
 * Chronos jobs run through an `agora chronos` process: the run counts are Chronos' own counters
 * (`successCount + errorCount`), the rest comes from the run records on its `/v1/events`.
 */
export const ChronosSummary = z
  .object({
    /** Jobs in all, of which `dependents` depend on a scheduled one instead of having a schedule. */
    jobs: z.number().int().nonnegative(),
    dependents: z.number().int().nonnegative(),
    repeats: z.number().int().positive(),
    intervalMs: z.number().positive(),
    runsExpected: z.number().int().nonnegative(),
    /** Runs ended, successfully or not (after their retries). */
    runsCompleted: z.number().int().nonnegative(),
    runsFailed: z.number().int().nonnegative(),
    /** Runs created but not ended when the run did. */
    runsStuck: z.number().int().nonnegative(),
    /**
     * Slots of scheduled jobs without a run of their own: Chronos merges a slot due while the job's
     * previous run still waits for its launch into that run (FORBID), so a late cluster runs fewer.
     */
    slotsCollapsed: z.number().int().nonnegative(),
    /** Scheduled runs beyond one per job and slot: a slot run twice. */
    slotsRunTwice: z.number().int().nonnegative(),
    /** A dependent's n-th run created before its parent's n-th success had ended. */
    dependentRunsEarly: z.number().int().nonnegative(),
    /** A scheduled run's slot → its task's TASK_RUNNING at Chronos; negative would mean launched early. */
    startJitterMs: z
      .object({ p50: z.number(), p99: z.number(), max: z.number(), samples: z.number().int().nonnegative() })
      .strict(),
  })
  .strict();
export type ChronosSummary = z.infer<typeof ChronosSummary>;

/** `DIR/report.json`: what one `agora simulate` run measured. */
export const SimulationReport = z
  .object({
    version: z.literal(1),
    startedAt: z.iso.datetime(),
    command: z.string(),
    machine: z.object({
      cpus: z.number().int(),
      cpuModel: z.string(),
      memGiB: z.number(),
      loadAvg: z.array(z.number()),
    }),
    /** Whether the run ended with every task settled (running or out) before --timeout. */
    completed: z.boolean(),
    /** `settled`, `timeout`, `interrupted`, or which process the simulator started died. */
    endReason: z.string(),
    durationSec: z.number().nonnegative(),
    agents: z.number().int().nonnegative(),
    agentsChurned: z.number().int().nonnegative(),
    /**
     * Agents the master counted active at the end beyond those the simulator runs: registrations
     * the master took twice (an agent re-sent one the master answered too late).
     */
    ghostAgents: z.number().int().nonnegative().nullable(),
    tasksPlanned: z.number().int().nonnegative(),
    tasksLaunched: z.number().int().nonnegative(),
    tasksRunning: z.number().int().nonnegative(),
    tasksFinished: z.number().int().nonnegative(),
    tasksFailed: z.number().int().nonnegative(),
    tasksKilled: z.number().int().nonnegative(),
    tasksLost: z.number().int().nonnegative(),
    /** Launched tasks neither running nor out when the run ended: zero unless it timed out. */
    tasksStuck: z.number().int().nonnegative(),
    /** Updates the agents produced, and the distinct ones frameworks received (and acknowledged). */
    updatesProduced: z.number().int().nonnegative(),
    updatesReceived: z.number().int().nonnegative(),
    /**
     * Updates live agents produced before the workload settled and still had unacknowledged after the
     * drain (up to 20 s more, two sends at least): delivered never, or their acknowledgement lost.
     */
    updatesLost: z.number().int().nonnegative(),
    /**
     * Updates produced during the drain (tasks still end under --hold) and unacknowledged at its end:
     * on their way, not lost.
     */
    updatesInFlight: z.number().int().nonnegative(),
    /** Updates of frameworks the master shut down, which agents dropped: nobody could acknowledge them. */
    updatesDropped: z.number().int().nonnegative(),
    /** Unacknowledged when their agent was killed by churn (gone with the "crashed" host). */
    updatesAbandoned: z.number().int().nonnegative(),
    /**
     * Sends of updates the agents had sent before (their retries while no acknowledgement came), and
     * copies the frameworks received again (the SDK hid them from the handler and acknowledged them):
     * with `updatesProduced`, how many copies of each update a master behind on its agents handled.
     */
    updatesResent: z.number().int().nonnegative(),
    updatesDuplicated: z.number().int().nonnegative(),
    /** The updates `updatesLost` counts, oldest first (at most 100). */
    unacknowledgedUpdates: z.array(UnacknowledgedUpdateReport),
    launchThroughputPerSec: z.number().nonnegative(),
    /** The best rate over any 10 s window (tasks reaching TASK_RUNNING), or over the run when shorter. */
    peakThroughputPerSec10s: z.number().nonnegative(),
    /**
     * The best rate over any 60 s window, or over the run when shorter: the sustained rate, which a
     * burst (every task accepted at once) does not show; give tasks a short --task-run-time and more
     * tasks than the cluster holds, so frameworks launch into the resources ending tasks free.
     */
    bestThroughputPerSec60s: z.number().nonnegative(),
    launchLatencyMs: Percentiles,
    stateLatencyMs: Percentiles,
    /**
     * The same requests until their headers arrived, which the master sends with the whole body in one
     * write: the master's wait and work, apart from reading the body.
     */
    stateFirstByteMs: Percentiles,
    /**
     * The requests sent once every task was running or ended, until the run ended: the `--hold`
     * phase's steady cluster, the state Mesos' figures are taken on, apart from a launch's load.
     */
    stateLatencyMsSettled: Percentiles,
    /** Size of the last `/master/state` answer. */
    stateBytes: z.number().int().nonnegative(),
    masterPeakRssBytes: z.number().nonnegative().nullable(),
    masterCpuPercentMean: z.number().nonnegative().nullable(),
    /** Per process (see `Sample.processCpuSeconds`): where the machine's cores went. */
    processCpu: z.record(z.string(), ProcessCpu),
    /** Each process's niceness: the load (agent hosts, frameworks) yields to the master (`--load-nice`). */
    processNice: z.record(z.string(), z.number().int()),
    /**
     * The master's CPU during the launch window ÷ the tasks that reached TASK_RUNNING in it, in ms:
     * 1000 ÷ this is what one core of the master alone could launch per second. Null without launches
     * or without the master's /proc.
     */
    masterCpuMsPerTask: z.number().nonnegative().nullable(),
    allocationCycleMs: z.object({
      mean: z.number().nonnegative().nullable(),
      runs: z.number().nonnegative(),
    }),
    offersPerSecMean: z.number().nonnegative().nullable(),
    utilisationPeak: z.number().min(0).nullable(),
    /** The largest bytes nats-server held for any one connection: a growing queue shows here. */
    natsPendingBytesPeak: z.record(z.string(), z.number().nonnegative()),
    /**
     * Fairness while every role still had tasks to launch and ≥ 25 % of cpus were used: the lowest
     * Jain index of the roles' weighted dominant shares over those samples (1 = perfectly fair,
     * 1/n = one role has everything), and the index of the shares averaged over those samples (the
     * split over time, which one sample's transient does not sway); null when none qualified.
     */
    fairness: z.object({
      minJain: z.number().min(0).max(1).nullable(),
      meanJain: z.number().min(0).max(1).nullable(),
      samples: z.number().int().nonnegative(),
    }),
    frameworks: z.array(FrameworkReport),
    marathon: z
      .object({ apps: z.number().int(), instances: z.number().int(), running: z.number().int() })
      .nullable(),
    chronos: ChronosSummary.nullable(),
    samples: z.array(Sample),
    intervals: z.array(Interval),
  })
  .strict();
export type SimulationReport = z.infer<typeof SimulationReport>;

/** Nearest-rank percentiles of `values` (ms), rounded to µs. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted.length === 0
      ? 0
      : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(at(1)), samples: sorted.length };
}

/** Jain's fairness index of non-negative values: (Σx)² / (n·Σx²); 1 when all are equal. */
export function jain(values: readonly number[]): number {
  const sum = values.reduce((s, x) => s + x, 0);
  const squares = values.reduce((s, x) => s + x * x, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

/**
 * The best rate of `times` (ms, ascending) over any window of `windowMs`, per second; a run shorter
 * than the window is rated over its whole span.
 */
export function peakRate(times: readonly number[], windowMs: number): number {
  if (times.length < 2) return 0;
  let best = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! > windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  const span = Math.min(windowMs, times[times.length - 1]! - times[0]!);
  return span > 0 ? best / (span / 1000) : 0;
}

/**
 * Turns consecutive samples into per-interval rates: allocation cycle time and rate, offers and
 * launches per second, master CPU, utilisation and weighted role shares. Pure.
 */
export function intervals(samples: readonly Sample[], weights: Readonly<Record<string, number>>): Interval[] {
  const out: Interval[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = b.t - a.t;
    if (dt <= 0) continue;
    const delta = (x: number | null, y: number | null) => (x === null || y === null ? null : y - x);
    const runs = delta(a.allocationRuns, b.allocationRuns);
    const secs = delta(a.allocationSecondsTotal, b.allocationSecondsTotal);
    const offers = delta(a.offersMadeTotal, b.offersMadeTotal);
    const cpu = delta(a.masterCpuSecondsTotal, b.masterCpuSecondsTotal);
    const processCpuPercent: Record<string, number> = {};
    for (const [name, secs] of Object.entries(b.processCpuSeconds)) {
      const before = a.processCpuSeconds[name];
      if (before !== undefined) processCpuPercent[name] = (Math.max(0, secs - before) / dt) * 100;
    }
    const weightedShares: Record<string, number> = {};
    for (const [role, share] of Object.entries(b.roleShares))
      weightedShares[role] = share / (weights[role] ?? 1);
    out.push({
      t: b.t,
      allocationCycleMs: runs && secs !== null && runs > 0 ? (secs * 1000) / runs : null,
      allocationCyclesPerSec: runs === null ? null : runs / dt,
      offersPerSec: offers === null ? null : offers / dt,
      tasksRunningPerSec: Math.max(0, b.ran - a.ran) / dt,
      masterCpuPercent: cpu === null ? null : (cpu / dt) * 100,
      processCpuPercent,
      utilisation: b.cpusUsed !== null && b.cpusTotal ? b.cpusUsed / b.cpusTotal : null,
      weightedShares,
      contended:
        Object.keys(b.pendingByRole).length > 0 && Object.values(b.pendingByRole).every((n) => n > 0),
    });
  }
  return out;
}

/**
 * The lowest Jain index of weighted role shares over the intervals where every role still had
 * tasks to launch and at least `fullAt` of the cluster's cpus were used: only then must DRF divide
 * what is used by weight. Jain's index is scale-free, so the split is judged however full the
 * cluster is (freed resources wait for the next allocation and accept; on a loaded machine a busy
 * cluster shows well under 100 % used); the floor only leaves out the ramps up and down. Pure.
 */
export function fairness(
  list: readonly Interval[],
  roles: readonly string[],
  fullAt = 0.25,
): { minJain: number | null; meanJain: number | null; samples: number } {
  let min: number | null = null;
  let samples = 0;
  const sums = roles.map(() => 0);
  for (const i of list) {
    if (!i.contended || i.utilisation === null || i.utilisation < fullAt) continue;
    const shares = roles.map((r) => i.weightedShares[r] ?? 0);
    const j = jain(shares);
    samples++;
    min = min === null ? j : Math.min(min, j);
    shares.forEach((x, k) => {
      sums[k]! += x;
    });
  }
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    minJain: min === null ? null : round(min),
    meanJain: samples === 0 ? null : round(jain(sums)),
    samples,
  };
}

/**
 * Each process's CPU over the samples (`t` in s): its total and mean from its first sample to its
 * last, and what it spent from `window.from` to `window.to` (cumulative CPU interpolated linearly
 * between the samples around each end). Pure.
 */
export function cpuByProcess(
  samples: readonly Sample[],
  window: { from: number; to: number } | undefined,
): Record<string, ProcessCpu> {
  const series = new Map<string, Array<readonly [number, number]>>();
  for (const s of samples)
    for (const [name, secs] of Object.entries(s.processCpuSeconds)) {
      const list = series.get(name) ?? [];
      list.push([s.t, secs]);
      series.set(name, list);
    }
  const out: Record<string, ProcessCpu> = {};
  for (const [name, points] of series) {
    const first = points[0]!;
    const last = points[points.length - 1]!;
    const total = Math.max(0, last[1] - first[1]);
    const span = last[0] - first[0];
    const during =
      window === undefined || window.to <= window.from
        ? null
        : Math.max(0, cumulativeAt(points, window.to) - cumulativeAt(points, window.from));
    out[name] = {
      cpuSecondsTotal: round3(total),
      cpuPercentMean: span > 0 ? round3((total / span) * 100) : 0,
      cpuSecondsDuringLaunch: during === null ? null : round3(during),
    };
  }
  return out;
}

/** A cumulative series' value at `t`: linear between the points around it, clamped at its ends. */
function cumulativeAt(points: ReadonlyArray<readonly [number, number]>, t: number): number {
  if (t <= points[0]![0]) return points[0]![1];
  for (let i = 1; i < points.length; i++) {
    const [t1, v1] = points[i]!;
    if (t <= t1) {
      const [t0, v0] = points[i - 1]!;
      return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    }
  }
  return points[points.length - 1]![1];
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
