import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MarathonEvent } from "@agora/marathon";
import { AppDefinition, type Group, MarathonRuntime } from "@agora/marathon/internal";
import { FileStateStore, JetStreamStateStore, type NatsBus, type StateStore } from "@agora/transport";
import { pino } from "pino";
import { inProcess, overNats, type Topology } from "./launch.js";
import { machine } from "./machine.js";
import { withNatsServer } from "./nats.js";
import { nowMs } from "./stats.js";

/**
 * Marathon scaling one app from 0 to MARATHON_INSTANCES (default 1,000) instances on no-op agents:
 * the time from the scale request to every instance RUNNING (and to `deployment_success`), in dev
 * mode (one process, in-process bus, Marathon's state in a file store) and over a real nats-server
 * (`agora master` process, agents in a process of their own, Marathon here with its state in
 * JetStream KV). MARATHON_SCENARIOS=dev,nats picks scenarios.
 */
const instances = Number(process.env.MARATHON_INSTANCES ?? 1000);
const agents = Number(process.env.MARATHON_AGENTS ?? 10);
const silent = pino({ level: "silent" });

interface ScaleResult {
  scenario: string;
  instances: number;
  agents: number;
  allRunningMs: number;
  deploymentSuccessMs: number;
  instancesPerSecond: number;
}

async function scaleOnce(topology: Topology, scenario: string): Promise<ScaleResult> {
  const master = await topology.startMaster(100);
  const agentSet = await topology.startAgents(
    agents,
    `cpus:${Math.ceil((instances * 0.01) / agents) + 4};mem:${Math.ceil((instances * 16) / agents) + 1024};ports:[20000-29999]`,
    "noop-service",
  );
  const bus = await topology.frameworkBus();
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-bench-marathon-"));
  const store: StateStore = topology.name.startsWith("over NATS")
    ? await JetStreamStateStore.open((bus as NatsBus).connection, { bucket: "agora_bench_marathon" })
    : await FileStateStore.open(dir);
  const runtime = new MarathonRuntime({ bus, store, logger: silent });
  try {
    await runtime.start();
    const app = AppDefinition.parse({ id: "/bench", cmd: "sleep 1000", cpus: 0.01, mem: 16, instances: 0 });
    const created = await runtime.deploy(rootWith(app), { force: false });
    await untilEvent(runtime, (e) => e.eventType === "deployment_success" && e.id === created.id);

    let running = 0;
    let allRunning = 0;
    const start = nowMs();
    const done = new Promise<void>((resolve) => {
      runtime.onEvent((e) => {
        if (e.eventType !== "status_update_event" || e.taskStatus !== "TASK_RUNNING") return;
        running++;
        if (running === instances) {
          allRunning = nowMs() - start;
          resolve();
        }
      });
    });
    const scaled = await runtime.deploy(rootWith({ ...app, instances }), { force: false });
    await done;
    await untilEvent(runtime, (e) => e.eventType === "deployment_success" && e.id === scaled.id);
    const success = nowMs() - start;
    return {
      scenario,
      instances,
      agents,
      allRunningMs: Math.round(allRunning),
      deploymentSuccessMs: Math.round(success),
      instancesPerSecond: Math.round((instances / allRunning) * 1000),
    };
  } finally {
    await runtime.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await agentSet.stop();
    await master.stop();
    await topology.close();
  }
}

/** A root group holding only `app`, stamped with a new version (what a REST write would deploy). */
function rootWith(app: AppDefinition): Group {
  const version = new Date().toISOString();
  const stamped = { ...app, version, versionInfo: { lastScalingAt: version, lastConfigChangeAt: version } };
  return { id: "/", apps: [stamped], groups: [], dependencies: [], version };
}

function untilEvent(runtime: MarathonRuntime, match: (e: MarathonEvent) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = runtime.onEvent((e) => {
      if (match(e)) {
        off();
        resolve();
      }
    });
  });
}

/** Writes bench/results/marathon-scale.json and returns its Markdown table. */
export default async function marathonScaleBench(): Promise<string> {
  const results: ScaleResult[] = [];
  // Every timer of the in-process roles is unref'd: keep the process alive while a scenario waits.
  const keepAlive = setInterval(() => {}, 1000);
  const run = async (p: Promise<ScaleResult>) => {
    const r = await p;
    process.stderr.write(`${r.scenario}: all RUNNING in ${r.allRunningMs} ms\n`);
    results.push(r);
  };
  const only = process.env.MARATHON_SCENARIOS?.split(",");
  if (!only || only.includes("dev")) await run(scaleOnce(inProcess(), `dev mode, ${agents} no-op agents`));
  if (!only || only.includes("nats"))
    await withNatsServer((url, port) =>
      run(scaleOnce(overNats(url, port), `over NATS, ${agents} no-op agents`)),
    );

  clearInterval(keepAlive);
  const dir = path.resolve(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "marathon-scale.json"),
    `${JSON.stringify({ machine: machine(), command: "BENCH=marathon-scale npm run bench", results }, null, 2)}\n`,
  );
  return [
    "| scenario | instances | scale request → all RUNNING | → deployment_success | instances/s |",
    "|---|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.instances} | ${r.allRunningMs} ms | ${r.deploymentSuccessMs} ms | ${r.instancesPerSecond} |`,
    ),
  ].join("\n");
}
