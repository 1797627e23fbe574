import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import type { MasterView } from "@agora/master";
import { jsonSize, MasterState, MesosStateRenderer, writeJson } from "@agora/master/internal";
import {
  type AgentId,
  type FrameworkId,
  FrameworkInfo,
  parseResources,
  TaskInfo,
  TaskStatus,
} from "@agora/protocol";
import { connectNatsBus, LoopPriority } from "@agora/transport";
import { machine } from "./machine.js";
import { withNatsServer } from "./nats.js";
import { summarize } from "./stats.js";

/**
 * `/master/state` rendered from the master's books at issue 14's size (STATE_AGENTS agents, default
 * 10,000; STATE_TASKS running tasks, default 100,000, over 10 frameworks), without HTTP. Cases, each
 * STATE_ROUNDS times (default 7), wall and CPU time (p50):
 * - `cold`: a new renderer, so every task's and agent's fragment is rendered (the first request, and
 *   nearly what a request in a launch burst pays, when every task changed since the last one);
 * - `churn 10%`: a tenth of the tasks got a new status since the last request;
 * - `warm`: nothing changed, the fragments are joined;
 * - `copy fresh` / `copy reused`: the joined pieces written into a newly allocated buffer, or into the
 *   one the last request used (what `ReplyBuffer` keeps between requests).
 */
const agentCount = Number(process.env.STATE_AGENTS ?? 10_000);
const taskCount = Number(process.env.STATE_TASKS ?? 100_000);
const rounds = Number(process.env.STATE_ROUNDS ?? 7);
const FRAMEWORKS = 10;

type Case = "cold" | "churn 10%" | "warm" | "copy fresh" | "copy reused";

interface CaseResult {
  case: Case;
  agents: number;
  tasks: number;
  bytes: number;
  wallP50Ms: number;
  wallMaxMs: number;
  cpuP50Ms: number;
}

/** The books as the simulator leaves them: tasks STAGING then RUNNING, round-robin over the agents. */
function books(): { state: MasterState; frameworkIds: FrameworkId[] } {
  const state = new MasterState({ maxCompletedFrameworks: 100, maxCompletedTasksPerFramework: 1000 });
  const frameworks = Array.from({ length: FRAMEWORKS }, (_, i) => {
    const info = FrameworkInfo.parse({ id: `framework-${i}`, name: `sim-${i}`, roles: [`role-${i % 2}`] });
    return state.addFramework({ ...info, id: `framework-${i}` as FrameworkId }, 0, true);
  });
  const agentResources = parseResources("cpus:8;mem:16384;disk:100000;ports:[31000-32000]");
  for (let a = 0; a < agentCount; a++) {
    const id = `agent-${a}` as AgentId;
    state.addAgent(
      {
        id,
        hostname: `sim-agent-${a}`,
        port: 5051,
        resources: agentResources,
        attributes: [],
        capabilities: ["shell"],
        version: "bench",
      },
      0,
    );
  }
  const taskResources = parseResources("cpus:0.5;mem:64");
  for (let t = 0; t < taskCount; t++) {
    const framework = frameworks[t % FRAMEWORKS]!;
    const taskId = `sim-task-${t}`;
    const agentId = `agent-${t % agentCount}`;
    const task = TaskInfo.parse({
      taskId,
      name: taskId,
      agentId,
      resources: taskResources,
      command: { value: "sleep 3600" },
    });
    const staging = TaskStatus.parse({
      taskId,
      state: "TASK_STAGING",
      source: "SOURCE_MASTER",
      timestamp: 1,
    });
    const entry = state.addTask(framework, task, staging);
    state.applyStatus(entry, running(taskId, 2));
  }
  return { state, frameworkIds: frameworks.map((f) => f.id) };
}

function running(taskId: string, timestamp: number): TaskStatus {
  return TaskStatus.parse({
    taskId,
    state: "TASK_RUNNING",
    source: "SOURCE_AGENT",
    timestamp,
    healthy: true,
  });
}

/** What `Master.snapshot()` gives the HTTP API, over the benchmark's books. */
function view(state: MasterState): MasterView {
  return {
    id: "bench-master",
    epoch: 1,
    cluster: "bench",
    hostname: "localhost",
    masterInfo: { id: "bench-master", hostname: "localhost", port: 5050, version: "bench" },
    now: 0,
    startedAt: 0,
    electedAt: 0,
    agents: state.agents,
    unreachableAgents: state.unreachableAgents,
    frameworks: state.frameworks,
    completedFrameworks: state.completedFrameworks.values(),
    roles: () => [],
    offers: state.offers,
    terminalCounts: state.terminalCounts,
    counters: { invalidMessages: 0, statusUpdatesRelayed: 0, lastAllocationRunMs: 0 },
    options: {
      allocationIntervalMs: 1000,
      offerTimeoutMs: undefined,
      agentPingTimeoutMs: 15_000,
      maxAgentPingTimeouts: 5,
      heartbeatIntervalSeconds: 15,
    },
  };
}

function timed(work: () => void): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  work();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

function measure(name: Case, bytes: number, prepare: () => void, work: () => void): CaseResult {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < rounds; i++) {
    prepare();
    const t = timed(work);
    walls.push(t.wall);
    cpus.push(t.cpu);
  }
  const wall = summarize(walls);
  return {
    case: name,
    agents: agentCount,
    tasks: taskCount,
    bytes,
    wallP50Ms: wall.p50Ms,
    wallMaxMs: wall.maxMs,
    cpuP50Ms: summarize(cpus).p50Ms,
  };
}

export default async function masterStateBench(): Promise<string> {
  const { state } = books();
  const master = view(state);
  const tasks = [...state.frameworks.values()].flatMap((f) => [...f.tasks.values()]);
  let renderer = new MesosStateRenderer();
  const bytes = jsonSize(renderer.render(master));
  let stamp = 3;
  const results: CaseResult[] = [
    measure(
      "cold",
      bytes,
      () => {
        renderer = new MesosStateRenderer();
      },
      () => renderer.render(master),
    ),
    measure(
      "churn 10%",
      bytes,
      () => {
        stamp++;
        for (let i = stamp % 10; i < tasks.length; i += 10) {
          const t = tasks[i]!;
          state.applyStatus(t, running(t.task.taskId, stamp));
        }
      },
      () => renderer.render(master),
    ),
    measure(
      "warm",
      bytes,
      () => {},
      () => renderer.render(master),
    ),
  ];
  const pieces = renderer.render(master);
  results.push(
    measure(
      "copy fresh",
      bytes,
      () => {},
      () => writeJson(pieces, Buffer.allocUnsafe(bytes)),
    ),
  );
  const kept = Buffer.allocUnsafe(bytes);
  writeJson(pieces, kept);
  results.push(
    measure(
      "copy reused",
      bytes,
      () => {},
      () => writeJson(pieces, kept),
    ),
  );

  const bodies = await bodyUnderBusyLoop(bytes);

  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "master-state.json"),
    `${JSON.stringify({ machine: machine(), rounds, results, bodies }, null, 2)}\n`,
  );
  const rows = results.map(
    (r) =>
      `| ${r.case} | ${r.agents} × ${r.tasks} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.wallP50Ms.toFixed(1)} | ${r.wallMaxMs.toFixed(1)} | ${r.cpuP50Ms.toFixed(1)} |`,
  );
  const bodyRows = bodies.map(
    (b) =>
      `| ${b.case} | ${b.requests} requests | ${(b.bytes / 1e6).toFixed(1)} MB | first byte ${b.firstByteP50Ms.toFixed(1)}, body ${b.bodyP50Ms.toFixed(1)} | body ${b.bodyMaxMs.toFixed(1)} | — |`,
  );
  return [
    "| case | agents × tasks | body | wall p50 ms | wall max ms | CPU p50 ms |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    ...bodyRows,
  ].join("\n");
}

const run = promisify(execFile);

/** Holds the CPU for `ms`, as a handler of real work does. */
function work(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

interface BodyResult {
  case: "body, busy loop" | "body, busy loop, priority";
  bytes: number;
  requests: number;
  firstByteP50Ms: number;
  bodyP50Ms: number;
  bodyMaxMs: number;
}

/**
 * A `/master/state`-sized body served while the loop is busy as a master's in a launch burst: a NATS
 * subscription's backlog of async handlers (1 ms of CPU each, published faster than they are handled)
 * through a `NatsBus`, whose slices take turns with the socket's writes. curl, in its own process,
 * times the headers and the body. The two cases alternate: the body sent as is, and with
 * `LoopPriority.urgent()` held until it has left (the backlog's slice 5 ms instead of 50).
 */
async function bodyUnderBusyLoop(bytes: number): Promise<BodyResult[]> {
  const rounds = Number(process.env.STATE_BODY_ROUNDS ?? 6);
  return withNatsServer(async (url) => {
    const priority = new LoopPriority();
    const bus = await connectNatsBus({ servers: url, name: "state-bench", priority });
    bus.subscribe("bench.work", async () => {
      work(1);
    });
    const flood = setInterval(() => {
      for (let i = 0; i < 20; i++) bus.publish("bench.work", new Uint8Array(16));
    }, 10);
    const body = Buffer.alloc(bytes, 0x20);
    let urgent = false;
    const server = createServer((_request, response) => {
      if (urgent) response.once("close", priority.urgent());
      response.writeHead(200, { "content-type": "application/json", "content-length": body.length });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const samples = { plain: [] as number[][], urgent: [] as number[][] };
    try {
      for (let i = 0; i < rounds * 2; i++) {
        urgent = i % 2 === 1;
        const { stdout } = await run("curl", [
          "-s",
          "-o",
          "/dev/null",
          "-w",
          "%{time_starttransfer} %{time_total}",
          `http://127.0.0.1:${port}/master/state`,
        ]);
        const [first, total] = stdout.trim().split(" ").map(Number) as [number, number];
        (urgent ? samples.urgent : samples.plain).push([first * 1000, (total - first) * 1000]);
      }
    } finally {
      clearInterval(flood);
      server.close();
      await bus.close();
    }
    const result = (name: BodyResult["case"], s: number[][]): BodyResult => {
      const bodies = summarize(s.map(([, b]) => b!));
      return {
        case: name,
        bytes,
        requests: s.length,
        firstByteP50Ms: summarize(s.map(([f]) => f!)).p50Ms,
        bodyP50Ms: bodies.p50Ms,
        bodyMaxMs: bodies.maxMs,
      };
    };
    return [result("body, busy loop", samples.plain), result("body, busy loop, priority", samples.urgent)];
  });
}
