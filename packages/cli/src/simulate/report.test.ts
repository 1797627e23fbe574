import { describe, expect, it } from "vitest";
import { renderReport } from "./html.js";
import { parsePrometheus, promByLabel, promSum } from "./prometheus.js";
import {
  cpuByProcess,
  fairness,
  intervals,
  jain,
  peakRate,
  percentiles,
  type Sample,
  SimulationReport,
} from "./report.js";

const sample = (t: number, over: Partial<Sample> = {}): Sample => ({
  t,
  agentsRegistered: 10,
  masterAgentsActive: 10,
  launched: 0,
  ran: 0,
  running: 0,
  ended: 0,
  pendingByRole: { web: 1, batch: 1 },
  allocationRuns: 0,
  allocationSecondsTotal: 0,
  offersMadeTotal: 0,
  outstandingOffers: 0,
  roleShares: {},
  cpusUsed: 0,
  cpusTotal: 100,
  masterRssBytes: 1,
  masterCpuSecondsTotal: 0,
  processCpuSeconds: {},
  natsPendingBytes: {},
  ...over,
});

describe("report arithmetic", () => {
  it("percentiles are nearest-rank", () => {
    const p = percentiles(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(p).toEqual({ p50: 50, p99: 99, max: 100, samples: 100 });
    expect(percentiles([])).toEqual({ p50: 0, p99: 0, max: 0, samples: 0 });
  });

  it("Jain's index is 1 for equal shares and 1/n when one has everything", () => {
    expect(jain([0.3, 0.3, 0.3])).toBeCloseTo(1);
    expect(jain([1, 0, 0, 0])).toBeCloseTo(0.25);
  });

  it("peakRate finds the densest window", () => {
    const times = [0, 10, 20, 30, 5000, 5001];
    expect(peakRate(times, 100)).toBe(40);
    expect(peakRate([0, 1000], 10_000)).toBe(2);
  });

  it("intervals turn cumulative counters into rates and divide shares by weights", () => {
    const list = intervals(
      [
        sample(0),
        sample(2, {
          ran: 100,
          allocationRuns: 4,
          allocationSecondsTotal: 0.2,
          offersMadeTotal: 50,
          masterCpuSecondsTotal: 1,
          cpusUsed: 95,
          roleShares: { web: 0.6, batch: 0.3 },
        }),
      ],
      { web: 2, batch: 1 },
    );
    expect(list).toHaveLength(1);
    const i = list[0]!;
    expect(i.allocationCycleMs).toBeCloseTo(50);
    expect(i.offersPerSec).toBe(25);
    expect(i.tasksRunningPerSec).toBe(50);
    expect(i.masterCpuPercent).toBe(50);
    expect(i.weightedShares).toEqual({ web: 0.3, batch: 0.3 });
    expect(i.contended).toBe(true);
    expect(fairness(list, ["web", "batch"])).toEqual({ minJain: 1, meanJain: 1, samples: 1 });
  });

  it("CPU by process: totals, means, per-interval percentages and the launch window interpolated", () => {
    const samples = [
      sample(0, { processCpuSeconds: { master: 0, "nats-server": 1 } }),
      sample(2, { processCpuSeconds: { master: 1, "nats-server": 1.5 } }),
      sample(4, { processCpuSeconds: { master: 3, "nats-server": 2, simulator: 0.5 } }),
    ];
    const cpu = cpuByProcess(samples, { from: 1, to: 3 });
    expect(cpu.master).toEqual({ cpuSecondsTotal: 3, cpuPercentMean: 75, cpuSecondsDuringLaunch: 1.5 });
    expect(cpu["nats-server"]).toEqual({
      cpuSecondsTotal: 1,
      cpuPercentMean: 25,
      cpuSecondsDuringLaunch: 0.5,
    });
    // A process seen once (started late): no span to rate it over.
    expect(cpu.simulator).toEqual({ cpuSecondsTotal: 0, cpuPercentMean: 0, cpuSecondsDuringLaunch: 0 });
    expect(cpuByProcess(samples, undefined).master?.cpuSecondsDuringLaunch).toBeNull();
    const list = intervals(samples, {});
    expect(list[1]!.processCpuPercent).toEqual({ master: 100, "nats-server": 25 });
  });

  it("fairness ignores intervals where a role has nothing left to launch or the cluster is not full", () => {
    const list = intervals(
      [
        sample(0),
        sample(1, { cpusUsed: 100, roleShares: { web: 1, batch: 0 }, pendingByRole: { web: 0, batch: 5 } }),
        sample(2, { cpusUsed: 10, roleShares: { web: 0.1, batch: 0 } }),
      ],
      { web: 1, batch: 1 },
    );
    expect(fairness(list, ["web", "batch"])).toEqual({ minJain: null, meanJain: null, samples: 0 });
  });
});

describe("prometheus", () => {
  it("reads samples with labels, sums and groups them", () => {
    const text = [
      "# HELP agora_master_offers_made_total Offers",
      "# TYPE agora_master_offers_made_total counter",
      'agora_master_offers_made_total{role="web"} 3',
      'agora_master_offers_made_total{role="batch"} 4',
      'agora_master_resources_used{resource="cpus"} 12.5',
      'agora_master_role_dominant_share{role="eng/web"} 0.25',
      "agora_master_allocation_run_seconds_count 7",
      "garbage line",
    ].join("\n");
    const m = parsePrometheus(text);
    expect(promSum(m, "agora_master_offers_made_total")).toBe(7);
    expect(promSum(m, "agora_master_resources_used", { resource: "cpus" })).toBe(12.5);
    expect(promSum(m, "agora_master_allocation_run_seconds_count")).toBe(7);
    expect(promByLabel(m, "agora_master_role_dominant_share", "role")).toEqual({ "eng/web": 0.25 });
    expect(promSum(m, "absent")).toBe(0);
  });
});

describe("renderReport", () => {
  it("draws every chart inline and escapes what it prints", () => {
    const samples = [
      sample(0, { processCpuSeconds: { master: 0 } }),
      sample(1, { ran: 5, roleShares: { web: 0.5 }, processCpuSeconds: { master: 0.5 } }),
    ];
    const report = SimulationReport.parse({
      version: 1,
      startedAt: new Date(0).toISOString(),
      command: "agora simulate --frameworks <x>",
      machine: { cpus: 2, cpuModel: "cpu", memGiB: 1, loadAvg: [0, 0, 0] },
      completed: true,
      endReason: "settled",
      durationSec: 1,
      agents: 10,
      agentsChurned: 0,
      ghostAgents: 0,
      tasksPlanned: 5,
      tasksLaunched: 5,
      tasksRunning: 0,
      tasksFinished: 5,
      tasksFailed: 0,
      tasksKilled: 0,
      tasksLost: 0,
      tasksStuck: 0,
      updatesProduced: 10,
      updatesReceived: 10,
      updatesLost: 0,
      updatesInFlight: 0,
      updatesDropped: 0,
      updatesAbandoned: 0,
      updatesResent: 0,
      updatesDuplicated: 0,
      unacknowledgedUpdates: [],
      launchThroughputPerSec: 5,
      peakThroughputPerSec10s: 5,
      bestThroughputPerSec60s: 5,
      launchLatencyMs: percentiles([1, 2]),
      stateLatencyMs: percentiles([3]),
      stateFirstByteMs: percentiles([2]),
      stateLatencyMsSettled: percentiles([3]),
      stateBytes: 100,
      masterPeakRssBytes: 1,
      masterCpuPercentMean: 1,
      processCpu: cpuByProcess(samples, { from: 0, to: 1 }),
      processNice: { master: 0 },
      masterCpuMsPerTask: 0.2,
      allocationCycleMs: { mean: 1, runs: 1 },
      offersPerSecMean: 1,
      utilisationPeak: 0.5,
      natsPendingBytesPeak: {},
      fairness: { minJain: null, meanJain: null, samples: 0 },
      frameworks: [],
      marathon: null,
      chronos: null,
      samples,
      intervals: intervals(samples, { web: 1 }),
    });
    const html = renderReport(report);
    expect(html).toContain("agora simulate --frameworks &#60;x&#62;");
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(5);
    expect(html).toContain("5000 tasks/s");
    expect(html).toContain("<td>master</td><td>0</td>");
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).not.toContain("lost update");

    const lost = {
      agentId: "a-S1",
      frameworkId: "f",
      taskId: "sim-batch-0",
      state: "TASK_RUNNING",
      uuid: "45548de5-359f-44c1-973c-0d3b40e446e5",
      producedAtSec: 12.8,
      firstSentAtSec: 12.8,
      sends: 5,
      position: 0,
      received: true,
    };
    const withLost = renderReport({ ...report, updatesLost: 1, unacknowledgedUpdates: [lost] });
    expect(withLost).toContain("<td>sim-batch-0</td><td>TASK_RUNNING</td>");
    expect(withLost).toContain("<td>12.8</td><td>12.8</td><td>5</td><td>0</td><td>yes</td>");
  });
});
