import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { MasterView } from "@agora/master";
import { jsonSize, MasterState, MesosStateRenderer, writeJson } from "@agora/master/internal";
import { type AgentId, type FrameworkId, parseResources } from "@agora/protocol";
import { machine } from "./machine.js";
import { addAgent, addFramework, addRunningTask, running } from "./master-books.js";
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
  const frameworks = Array.from({ length: FRAMEWORKS }, (_, i) =>
    addFramework(state, `framework-${i}`, `sim-${i}`, `role-${i % 2}`),
  );
  const agentResources = parseResources("cpus:8;mem:16384;disk:100000;ports:[31000-32000]");
  for (let a = 0; a < agentCount; a++)
    addAgent(state, `agent-${a}` as AgentId, `sim-agent-${a}`, agentResources);
  const taskResources = parseResources("cpus:0.5;mem:64");
  for (let t = 0; t < taskCount; t++)
    addRunningTask(
      state,
      frameworks[t % FRAMEWORKS]!,
      `sim-task-${t}`,
      `agent-${t % agentCount}`,
      taskResources,
    );
  return { state, frameworkIds: frameworks.map((f) => f.id) };
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

  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "master-state.json"),
    `${JSON.stringify({ machine: machine(), rounds, results }, null, 2)}\n`,
  );
  const rows = results.map(
    (r) =>
      `| ${r.case} | ${r.agents} × ${r.tasks} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.wallP50Ms.toFixed(1)} | ${r.wallMaxMs.toFixed(1)} | ${r.cpuP50Ms.toFixed(1)} |`,
  );
  return [
    "| case | agents × tasks | body | wall p50 ms | wall max ms | CPU p50 ms |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
