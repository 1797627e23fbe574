import { mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connectNatsBus, type NatsBus } from "@agora/transport";
import { pino } from "pino";
import { type ChronosLoad, deployChronosJobs } from "./chronos-load.js";
import { type Started, scratchDir, startMaster, startNats } from "./cluster.js";
import { SimFramework } from "./frameworks.js";
import { renderReport } from "./html.js";
import type { PendingUpdate, WorkerCounters } from "./ipc.js";
import { deployMarathonApps, type MarathonLoad } from "./marathon-load.js";
import type { SimulateOptions } from "./options.js";
import { natsPendingBytes, readProcess, scrapeMetrics } from "./probes.js";
import type { Progress } from "./progress.js";
import { promByLabel, promSum } from "./prometheus.js";
import {
  cpuByProcess,
  fairness,
  intervals,
  peakRate,
  percentiles,
  type Sample,
  type SimulationReport,
  SimulationReport as SimulationReportSchema,
  type UnacknowledgedUpdateReport,
} from "./report.js";
import { profileSelf } from "./self-profile.js";
import { StateProbe } from "./state-probe.js";
import { Worker } from "./workers.js";
import { planChurn, planWorkload, workerOf, workerSizes } from "./workload.js";

/** Replaced agents come back this long after the kill, as a host rebooting. */
const CHURN_RESTART_DELAY_MS = 2000;
/** After the last task settled, how long unacknowledged updates get to drain before they count as lost. */
const DRAIN_TIMEOUT_MS = 20_000;
const TICK_MS = 200;
/** At most this many unacknowledged updates are listed in the report. */
const UNACKNOWLEDGED_LISTED = 100;

const silent = pino({ level: "silent" });
const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the run's cluster is: its own (started here) or an existing one (`--nats`). */
interface Target {
  nats: string;
  masterUrl: string;
  /** Set when the simulator started the master: RSS and CPU come from /proc. */
  masterPid: number | undefined;
  natsPid: number | undefined;
  monitorUrl: string | undefined;
  /** Why a process the simulator started ended on its own, if one did. */
  died(): string | undefined;
  stop(): Promise<void>;
}

async function target(o: SimulateOptions, reportDir: string): Promise<Target> {
  if (o.nats)
    return {
      nats: o.nats,
      masterUrl: o.master,
      masterPid: undefined,
      natsPid: undefined,
      monitorUrl: undefined,
      died: () => undefined,
      stop: async () => {},
    };
  const nats = await startNats(path.join(reportDir, "nats-server.log"));
  let master: Started;
  try {
    master = await startMaster({
      nats: nats.url,
      cluster: "agora",
      fastFailureDetection: o.churn > 0,
      ...(o.masterCpuProf || o.cpuProf ? { cpuProfDir: reportDir } : {}),
      ...(o.cpuProf ? { cpuProfName: "master.cpuprofile" } : {}),
    });
  } catch (err) {
    await nats.stop();
    throw err;
  }
  return {
    nats: nats.url,
    masterUrl: master.url,
    masterPid: master.pid,
    natsPid: nats.pid,
    monitorUrl: nats.monitorUrl,
    died() {
      const m = master.exited();
      const n = nats.exited();
      return m ? `the master exited (${m})` : n ? `nats-server exited (${n})` : undefined;
    },
    async stop() {
      await master.stop();
      await nats.stop();
    },
  };
}

/**
 * `agora simulate`: a real master (started here unless `--nats`), simulated agents in worker
 * processes, SDK frameworks and optionally Marathon apps; samples the master while the workload
 * runs, then writes `report.json` (validated by its schema) and `report.html` into `o.report`.
 */
export async function simulate(
  o: SimulateOptions,
  command: string,
  progress: Progress,
  /** Aborted (Ctrl-C): the run stops where it is, reports what it saw and cleans up. */
  signal: AbortSignal = new AbortController().signal,
): Promise<SimulationReport> {
  const reportDir = path.resolve(o.report);
  await mkdir(reportDir, { recursive: true });
  const selfProfile = o.cpuProf ? await profileSelf() : undefined;
  const startedAt = new Date();
  const t0 = now();
  const seconds = () => (now() - t0) / 1000;
  const cluster = "agora";
  progress.line(o.nats ? `using the cluster at ${o.nats}` : "starting nats-server and agora master…");
  const tgt = await target(o, reportDir);
  // Sandboxes and Marathon's state on tmpfs when there is one: the run measures the scheduler, not the disk.
  const workDir = await scratchDir(
    path.join(process.platform === "linux" ? "/dev/shm" : os.tmpdir(), "agora-simulate-"),
  );
  const workers: Worker[] = [];
  const frameworks: SimFramework[] = [];
  let bus: NatsBus | undefined;
  let marathon: MarathonLoad | undefined;
  let chronos: ChronosLoad | undefined;
  let stateProbe: StateProbe | undefined;
  try {
    const plan = planWorkload({
      tasks: o.tasks,
      frameworks: o.frameworks,
      taskRunTimeMs: o.taskRunTime,
      failureRate: o.failureRate,
      seed: o.seed,
    });
    const weights: Record<string, number> = {};
    for (const f of o.frameworks) weights[f.role] = f.weight;
    const put = await fetch(`${tgt.masterUrl}/weights`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(Object.entries(weights).map(([role, weight]) => ({ role, weight }))),
    });
    if (!put.ok) throw new Error(`PUT ${tgt.masterUrl}/weights answered ${put.status}: ${await put.text()}`);

    // Sampling runs from the first registration on: metrics, /proc and queue depths every interval, and
    // /master/state one request after another (it may take longer than an interval at scale).
    const registered = () => workers.reduce((s, w) => s + w.registered, 0);
    const samples: Sample[] = [];
    /** Each process's niceness, as last read. */
    const processNice: Record<string, number> = {};
    let sampling = true;
    const processes = (): Array<[string, number | undefined]> => [
      ["master", tgt.masterPid],
      ["nats-server", tgt.natsPid],
      ...workers.map((w, i): [string, number | undefined] => [`worker-${i}`, w.pid]),
      ["simulator", process.pid],
      ["state-probe", stateProbe?.pid],
      ["marathon", marathon?.pid],
      ["chronos", chronos?.pid],
    ];
    const sampleOnce = async () => {
      const [metrics, procs, pending] = await Promise.all([
        scrapeMetrics(tgt.masterUrl),
        Promise.all(
          processes().map(
            async ([name, pid]) => [name, pid === undefined ? undefined : await readProcess(pid)] as const,
          ),
        ),
        tgt.monitorUrl === undefined ? {} : natsPendingBytes(tgt.monitorUrl),
      ]);
      const proc = procs.find(([name]) => name === "master")?.[1];
      const processCpuSeconds: Record<string, number> = {};
      for (const [name, p] of procs) {
        if (!p) continue;
        processCpuSeconds[name] = p.cpuSeconds;
        processNice[name] = p.nice;
      }
      const pendingByRole: Record<string, number> = {};
      for (const f of frameworks)
        pendingByRole[f.counts().role] = (pendingByRole[f.counts().role] ?? 0) + f.pending;
      const sum = (pick: (c: ReturnType<SimFramework["counts"]>) => number) =>
        frameworks.reduce((s, f) => s + pick(f.counts()), 0);
      samples.push({
        t: seconds(),
        agentsRegistered: registered(),
        masterAgentsActive: metrics ? promSum(metrics, "agora_master_agents_active") : null,
        launched: sum((c) => c.launched),
        ran: frameworks.reduce((s, f) => s + f.latencies.length, 0),
        running: sum((c) => c.running),
        ended: sum((c) => c.finished + c.failed + c.killed + c.errored + c.lost),
        pendingByRole,
        allocationRuns: metrics ? promSum(metrics, "agora_master_allocation_run_seconds_count") : null,
        allocationSecondsTotal: metrics ? promSum(metrics, "agora_master_allocation_run_seconds_sum") : null,
        offersMadeTotal: metrics ? promSum(metrics, "agora_master_offers_made_total") : null,
        outstandingOffers: metrics ? promSum(metrics, "agora_master_offers_outstanding") : null,
        roleShares: metrics ? promByLabel(metrics, "agora_master_role_dominant_share", "role") : {},
        cpusUsed: metrics ? promSum(metrics, "agora_master_resources_used", { resource: "cpus" }) : null,
        cpusTotal: metrics ? promSum(metrics, "agora_master_resources_total", { resource: "cpus" }) : null,
        masterRssBytes: proc?.rssBytes ?? null,
        masterCpuSecondsTotal: proc?.cpuSeconds ?? null,
        processCpuSeconds,
        natsPendingBytes: pending,
      });
    };
    const sampler = (async () => {
      while (sampling) {
        const next = now() + o.sampleInterval;
        await sampleOnce();
        await sleep(Math.max(0, next - now()));
      }
    })();
    stateProbe = new StateProbe({ masterUrl: tgt.masterUrl, intervalMs: o.sampleInterval });
    // From here on this process and what it starts (agent hosts, Marathon, Chronos) are the load: they
    // stand in for other machines, so the master, nats-server and the probe (started before, at the
    // priority they were given) go first when all want the CPU. Only ever lowered: raising it back
    // would need privileges an already niced run may not have.
    if (os.getPriority() < o.loadNice) os.setPriority(o.loadNice);

    let offset = 0;
    for (const count of workerSizes(o.agents, o.agentsPerWorker)) {
      workers.push(
        new Worker(
          {
            nats: tgt.nats,
            cluster,
            offset,
            count,
            resources: o.agentResources,
            workDir: path.join(workDir, `worker-${offset}`),
          },
          o.cpuProf ? { dir: reportDir, name: `worker-${workers.length}.cpuprofile` } : undefined,
        ),
      );
      offset += count;
    }
    let ready = false;
    // Never rejects: a worker that dies before it is ready shows as the run's end reason below.
    const allReady = Promise.all(workers.map((w) => w.ready())).then(
      () => {
        ready = true;
      },
      () => {},
    );
    const deadline = t0 + o.timeout;
    let died: string | undefined;
    /** Why the run must end now, if it must: a process it started died, Ctrl-C, or --timeout. */
    const stopReason = (): string | undefined => {
      died ??= tgt.died() ?? chronos?.died() ?? workers.map((w) => w.died()).find((d) => d !== undefined);
      if (died) return died;
      if (signal.aborted) return "interrupted";
      return now() >= deadline ? "timeout" : undefined;
    };
    while (!ready && stopReason() === undefined) {
      progress.update(`registering agents: ${registered()}/${o.agents}`);
      await Promise.race([allReady, sleep(TICK_MS)]);
    }
    if (ready) progress.line(`${o.agents} agents registered in ${seconds().toFixed(1)} s`);
    else progress.line(`${stopReason()} with ${registered()}/${o.agents} agents registered`);

    bus = await connectNatsBus({
      servers: tgt.nats.split(","),
      name: "agora-simulate-frameworks",
      logger: silent,
    });
    for (const p of plan) {
      frameworks.push(
        new SimFramework({
          bus,
          cluster,
          plan: p,
          taskCpus: o.taskCpus,
          taskMem: o.taskMem,
          logger: silent,
          now,
          acceptWindow: o.acceptWindow,
        }),
      );
    }
    if (o.marathonApps > 0) {
      marathon = await deployMarathonApps({
        nats: tgt.nats,
        cluster,
        apps: o.marathonApps,
        instances: o.marathonInstances,
        stateDir: path.join(workDir, "marathon"),
      });
    }
    if (o.chronosJobs > 0) {
      chronos = await deployChronosJobs({
        nats: tgt.nats,
        cluster,
        stateDir: path.join(workDir, "chronos"),
        jobs: o.chronosJobs,
        repeats: o.chronosRepeats,
        intervalMs: o.chronosInterval,
        dependents: o.chronosDependents,
        seed: o.seed,
        ...(o.cpuProf ? { cpuProfDir: reportDir } : {}),
      });
    }

    // Without every agent, no workload: the report then shows how registration went.
    if (ready) {
      await Promise.all(frameworks.map((f) => f.start()));
      for (const f of frameworks) f.arm();
    }
    const churned = planChurn(o.agents, o.churn, o.seed);
    let churnDone = churned.length === 0;
    let churning: Promise<void> | undefined;
    let settledAt: number | undefined;
    const launched = () => frameworks.reduce((s, f) => s + f.counts().launched, 0);
    const ranSoFar = () => frameworks.reduce((s, f) => s + f.latencies.length, 0);
    let completed = false;
    while (ready && stopReason() === undefined) {
      if (!churnDone && ranSoFar() >= o.tasks / 3) {
        churnDone = true;
        churning = churn(workers, churned, o.agentsPerWorker, progress);
      }
      // With --hold the run measures a steady state of running tasks; without, it lets every task end,
      // so each update an agent produced can be matched with one a framework received.
      const settled =
        frameworks.every((f) => (o.hold > 0 ? f.settled : f.done)) &&
        (marathon?.settled() ?? true) &&
        (chronos?.settled() ?? true) &&
        churnDone;
      if (settled) settledAt ??= now();
      else settledAt = undefined;
      if (settledAt !== undefined && now() - settledAt >= o.hold) {
        completed = true;
        break;
      }
      const running = frameworks.reduce((s, f) => s + f.runningNow, 0);
      const marathonLine = marathon ? `, marathon ${marathon.running()}/${marathon.wanted}` : "";
      const chronosLine = chronos ? `, chronos runs ${chronos.completed()}/${chronos.expected}` : "";
      progress.update(
        `${seconds().toFixed(0)} s: launched ${launched()}/${o.tasks}, running ${running}, ran ${ranSoFar()}${marathonLine}${chronosLine}`,
      );
      await sleep(TICK_MS);
    }
    await churning;
    const end = now();
    progress.line(
      completed
        ? `workload settled in ${seconds().toFixed(1)} s`
        : `${stopReason() ?? "timeout"} after ${seconds().toFixed(1)} s`,
    );

    // Updates still unacknowledged get a while to drain: at-least-once delivery retries them. Tasks
    // that end meanwhile (under --hold) keep producing updates, which are in flight at any instant:
    // only those produced before the workload settled, given the whole drain, can count as lost.
    const settledAtMs = Date.now();
    let counters = await sumCounters(workers, settledAtMs);
    const drainUntil = now() + DRAIN_TIMEOUT_MS;
    while (counters.overdue > 0 && now() < drainUntil && !signal.aborted && !died) {
      progress.update(`waiting for ${counters.overdue} unacknowledged updates`);
      await sleep(500);
      counters = await sumCounters(workers, settledAtMs);
    }
    sampling = false;
    await Promise.all([sampler, stateProbe.stop()]);
    await sampleOnce();
    counters = await sumCounters(workers, settledAtMs);
    const unacknowledged = await listUnacknowledged(workers, frameworks, settledAtMs, startedAt.getTime());

    const report = buildReport({
      o,
      command,
      t0,
      startedAt,
      durationSec: (end - t0) / 1000,
      completed,
      endReason: completed ? "settled" : (stopReason() ?? "timeout"),
      frameworks,
      counters,
      unacknowledged,
      churned: churned.length,
      samples,
      stateLatencies: stateProbe.latencies,
      stateFirstBytes: stateProbe.firstBytes,
      stateSettledLatencies: sentBetween(
        stateProbe,
        completed && settledAt !== undefined ? settledAt : Number.POSITIVE_INFINITY,
        end,
      ),
      stateBytes: stateProbe.bytes,
      processNice,
      weights,
      marathon: marathon
        ? { apps: o.marathonApps, instances: marathon.wanted, running: marathon.running() }
        : null,
      chronos: chronos ? await chronos.summary() : null,
    });
    await writeFile(path.join(reportDir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(reportDir, "report.html"), renderReport(report));
    return report;
  } finally {
    progress.line("stopping…");
    await stateProbe?.stop();
    // Teardown waits for a master that may be gone: bounded, the processes are stopped next anyway.
    await Promise.race([Promise.allSettled(frameworks.map((f) => f.stop())), sleep(10_000)]);
    await bus?.close().catch(() => {});
    await marathon?.stop();
    await chronos?.stop();
    await Promise.allSettled(workers.map((w) => w.stop()));
    await tgt.stop();
    await rm(workDir, { recursive: true, force: true });
    await selfProfile?.stop(path.join(reportDir, "simulator.cpuprofile"));
  }
}

/** Kills the churned agents in their workers, then starts replacements after a reboot's delay. */
async function churn(
  workers: Worker[],
  agents: number[],
  perWorker: number,
  progress: Progress,
): Promise<void> {
  const byWorker = new Map<number, number[]>();
  for (const a of agents) {
    const { worker, local } = workerOf(a, perWorker);
    byWorker.set(worker, [...(byWorker.get(worker) ?? []), local]);
  }
  progress.line(`churn: killing ${agents.length} agents`);
  await Promise.all([...byWorker].map(([w, locals]) => workers[w]!.kill(locals)));
  await sleep(CHURN_RESTART_DELAY_MS);
  await Promise.all([...byWorker].map(([w, locals]) => workers[w]!.restart(locals)));
  progress.line(`churn: ${agents.length} replacement agents registered`);
}

/**
 * The live agents' updates unacknowledged since before `producedBefore` (what `updatesLost` counts),
 * oldest first, with whether a framework received each.
 */
async function listUnacknowledged(
  workers: Worker[],
  frameworks: SimFramework[],
  producedBefore: number,
  /** The run's start (ms since the epoch): the report's times count seconds from it. */
  origin: number,
): Promise<UnacknowledgedUpdateReport[]> {
  const none: PendingUpdate[] = [];
  const lists = await Promise.all(
    workers.map((w) =>
      Promise.race([
        w.unacknowledged(producedBefore, UNACKNOWLEDGED_LISTED).catch(() => none),
        sleep(10_000).then(() => none),
      ]),
    ),
  );
  const sec = (ms: number) => (ms - origin) / 1000;
  return lists
    .flat()
    .sort((a, b) => a.producedAt - b.producedAt)
    .slice(0, UNACKNOWLEDGED_LISTED)
    .map(({ producedAt, firstSentAt, ...u }) => ({
      ...u,
      producedAtSec: sec(producedAt),
      firstSentAtSec: firstSentAt === null ? null : sec(firstSentAt),
      received: frameworks.some((f) => f.received(u.uuid)),
    }));
}

/** The workers' counters summed; a worker that died (or does not answer in 10 s) counts as zero. */
async function sumCounters(workers: Worker[], producedBefore: number): Promise<WorkerCounters> {
  const zero: WorkerCounters = {
    live: 0,
    produced: 0,
    pending: 0,
    overdue: 0,
    dropped: 0,
    abandoned: 0,
    resent: 0,
    registrations: 0,
  };
  const all = await Promise.all(
    workers.map((w) =>
      Promise.race([w.counters(producedBefore).catch(() => zero), sleep(10_000).then(() => zero)]),
    ),
  );
  const out: WorkerCounters = { ...zero };
  for (const c of all) for (const k of Object.keys(out) as Array<keyof WorkerCounters>) out[k] += c[k];
  return out;
}

interface ReportInput {
  o: SimulateOptions;
  command: string;
  /** The run's start on the frameworks' clock (ms): samples' `t` counts seconds from it. */
  t0: number;
  startedAt: Date;
  durationSec: number;
  completed: boolean;
  endReason: string;
  frameworks: SimFramework[];
  counters: WorkerCounters;
  unacknowledged: UnacknowledgedUpdateReport[];
  churned: number;
  samples: Sample[];
  stateLatencies: number[];
  stateFirstBytes: number[];
  /** Of `stateLatencies`, those sent while the workload stayed settled. */
  stateSettledLatencies: number[];
  stateBytes: number;
  processNice: Record<string, number>;
  weights: Record<string, number>;
  marathon: SimulationReport["marathon"];
  chronos: SimulationReport["chronos"];
}

/** The probe's latencies of requests sent from `from` to `until` (both on `now`'s clock). */
function sentBetween(probe: StateProbe, from: number, until: number): number[] {
  const [start, end] = [from, until].map((ms) => performance.timeOrigin + ms) as [number, number];
  return probe.latencies.filter((_, i) => {
    const sent = probe.sentAt[i]!;
    return sent >= start && sent < end;
  });
}

/** Assembles the report from what the run collected and validates it against its schema. */
function buildReport(r: ReportInput): SimulationReport {
  const counts = r.frameworks.map((f) => f.counts());
  const total = (pick: (c: (typeof counts)[number]) => number) => counts.reduce((s, c) => s + pick(c), 0);
  const latencies = r.frameworks.flatMap((f) => f.latencies);
  const runningAt = r.frameworks.flatMap((f) => f.runningAt).sort((a, b) => a - b);
  const firstAccept = Math.min(...r.frameworks.map((f) => f.firstAcceptAt ?? Number.POSITIVE_INFINITY));
  const lastRunning = runningAt[runningAt.length - 1];
  const list = intervals(r.samples, r.weights);
  const launchWindow =
    lastRunning === undefined || !Number.isFinite(firstAccept)
      ? undefined
      : { from: (firstAccept - r.t0) / 1000, to: (lastRunning - r.t0) / 1000 };
  const cpu = cpuByProcess(r.samples, launchWindow);
  const masterDuringLaunch = cpu.master?.cpuSecondsDuringLaunch;
  const withCpu = r.samples.filter((s) => s.masterCpuSecondsTotal !== null);
  const firstCpu = withCpu[0];
  const lastCpu = withCpu[withCpu.length - 1];
  const rss = r.samples.flatMap((s) => (s.masterRssBytes === null ? [] : [s.masterRssBytes]));
  const runs = r.samples.flatMap((s) => (s.allocationRuns === null ? [] : [s.allocationRuns]));
  const allocSecs = r.samples.flatMap((s) =>
    s.allocationSecondsTotal === null ? [] : [s.allocationSecondsTotal],
  );
  const offers = r.samples.flatMap((s) =>
    s.offersMadeTotal === null ? [] : [[s.t, s.offersMadeTotal] as const],
  );
  const peaks: Record<string, number> = {};
  for (const s of r.samples)
    for (const [c, b] of Object.entries(s.natsPendingBytes)) peaks[c] = Math.max(peaks[c] ?? 0, b);
  const utilisation = list.flatMap((i) => (i.utilisation === null ? [] : [i.utilisation]));
  const lastRuns = runs[runs.length - 1] ?? 0;
  const report: SimulationReport = {
    version: 1,
    startedAt: r.startedAt.toISOString(),
    command: r.command,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAvg: os.loadavg(),
    },
    completed: r.completed,
    endReason: r.endReason,
    durationSec: r.durationSec,
    agents: r.o.agents,
    agentsChurned: r.churned,
    ghostAgents: (() => {
      const active = r.samples[r.samples.length - 1]?.masterAgentsActive;
      return active === null || active === undefined ? null : Math.max(0, active - r.counters.live);
    })(),
    tasksPlanned: r.o.tasks,
    tasksLaunched: total((c) => c.launched),
    tasksRunning: total((c) => c.running),
    tasksFinished: total((c) => c.finished),
    tasksFailed: total((c) => c.failed),
    tasksKilled: total((c) => c.killed),
    tasksLost: total((c) => c.lost + c.errored),
    tasksStuck: r.frameworks.reduce((s, f) => s + f.unsettled(), 0),
    updatesProduced: r.counters.produced,
    updatesReceived: total((c) => c.updatesReceived),
    updatesLost: r.counters.overdue,
    updatesInFlight: r.counters.pending - r.counters.overdue,
    updatesDropped: r.counters.dropped,
    updatesAbandoned: r.counters.abandoned,
    updatesResent: r.counters.resent,
    updatesDuplicated: r.frameworks.reduce((n, f) => n + f.scheduler.stats.duplicatesSuppressed, 0),
    unacknowledgedUpdates: r.unacknowledged,
    launchThroughputPerSec:
      lastRunning === undefined || !Number.isFinite(firstAccept) || lastRunning <= firstAccept
        ? 0
        : runningAt.length / ((lastRunning - firstAccept) / 1000),
    peakThroughputPerSec10s: peakRate(runningAt, 10_000),
    bestThroughputPerSec60s: peakRate(runningAt, 60_000),
    launchLatencyMs: percentiles(latencies),
    stateLatencyMs: percentiles(r.stateLatencies),
    stateFirstByteMs: percentiles(r.stateFirstBytes),
    stateLatencyMsSettled: percentiles(r.stateSettledLatencies),
    stateBytes: r.stateBytes,
    masterPeakRssBytes: rss.length === 0 ? null : Math.max(...rss),
    masterCpuPercentMean:
      firstCpu && lastCpu && lastCpu.t > firstCpu.t
        ? ((lastCpu.masterCpuSecondsTotal! - firstCpu.masterCpuSecondsTotal!) / (lastCpu.t - firstCpu.t)) *
          100
        : null,
    processCpu: cpu,
    processNice: r.processNice,
    masterCpuMsPerTask:
      masterDuringLaunch === null || masterDuringLaunch === undefined || runningAt.length === 0
        ? null
        : (masterDuringLaunch * 1000) / runningAt.length,
    allocationCycleMs: {
      mean:
        runs.length >= 2 && lastRuns > runs[0]!
          ? ((allocSecs[allocSecs.length - 1]! - allocSecs[0]!) * 1000) / (lastRuns - runs[0]!)
          : null,
      runs: lastRuns,
    },
    offersPerSecMean:
      offers.length >= 2 && offers[offers.length - 1]![0] > offers[0]![0]
        ? (offers[offers.length - 1]![1] - offers[0]![1]) / (offers[offers.length - 1]![0] - offers[0]![0])
        : null,
    utilisationPeak: utilisation.length === 0 ? null : Math.max(...utilisation),
    natsPendingBytesPeak: peaks,
    fairness: fairness(list, [...new Set(r.o.frameworks.map((f) => f.role))]),
    frameworks: counts.map((c) => ({
      name: c.name,
      role: c.role,
      weight: r.weights[c.role] ?? 1,
      planned: c.planned,
      launched: c.launched,
      running: c.running,
      finished: c.finished,
      failed: c.failed,
      killed: c.killed,
      errored: c.errored,
      lost: c.lost,
      updatesReceived: c.updatesReceived,
      offers: c.offers,
      declined: c.declined,
      acceptsInFlightPeak: c.acceptsInFlightPeak,
    })),
    marathon: r.marathon,
    chronos: r.chronos,
    samples: r.samples,
    intervals: list,
  };
  return SimulationReportSchema.parse(report);
}
