import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SimulationReport } from "@agora/cli";

/**
 * `BENCH=simulate npm run bench`: the full-size `agora simulate` run (issue 14), through the built
 * CLI (`npx tsc -b` first): a real master and nats-server, SIMULATE_AGENTS simulated agents (default
 * 10,000) and SIMULATE_TASKS tasks (default 100,000) kept running for SIMULATE_HOLD after the last one
 * started, with the master's CPU profile. The report (JSON, HTML with plots, .cpuprofile) goes to
 * bench/results/simulate/; the table gives the figures BENCHMARKS.md records.
 */
const root = path.resolve(import.meta.dirname, "..");
const agents = process.env.SIMULATE_AGENTS ?? "10000";
const tasks = process.env.SIMULATE_TASKS ?? "100000";
const hold = process.env.SIMULATE_HOLD ?? "60secs";
const timeout = process.env.SIMULATE_TIMEOUT ?? "30mins";

export default async function simulateBench(): Promise<string> {
  const dir = path.join(root, "bench/results/simulate");
  mkdirSync(dir, { recursive: true });
  const args = [
    path.join(root, "packages/cli/bin/agora.js"),
    "simulate",
    "--agents",
    agents,
    "--tasks",
    tasks,
    // 16 half-cpu slots per agent: 100,000 tasks fit on 10,000 agents with room to spare.
    "--task-cpus",
    "0.5",
    "--task-mem",
    "64",
    // Tasks run longer than the run: the hold measures a steady state of running tasks.
    "--task-run-time",
    "3h",
    "--failure-rate",
    "0",
    "--hold",
    hold,
    "--timeout",
    timeout,
    "--master-cpu-prof",
    "--report",
    dir,
  ];
  const loadBefore = os.loadavg();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
  const [code] = (await once(child, "exit")) as [number | null];
  const r = SimulationReport.parse(JSON.parse(readFileSync(path.join(dir, "report.json"), "utf8")));
  writeFileSync(
    path.join(root, "bench/results/simulate.json"),
    `${JSON.stringify({ ...r, samples: undefined, intervals: undefined }, null, 2)}\n`,
  );
  const mib = (b: number | null) => (b === null ? "n/a" : `${(b / 2 ** 20).toFixed(0)} MiB`);
  const rows: Array<[string, string]> = [
    ["exit code / end", `${code} / ${r.endReason}`],
    [
      "load average before / after",
      `${loadBefore.map((l) => l.toFixed(1)).join(" ")} / ${r.machine.loadAvg.map((l) => l.toFixed(1)).join(" ")}`,
    ],
    ["agents (ghosts)", `${r.agents} (${r.ghostAgents ?? "n/a"})`],
    [
      "tasks launched / running / lost / stuck",
      `${r.tasksLaunched} / ${r.tasksRunning} / ${r.tasksLost} / ${r.tasksStuck}`,
    ],
    [
      "launch throughput, whole run / best 10 s",
      `${r.launchThroughputPerSec.toFixed(0)} / ${r.peakThroughputPerSec10s.toFixed(0)} tasks/s`,
    ],
    [
      "accept → RUNNING p50 / p99",
      `${r.launchLatencyMs.p50.toFixed(0)} / ${r.launchLatencyMs.p99.toFixed(0)} ms`,
    ],
    [
      "/master/state p50 / p99 (size)",
      `${r.stateLatencyMs.p50.toFixed(0)} / ${r.stateLatencyMs.p99.toFixed(0)} ms (${mib(r.stateBytes)})`,
    ],
    [
      "/master/state once settled p50 / p99 (requests)",
      `${r.stateLatencyMsSettled.p50.toFixed(0)} / ${r.stateLatencyMsSettled.p99.toFixed(0)} ms (${r.stateLatencyMsSettled.samples})`,
    ],
    ["master peak RSS", mib(r.masterPeakRssBytes)],
    ["master CPU, mean", r.masterCpuPercentMean === null ? "n/a" : `${r.masterCpuPercentMean.toFixed(0)} %`],
    [
      "allocation cycle mean (runs)",
      `${r.allocationCycleMs.mean?.toFixed(1) ?? "n/a"} ms (${r.allocationCycleMs.runs})`,
    ],
    ["updates produced / received / lost", `${r.updatesProduced} / ${r.updatesReceived} / ${r.updatesLost}`],
    [
      "NATS bytes pending, peak per connection",
      Object.entries(r.natsPendingBytesPeak)
        .map(([c, b]) => `${c} ${b}`)
        .join(", "),
    ],
    ["duration", `${r.durationSec.toFixed(0)} s`],
  ];
  return ["| what | value |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
}
