import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  inProcess,
  inProcessCheckpointing,
  type LaunchResult,
  launchBurst,
  launchSequential,
  overNats,
  overNatsAgentProcess,
  rawSpawn,
  type Topology,
} from "./launch.js";
import { machine } from "./machine.js";
import { withNatsServer } from "./nats.js";
import { mergeByScenario } from "./results-merge.js";

/**
 * The launch path in dev mode and over a real nats-server, with no-op and shell executors, beside a
 * raw spawn. LAUNCH_TASKS (default 20000) and LAUNCH_AGENTS (default 50) size the no-op bursts,
 * LAUNCH_SEQUENTIAL (default 200) the one-at-a-time runs, LAUNCH_COMMAND what those run (default `true`);
 * LAUNCH_SCENARIOS (comma-separated keys of `scenarios`: raw-spawn, dev-shell-seq,
 * dev-shell-seq-checkpoint, nats-shell-seq, nats-shell-seq-agent, dev-shell-burst, dev-noop, nats-noop)
 * runs a subset.
 */
const tasks = Number(process.env.LAUNCH_TASKS ?? 20_000);
const agents = Number(process.env.LAUNCH_AGENTS ?? 50);
const sequential = Number(process.env.LAUNCH_SEQUENTIAL ?? 200);
/**
 * What each one-at-a-time task runs (LAUNCH_COMMAND, default `true`): a command that lasts (`sleep
 * 0.05`) shows when the command itself started, in accept→end, without its exit racing the agent's
 * work after a launch.
 */
const sequentialCommand = process.env.LAUNCH_COMMAND ?? "true";

function log(r: LaunchResult): void {
  const between = r.rawSpawnBetween
    ? `; raw spawns between p50 ${r.rawSpawnBetween.p50Ms} ms, p99 ${r.rawSpawnBetween.p99Ms} ms`
    : "";
  process.stderr.write(
    `${r.scenario}: ${r.tasksPerSecond} tasks/s, p50 ${r.acceptToRunning.p50Ms} ms, p99 ${r.acceptToRunning.p99Ms} ms${between}\n`,
  );
}

/** The launch path: writes bench/results/launch.json and returns its Markdown table. */
export default async function launchBench(): Promise<string> {
  const results: LaunchResult[] = [];
  const run = async (p: Promise<LaunchResult>) => {
    const r = await p;
    log(r);
    results.push(r);
  };
  const burst = (topology: () => Topology, o: Omit<Parameters<typeof launchBurst>[1], "command">) => () =>
    run(launchBurst(topology(), { ...o, command: "true" }));
  const oneAtATime = (topology: () => Topology, scenario: string) => () =>
    run(launchSequential(topology(), { tasks: sequential, command: sequentialCommand, scenario }));
  // fork() costs more as the forking process' heap grows, so the scenarios that spawn processes run
  // first, before the 20,000-task bursts have grown this one.
  const scenarios: Record<string, () => Promise<void>> = {
    "raw-spawn": () => run(rawSpawn({ count: sequential, command: "true" })),
    "dev-shell-seq": oneAtATime(inProcess, "dev mode, shell executor, one task at a time"),
    "dev-shell-seq-checkpoint": oneAtATime(
      inProcessCheckpointing,
      "dev mode, shell executor, one task at a time, checkpointing agent on disk",
    ),
    "nats-shell-seq": () =>
      withNatsServer((url, port) =>
        oneAtATime(() => overNats(url, port), "over NATS, shell executor, one task at a time")(),
      ),
    "nats-shell-seq-agent": () =>
      withNatsServer((url, port) =>
        oneAtATime(
          () => overNatsAgentProcess(url, port),
          "over NATS, agora agent process (checkpointing, cgroups), one task at a time",
        )(),
      ),
    "dev-shell-burst": burst(inProcess, {
      agents: 1,
      tasks: 500,
      executor: "shell",
      scenario: "dev mode, shell executor, 500-task burst",
    }),
    "dev-noop": burst(inProcess, {
      agents,
      tasks,
      executor: "noop",
      scenario: `dev mode, no-op executor, ${agents} agents`,
    }),
    "nats-noop": () =>
      withNatsServer((url, port) =>
        burst(() => overNats(url, port), {
          agents,
          tasks,
          executor: "noop",
          scenario: `over NATS, no-op executor, ${agents} agents`,
        })(),
      ),
  };
  const only = process.env.LAUNCH_SCENARIOS?.split(",");
  for (const [name, scenario] of Object.entries(scenarios))
    if (!only || only.includes(name)) await scenario();

  const command = `BENCH=launch${only ? ` LAUNCH_SCENARIOS=${only.join(",")}` : ""} npm run bench`;
  const dir = path.resolve(import.meta.dirname, "results");
  const file = path.join(dir, "launch.json");
  mkdirSync(dir, { recursive: true });
  const out = mergeByScenario(readJsonOrUndefined(file), { machine: machine(), command, results });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);

  const raw = results.find((r) => r.scenario.startsWith("raw spawn"));
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const lines = [
    "| scenario | tasks | tasks/s | accept→RUNNING p50 | p99 | max |",
    "|---|---:|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.tasks} | ${r.tasksPerSecond} | ${r.acceptToRunning.p50Ms} ms | ${r.acceptToRunning.p99Ms} ms | ${r.acceptToRunning.maxMs} ms |`,
    ),
    "",
    // Against the raw spawns made between the launches (same load), and the raw-spawn scenario's.
    ...results
      .filter((r) => r.rawSpawnBetween)
      .map((r) => {
        const p50 = r.acceptToRunning.p50Ms;
        const between = r.rawSpawnBetween!.p50Ms;
        const scenario = raw
          ? `; raw-spawn scenario p50 ${ms(raw.acceptToRunning.p50Ms)}: ${(p50 / raw.acceptToRunning.p50Ms).toFixed(2)}×`
          : "";
        const sandboxed = r.rawSpawnIntoSandboxBetween
          ? `; raw spawns into a sandbox on the agent's disk p50 ${ms(r.rawSpawnIntoSandboxBetween.p50Ms)}: ${(p50 / r.rawSpawnIntoSandboxBetween.p50Ms).toFixed(2)}×`
          : "";
        const bus = r.busRoundTripsBetween
          ? `; raw spawn + two NATS round trips between (the bus's share) p50 ${ms(between + r.busRoundTripsBetween.p50Ms)}: ${(p50 / (between + r.busRoundTripsBetween.p50Ms)).toFixed(2)}×`
          : "";
        const ended = r.acceptToEnd ? `; accept→end (the command ran) p50 ${ms(r.acceptToEnd.p50Ms)}` : "";
        return `${r.scenario}: accept→RUNNING p50 ${ms(p50)}${ended}; raw spawns between the launches p50 ${ms(between)}, p99 ${ms(r.rawSpawnBetween!.p99Ms)}: ${(p50 / between).toFixed(2)}× (target ≤ 2×)${scenario}${sandboxed}${bus}`;
      }),
  ];
  return lines.join("\n");
}

function readJsonOrUndefined(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
