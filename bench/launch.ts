import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent, type Executor, NoopExecutor, ShellExecutor } from "@agora/agent";
import { packTasks, Scheduler, type TaskSpec } from "@agora/framework-sdk";
import { Master } from "@agora/master";
import { type Offer, parseResources, type TaskStatus } from "@agora/protocol";
import { type Bus, connectNatsBus, InProcessBus, MemoryStateStore } from "@agora/transport";
import { pino } from "pino";
import { type LatencySummary, nowMs, summarize } from "./stats.js";

const silent = pino({ level: "silent" });

export interface LaunchResult {
  scenario: string;
  tasks: number;
  agents: number;
  tasksPerSecond: number;
  acceptToRunning: LatencySummary;
}

/** Where the master runs and which bus each role uses. */
export interface Topology {
  name: string;
  /** Starts a master whose allocation cycle runs every `allocationIntervalMs`. */
  startMaster(allocationIntervalMs: number): Promise<{ stop(): Promise<void> }>;
  agentBus(): Promise<Bus>;
  frameworkBus(): Promise<Bus>;
  close(): Promise<void>;
}

/** Dev mode: master, agents and framework in this process on one in-process bus. */
export function inProcess(): Topology {
  const bus = new InProcessBus();
  return {
    name: "dev mode (in-process bus)",
    async startMaster(allocationIntervalMs) {
      const master = new Master({ bus, store: new MemoryStateStore(), logger: silent, allocationIntervalMs });
      await master.start({ httpPort: 5050 });
      return master;
    },
    agentBus: async () => bus,
    frameworkBus: async () => bus,
    close: () => bus.close(),
  };
}

/**
 * Cluster mode: the real `agora master` process (registry in JetStream KV) on a nats-server with
 * JetStream; agents and the framework in this process on their own NATS connections, so every
 * message crosses nats-server and the master has a core of its own, as in production.
 */
export function overNats(url: string, masterPort: number): Topology {
  const opened: Bus[] = [];
  const open = async () => {
    const b = await connectNatsBus({ servers: url, logger: silent });
    opened.push(b);
    return b;
  };
  let agentsBus: Promise<Bus> | undefined;
  return {
    name: "over NATS",
    async startMaster(allocationIntervalMs) {
      const bin = path.resolve(import.meta.dirname, "../packages/cli/bin/agora.js");
      const args = [
        "master",
        "--nats",
        url,
        "--host",
        "127.0.0.1",
        "--port",
        String(masterPort),
        "--allocation-interval",
        `${allocationIntervalMs}ms`,
      ];
      const child = spawn(process.execPath, [bin, ...args], {
        stdio: "ignore",
        detached: true,
        env: { ...process.env, AGORA_LOG_LEVEL: "warn" },
      });
      for (let i = 0; i < 200; i++) {
        const ok = await fetch(`http://127.0.0.1:${masterPort}/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      return {
        async stop() {
          process.kill(-child.pid!, "SIGTERM");
          await once(child, "exit");
        },
      };
    },
    // All agents of the benchmark share one connection, as many agents on one host would share a NIC.
    agentBus: () => (agentsBus ??= open()),
    frameworkBus: open,
    close: async () => {
      for (const b of opened) await b.close();
    },
  };
}

interface Cluster {
  agents: Agent[];
  scheduler: Scheduler;
  stop(): Promise<void>;
}

async function startCluster(
  topology: Topology,
  agentCount: number,
  resources: string,
  executor: () => Executor,
  allocationIntervalMs: number,
): Promise<Cluster> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), "agora-bench-"));
  const master = await topology.startMaster(allocationIntervalMs);
  const agents: Agent[] = [];
  for (let i = 0; i < agentCount; i++) {
    const agent = new Agent({
      bus: await topology.agentBus(),
      workDir: path.join(workDir, `agent-${i}`),
      hostname: `bench-agent-${i}`,
      resources: parseResources(resources),
      attributes: [],
      executors: { shell: executor() },
      logger: silent,
    });
    await agent.start({ httpPort: 0 });
    agents.push(agent);
  }
  const scheduler = new Scheduler({
    bus: await topology.frameworkBus(),
    framework: { name: "bench" },
    logger: silent,
  });
  return {
    agents,
    scheduler,
    async stop() {
      await scheduler.teardown().catch(() => {});
      await scheduler.close();
      for (const a of agents) await a.stop({ killTasks: true });
      await master.stop();
      await topology.close();
      rmSync(workDir, { recursive: true, force: true });
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
  o: { agents: number; tasks: number; executor: () => Executor; command: string; scenario: string },
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
 * without queueing, to compare with a raw spawn of the same command.
 */
export async function launchSequential(
  topology: Topology,
  o: { tasks: number; command: string; scenario: string },
): Promise<LaunchResult> {
  const cluster = await startCluster(
    topology,
    1,
    "cpus:4;mem:4096;disk:1000;ports:[31000-32000]",
    () => new ShellExecutor(),
    2,
  );
  try {
    const latencies: number[] = [];
    const running = new Map<string, () => void>();
    cluster.scheduler.on("update", (s: TaskStatus) => {
      if (s.state === "TASK_RUNNING") running.get(s.taskId)?.();
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
      const t = nowMs();
      await cluster.scheduler.accept([offer!.id], [{ type: "launch", tasks: launches[0]!.tasks }], {
        refuseSeconds: 0,
      });
      await isRunning;
      latencies.push(nowMs() - t);
    }
    return {
      scenario: o.scenario,
      tasks: o.tasks,
      agents: 1,
      tasksPerSecond: Math.round(o.tasks / ((nowMs() - started) / 1000)),
      acceptToRunning: summarize(latencies),
    };
  } finally {
    await cluster.stop();
  }
}

/** The floor: Node spawning the same command in its own process group, spawn() → 'spawn' event. */
export async function rawSpawn(o: { count: number; command: string }): Promise<LaunchResult> {
  const latencies: number[] = [];
  const started = nowMs();
  for (let i = 0; i < o.count; i++) {
    const t = nowMs();
    const child = spawn("/bin/sh", ["-c", o.command], { detached: true, stdio: "ignore" });
    await once(child, "spawn");
    latencies.push(nowMs() - t);
    await once(child, "exit");
  }
  return {
    scenario: `raw spawn from Node (/bin/sh -c '${o.command}')`,
    tasks: o.count,
    agents: 0,
    tasksPerSecond: Math.round(o.count / ((nowMs() - started) / 1000)),
    acceptToRunning: summarize(latencies),
  };
}

export const noop = () => new NoopExecutor();
export const shell = () => new ShellExecutor();
