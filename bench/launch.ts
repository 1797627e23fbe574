import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { packTasks, Scheduler, type TaskSpec } from "@agora/framework-sdk";
import { Master } from "@agora/master";
import { isTerminalState, type Offer, type TaskStatus } from "@agora/protocol";
import { type Bus, connectNatsBus, InProcessBus, MemoryStateStore } from "@agora/transport";
import { pino } from "pino";
import { freePort } from "../test/harness/ports.js";
import { type ExecutorKind, startAgents } from "./agents.js";
import { type LatencySummary, nowMs, summarize } from "./stats.js";

const silent = pino({ level: "silent" });

export interface LaunchResult {
  scenario: string;
  tasks: number;
  agents: number;
  tasksPerSecond: number;
  acceptToRunning: LatencySummary;
  /**
   * One-at-a-time scenarios: a raw spawn from this process after each launched task ended, so the
   * anchor is measured under the same load as the launches (on a shared machine the load changes
   * within a run).
   */
  rawSpawnBetween?: LatencySummary;
  /**
   * One-at-a-time scenarios: accept → the task's terminal update, its command (`true` by default) having run
   * and exited. Work done ahead of a launch (a ready shell's fork) leaves accept → RUNNING; this
   * shows whether the command itself ran sooner too.
   */
  acceptToEnd?: LatencySummary;
  /**
   * With a topology whose agent keeps its sandboxes on a disk (`sandboxRoot`): after each raw spawn
   * between the launches, one more made the way a task starts there, its output into `stdout` and
   * `stderr` files of a new directory on that disk: the disk's share of a launch, which a raw spawn
   * alone does not pay.
   */
  rawSpawnIntoSandboxBetween?: LatencySummary;
  /**
   * Over NATS: after the raw spawns between the launches, two request/reply round trips between this
   * process and another Node process through the same nats-server (800-byte messages): the four
   * one-way hops a launch makes (framework → master → agent → master → framework) with nothing done
   * at either end, waking processes that waited as the master and the agent do.
   */
  busRoundTripsBetween?: LatencySummary;
}

/** Where the master and the agents run, and the bus the framework uses. */
export interface Topology {
  name: string;
  /** Starts a master whose allocation cycle runs every `allocationIntervalMs`. */
  startMaster(allocationIntervalMs: number): Promise<Stoppable>;
  startAgents(count: number, resources: string, kind: ExecutorKind): Promise<Stoppable>;
  frameworkBus(): Promise<Bus>;
  close(): Promise<void>;
  /** Where its agent makes its tasks' sandboxes, when they are files of this machine's (its work directory). */
  sandboxRoot?: string;
  /** The nats-server its roles talk through, when they do. */
  natsUrl?: string;
}

interface Stoppable {
  stop(): Promise<void>;
}

/** Dev mode: master, agents and framework in this process on one in-process bus. */
export function inProcess(): Topology & { bus: InProcessBus } {
  const bus = new InProcessBus();
  return {
    bus,
    name: "dev mode (in-process bus)",
    async startMaster(allocationIntervalMs) {
      const master = new Master({ bus, store: new MemoryStateStore(), logger: silent, allocationIntervalMs });
      await master.start({ httpPort: 5050 });
      return master;
    },
    startAgents: (count, resources, kind) => startAgents(bus, count, resources, kind),
    frameworkBus: async () => bus,
    close: () => bus.close(),
  };
}

/**
 * Dev mode with agents as `agora agent` runs them: checkpointing (each task and each status update
 * made durable before its RUNNING is reported), their work directory on disk (the OS temporary
 * directory, or BENCH_DISK_DIR), not tmpfs, so the fsyncs cost what they cost on this machine.
 */
export function inProcessCheckpointing(): Topology {
  const topology = inProcess();
  const bus = topology.bus;
  return {
    ...topology,
    name: "dev mode, checkpointing agents on disk",
    startAgents: (count, resources, kind) =>
      startAgents(bus, count, resources, kind, {
        workRoot: process.env.BENCH_DISK_DIR || os.tmpdir(),
        checkpoint: true,
      }),
  };
}

/**
 * Cluster mode: the real `agora master` process (registry in JetStream KV), the agents in a process
 * of their own and the framework in this one, each on its own NATS connection: every message
 * crosses nats-server and each role has its own event loop, as in production.
 */
export function overNats(url: string, masterPort: number): Topology {
  const opened: Bus[] = [];
  return {
    name: "over NATS",
    natsUrl: url,
    async startMaster(allocationIntervalMs) {
      const bin = path.join(root, "packages/cli/bin/agora.js");
      const args = ["master", "--nats", url, "--host", "127.0.0.1", "--port", String(masterPort)];
      const child = spawnGroup(process.execPath, [
        bin,
        ...args,
        "--allocation-interval",
        `${allocationIntervalMs}ms`,
      ]);
      await healthy(masterPort);
      return child;
    },
    async startAgents(count, resources, kind) {
      const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
      const child = spawnGroup(process.execPath, [
        tsx,
        "--conditions=source",
        path.join(root, "bench/agent-host.ts"),
        url,
        String(count),
        resources,
        kind,
      ]);
      await ready(child.process, "agent host");
      return child;
    },
    async frameworkBus() {
      const b = await connectNatsBus({ servers: url, logger: silent });
      opened.push(b);
      return b;
    },
    close: async () => {
      for (const b of opened) await b.close();
    },
  };
}

/**
 * Cluster mode as `agora agent` runs: like `overNats`, but the one agent is a real `agora agent`
 * process, which checkpoints each task before its RUNNING leaves (work directory in the OS temporary
 * directory, or BENCH_DISK_DIR) and puts each task in a cgroup of its own when the host has them.
 * The benchmark's agent host above does neither: this is the launch path a cluster's users get.
 */
export function overNatsAgentProcess(url: string, masterPort: number): Topology {
  const topology = overNats(url, masterPort);
  const sandboxRoot = process.env.BENCH_DISK_DIR || os.tmpdir();
  return {
    ...topology,
    name: "over NATS, agora agent process",
    sandboxRoot,
    async startAgents(count, resources, kind) {
      if (count !== 1 || kind !== "shell") throw new Error("overNatsAgentProcess runs one shell agent");
      const workDir = mkdtempSync(path.join(sandboxRoot, "agora-bench-agent-"));
      const port = await freePort();
      const bin = path.join(root, "packages/cli/bin/agora.js");
      const child = spawnGroup(process.execPath, [
        bin,
        "agent",
        "--nats",
        url,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--work-dir",
        workDir,
        "--resources",
        resources,
      ]);
      await healthy(port);
      return {
        async stop() {
          await child.stop();
          rmSync(workDir, { recursive: true, force: true });
        },
      };
    },
  };
}

const root = path.resolve(import.meta.dirname, "..");

/** Waits (up to 10 s) until an Agora process answers `/health` on `port`. */
async function healthy(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A child in its own process group, stopped with SIGTERM to the group. */
function spawnGroup(command: string, args: string[]) {
  const child = spawn(command, args, {
    // The repository's root: the echo process resolves Agora's packages from there.
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
    env: { ...process.env, AGORA_LOG_LEVEL: "warn" },
  });
  return {
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, "SIGTERM");
      await once(child, "exit");
    },
  };
}

/** Resolves once `child` writes "ready" to its stdout; rejects if it exits first. */
function ready(child: ChildProcess, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

interface Cluster {
  scheduler: Scheduler;
  stop(): Promise<void>;
}

async function startCluster(
  topology: Topology,
  agentCount: number,
  resources: string,
  kind: ExecutorKind,
  allocationIntervalMs: number,
): Promise<Cluster> {
  const master = await topology.startMaster(allocationIntervalMs);
  const agents = await topology.startAgents(agentCount, resources, kind);
  const scheduler = new Scheduler({
    bus: await topology.frameworkBus(),
    framework: { name: "bench" },
    logger: silent,
  });
  return {
    scheduler,
    async stop() {
      await scheduler.teardown().catch(() => {});
      await scheduler.close();
      await agents.stop();
      await master.stop();
      await topology.close();
    },
  };
}

/** Waits for offers until every agent has offered once (the first allocation cycle covers them all). */
async function collectOffers(stream: AsyncIterable<Offer[]>, agents: number): Promise<Offer[]> {
  const offers = new Map<string, Offer>();
  for await (const batch of stream) {
    for (const o of batch) offers.set(o.agentId, o);
    if (offers.size >= agents) break;
  }
  return [...offers.values()];
}

/**
 * Burst: every task is accepted at once into the first offers (spread evenly over the agents);
 * throughput is tasks over the time from the first accept to the last TASK_RUNNING.
 */
export async function launchBurst(
  topology: Topology,
  o: { agents: number; tasks: number; executor: ExecutorKind; command: string; scenario: string },
): Promise<LaunchResult> {
  const cluster = await startCluster(
    topology,
    o.agents,
    "cpus:64;mem:65536;disk:1000;ports:[31000-32000]",
    o.executor,
    1000,
  );
  try {
    const acceptedAt = new Map<string, number>();
    const latencies: number[] = [];
    let lastRunning = 0;
    const allRunning = new Promise<void>((resolve) => {
      cluster.scheduler.on("update", (s: TaskStatus) => {
        if (s.state !== "TASK_RUNNING") return;
        const t = acceptedAt.get(s.taskId);
        if (t === undefined) return;
        acceptedAt.delete(s.taskId);
        lastRunning = nowMs();
        latencies.push(lastRunning - t);
        if (latencies.length === o.tasks) resolve();
      });
    });
    const stream = cluster.scheduler.offers();
    await cluster.scheduler.subscribe();
    const offers = await collectOffers(stream, o.agents);
    const specs: TaskSpec[] = Array.from({ length: o.tasks }, (_, i) => ({
      taskId: `bench-${i}`,
      name: "bench",
      resources: { cpus: 0.01, mem: 1 },
      command: { value: o.command },
    }));
    const perOffer = Math.ceil(o.tasks / offers.length);
    const launches = offers.flatMap(
      (offer, i) => packTasks([offer], specs.slice(i * perOffer, (i + 1) * perOffer)).launches,
    );
    const start = nowMs();
    await Promise.all(
      launches.map(({ offer, tasks }) => {
        const at = nowMs();
        for (const t of tasks) acceptedAt.set(t.taskId, at);
        return cluster.scheduler.accept([offer.id], [{ type: "launch", tasks }]);
      }),
    );
    await allRunning;
    return {
      scenario: o.scenario,
      tasks: o.tasks,
      agents: o.agents,
      tasksPerSecond: Math.round(o.tasks / ((lastRunning - start) / 1000)),
      acceptToRunning: summarize(latencies),
    };
  } finally {
    await cluster.stop();
  }
}

/**
 * One task at a time on one agent with the real shell executor: accept → TASK_RUNNING latency
 * without queueing, to compare with a raw spawn of the same command. The master's periodic
 * allocation runs at its default (1 s): each next offer comes from the event-triggered allocation
 * of what the accept left (declined with refuseSeconds 0) and of what the finished task freed. (A
 * 2 ms interval, used before, only added 500 allocation cycles a second to the processes measured.)
 */
export async function launchSequential(
  topology: Topology,
  o: { tasks: number; command: string; scenario: string },
): Promise<LaunchResult> {
  const cluster = await startCluster(
    topology,
    1,
    "cpus:4;mem:4096;disk:1000;ports:[31000-32000]",
    "shell",
    1000,
  );
  const sandboxes = topology.sandboxRoot && mkdtempSync(path.join(topology.sandboxRoot, "agora-bench-raw-"));
  const echo = topology.natsUrl ? await startEcho(topology.natsUrl) : undefined;
  try {
    const latencies: number[] = [];
    const ends: number[] = [];
    const raw: number[] = [];
    const intoSandbox: number[] = [];
    const bus: number[] = [];
    const running = new Map<string, () => void>();
    const ended = new Map<string, () => void>();
    cluster.scheduler.on("update", (s: TaskStatus) => {
      if (s.state === "TASK_RUNNING") running.get(s.taskId)?.();
      else if (isTerminalState(s.state)) ended.get(s.taskId)?.();
    });
    const offers = cluster.scheduler.offers();
    await cluster.scheduler.subscribe();
    const started = nowMs();
    for (let i = 0; i < o.tasks; i++) {
      const batch = (await offers.next()).value as Offer[];
      const [offer, ...rest] = batch;
      if (rest.length)
        await cluster.scheduler.decline(
          rest.map((x) => x.id),
          { refuseSeconds: 0 },
        );
      const { launches } = packTasks(
        [offer!],
        [
          {
            taskId: `seq-${i}`,
            name: "seq",
            resources: { cpus: 0.1, mem: 8 },
            command: { value: o.command },
          },
        ],
      );
      const isRunning = new Promise<void>((resolve) => running.set(`seq-${i}`, resolve));
      const hasEnded = new Promise<void>((resolve) => ended.set(`seq-${i}`, resolve));
      const t = nowMs();
      await cluster.scheduler.accept([offer!.id], [{ type: "launch", tasks: launches[0]!.tasks }], {
        refuseSeconds: 0,
      });
      await isRunning;
      latencies.push(nowMs() - t);
      // Once the task's end is in: right after RUNNING, the raw spawn ran beside RUNNING's
      // acknowledgement on its way through the master and the agent, and so measured how soon the
      // bus sent that acknowledgement as much as the fork (BENCHMARKS.md, issue 14).
      await hasEnded;
      ends.push(nowMs() - t);
      raw.push(await spawnOnce(o.command));
      if (sandboxes) intoSandbox.push(await spawnOnce(o.command, path.join(sandboxes, `seq-${i}`)));
      if (echo) bus.push(await echo.roundTrips(2));
    }
    return {
      scenario: o.scenario,
      tasks: o.tasks,
      agents: 1,
      tasksPerSecond: Math.round(o.tasks / ((nowMs() - started) / 1000)),
      acceptToRunning: summarize(latencies),
      acceptToEnd: summarize(ends),
      rawSpawnBetween: summarize(raw),
      ...(sandboxes ? { rawSpawnIntoSandboxBetween: summarize(intoSandbox) } : {}),
      ...(echo ? { busRoundTripsBetween: summarize(bus) } : {}),
    };
  } finally {
    await cluster.stop();
    await echo?.stop();
    if (sandboxes) rmSync(sandboxes, { recursive: true, force: true });
  }
}

/** Answers every request on `bench.echo` with its own data, over Agora's NATS bus, from a Node process of its own. */
const ECHO_SCRIPT = `
import { connectNatsBus } from "@agora/transport";
const bus = await connectNatsBus({ servers: process.argv[1] });
bus.subscribe("bench.echo", (msg) => void msg.respond(msg.data));
await bus.flush();
process.stdout.write("ready\\n");
`;

/**
 * Another process echoing over `url`, and a bus of this process' to time round trips to it: what the
 * bus alone (nats-server, our bus on both ends) costs a launch, measured beside it.
 */
async function startEcho(
  url: string,
): Promise<{ roundTrips(n: number): Promise<number>; stop(): Promise<void> }> {
  const child = spawnGroup(process.execPath, ["--input-type=module", "-e", ECHO_SCRIPT, url]);
  await ready(child.process, "echo process");
  const bus = await connectNatsBus({ servers: url, logger: silent });
  const data = new Uint8Array(800);
  return {
    async roundTrips(n) {
      const t = nowMs();
      for (let i = 0; i < n; i++) await bus.request("bench.echo", data, { timeoutMs: 5_000 });
      return nowMs() - t;
    },
    async stop() {
      await bus.close();
      await child.stop();
    },
  };
}

/** The floor: Node spawning the same command in its own process group, spawn() → 'spawn' event. */
export async function rawSpawn(o: { count: number; command: string }): Promise<LaunchResult> {
  const latencies: number[] = [];
  const started = nowMs();
  for (let i = 0; i < o.count; i++) latencies.push(await spawnOnce(o.command));
  return {
    scenario: `raw spawn from Node (/bin/sh -c '${o.command}')`,
    tasks: o.count,
    agents: 0,
    tasksPerSecond: Math.round(o.count / ((nowMs() - started) / 1000)),
    acceptToRunning: summarize(latencies),
  };
}

/**
 * One raw spawn of `/bin/sh -c command` in its own process group: spawn() → 'spawn' (ms); waits for
 * its exit. With `sandbox`, the directory is made first and the command's output goes to `stdout`
 * and `stderr` files in it, which the time includes, as the shell executor does for a task.
 */
async function spawnOnce(command: string, sandbox?: string): Promise<number> {
  const t = nowMs();
  let output: [number, number] | undefined;
  if (sandbox) {
    mkdirSync(sandbox);
    output = [openSync(path.join(sandbox, "stdout"), "a"), openSync(path.join(sandbox, "stderr"), "a")];
  }
  const child = spawn("/bin/sh", ["-c", command], {
    detached: true,
    stdio: output ? ["ignore", ...output] : "ignore",
  });
  await once(child, "spawn");
  const took = nowMs() - t;
  for (const fd of output ?? []) closeSync(fd);
  await once(child, "exit");
  return took;
}
