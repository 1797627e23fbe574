import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AgentCheckpoint } from "@agora/agent/internal";
import { type FrameworkId, FrameworkInfo, TaskInfo } from "@agora/protocol";
import { machine } from "./machine.js";
import { type LatencySummary, nowMs, summarize } from "./stats.js";

/**
 * The agent's checkpoint on a disk (the OS temporary directory, or BENCH_DISK_DIR) and on tmpfs
 * (/dev/shm), as `agora agent` uses it for each task it runs: one at a time, a task recorded until
 * durable (what its RUNNING waits for) with its process recorded after, then removed when it ends
 * (CHECKPOINT_TASKS, default 300); and a burst of CHECKPOINT_BURST tasks (default 500, one runTask)
 * recorded together until all are durable, then removed together.
 */
const sequential = Number(process.env.CHECKPOINT_TASKS ?? 300);
const burst = Number(process.env.CHECKPOINT_BURST ?? 500);

interface CheckpointResult {
  filesystem: string;
  dir: string;
  /** One task at a time: recorded until durable, then its run recorded. */
  recordAndRun: LatencySummary;
  /** `burst` tasks recorded in one turn until all are durable (ms). */
  burstDurableMs: number;
  /** Their removals (ms). */
  burstRemovedMs: number;
}

const framework = FrameworkInfo.parse({ id: "fw-bench", name: "bench", user: "root" });
const taskOf = (id: string) =>
  TaskInfo.parse({
    taskId: id,
    name: id,
    agentId: "agent-1",
    resources: [
      { name: "cpus", scalar: 0.1 },
      { name: "mem", scalar: 8 },
    ],
    command: { value: "true" },
  });

async function measure(filesystem: string, root: string): Promise<CheckpointResult> {
  const workDir = mkdtempSync(path.join(root, "agora-bench-checkpoint-"));
  try {
    const cp = new AgentCheckpoint(workDir);
    const fw = framework.id as FrameworkId;
    const latencies: number[] = [];
    for (let i = 0; i < sequential; i++) {
      const task = taskOf(`seq-${i}`);
      const t = nowMs();
      await cp.writeTask({ framework, task, executor: "shell", run: {} });
      cp.recordRun(fw, task.taskId, { pid: 1000 + i, startTime: 1 });
      latencies.push(nowMs() - t);
      cp.removeTask(fw, task.taskId);
    }
    const tasks = Array.from({ length: burst }, (_, i) => taskOf(`burst-${i}`));
    const t = nowMs();
    await Promise.all(tasks.map((task) => cp.writeTask({ framework, task, executor: "shell", run: {} })));
    const burstDurableMs = nowMs() - t;
    const r = nowMs();
    for (const task of tasks) cp.removeTask(fw, task.taskId);
    const burstRemovedMs = nowMs() - r;
    cp.close();
    return { filesystem, dir: root, recordAndRun: summarize(latencies), burstDurableMs, burstRemovedMs };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** The checkpoint's costs: writes bench/results/checkpoint.json and returns its Markdown table. */
export default async function checkpointBench(): Promise<string> {
  const results = [await measure("disk", process.env.BENCH_DISK_DIR || os.tmpdir())];
  if (existsSync("/dev/shm")) results.push(await measure("tmpfs", "/dev/shm"));
  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "checkpoint.json"),
    `${JSON.stringify({ machine: machine(), sequential, burst, results }, null, 2)}\n`,
  );
  return [
    `| filesystem | one at a time: recorded until durable + run, p50 | p99 | ${burst} tasks in one turn: durable | removed |`,
    "| --- | ---: | ---: | ---: | ---: |",
    ...results.map(
      (r) =>
        `| ${r.filesystem} (${r.dir}) | ${r.recordAndRun.p50Ms} ms | ${r.recordAndRun.p99Ms} ms | ${r.burstDurableMs.toFixed(1)} ms | ${r.burstRemovedMs.toFixed(1)} ms |`,
    ),
  ].join("\n");
}
