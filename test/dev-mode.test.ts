import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type DevCluster, startDevCluster } from "@agora/cli";
import { packTasks, Scheduler, type TaskSpec } from "@agora/framework-sdk";
import type { TaskStatus } from "@agora/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devPorts } from "./harness/ports.js";
import { expectNoOrphans, httpJson, spawnAgora } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface MesosState {
  slaves: Array<{ id: string }>;
  frameworks: Array<{
    id: string;
    tasks: unknown[];
    completed_tasks: Array<{ id: string; state: string; slave_id: string }>;
  }>;
}

describe("dev mode: master and agents in one process", () => {
  let dir: string;
  let dev: DevCluster;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-dev-"));
    dev = await startDevCluster({
      port: 0,
      host: "127.0.0.1",
      agents: 2,
      dataDir: dir,
      cluster: "devtest",
      logger: pino({ level: "silent" }),
    });
  });

  afterAll(async () => {
    await dev?.stop();
    await expectNoOrphans(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs 10 shell tasks to TASK_FINISHED with each task's output in its sandbox", async () => {
    const scheduler = new Scheduler({ bus: dev.bus, cluster: "devtest", framework: { name: "dev-test" } });
    const specs: TaskSpec[] = Array.from({ length: 10 }, (_, i) => ({
      taskId: `dev-task-${i}`,
      name: `dev-task-${i}`,
      resources: { cpus: 0.1, mem: 16 },
      command: { value: 'echo "hello from $AGORA_TASK_ID in $MESOS_SANDBOX"', shell: true },
    }));
    const final = new Map<string, TaskStatus>();
    const launched = new Set<string>();
    scheduler.on("update", (s) => {
      if (
        s.state === "TASK_FINISHED" ||
        s.state === "TASK_FAILED" ||
        s.state === "TASK_ERROR" ||
        s.state === "TASK_LOST"
      )
        final.set(s.taskId, s);
    });
    scheduler.on("offers", async (offers) => {
      const { launches } = packTasks(
        offers,
        specs.filter((s) => !launched.has(s.taskId!)),
      );
      for (const { tasks } of launches) for (const t of tasks) launched.add(t.taskId);
      const used = new Set(launches.map((l) => l.offer.id));
      for (const { offer, tasks } of launches)
        await scheduler.accept([offer.id], [{ type: "launch", tasks }]);
      const rest = offers.filter((o) => !used.has(o.id)).map((o) => o.id);
      if (rest.length) await scheduler.decline(rest);
    });
    const frameworkId = await scheduler.subscribe();
    await waitFor("10 terminal updates", () => final.size === 10);
    expect([...final.values()].map((s) => s.state)).toEqual(Array(10).fill("TASK_FINISHED"));

    const state = await httpJson<MesosState>(`${dev.masterUrl}/master/state`);
    expect(state.slaves).toHaveLength(2);
    const fw = state.frameworks.find((f) => f.id === frameworkId)!;
    expect(fw.completed_tasks.map((t) => t.state).sort()).toEqual(Array(10).fill("TASK_FINISHED"));

    for (const task of fw.completed_tasks) {
      const agentIndex = dev.agents.findIndex((a) => a.agent.id === task.slave_id);
      expect(agentIndex).toBeGreaterThanOrEqual(0);
      const sandbox = path.join(dir, "agents", String(agentIndex), "sandboxes", frameworkId, task.id);
      expect(readFileSync(path.join(sandbox, "stdout"), "utf8")).toBe(
        `hello from ${task.id} in ${sandbox}\n`,
      );
      const read = await httpJson<{ data: string; offset: number }>(
        `${dev.agents[agentIndex]!.url}/files/read?path=${encodeURIComponent(path.join(sandbox, "stdout"))}&offset=0`,
      );
      expect(read.data).toBe(`hello from ${task.id} in ${sandbox}\n`);
    }
    await scheduler.teardown();
    await scheduler.close();
  });
});

describe("agora dev as a process", () => {
  it("serves /health and a /master/state with an agent, Marathon's /v2/info, Chronos' API, and stops cleanly on SIGTERM", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agora-devproc-"));
    const [port, marathonPort, chronosPort] = await devPorts(2);
    const proc = spawnAgora(
      [
        "dev",
        "--port",
        String(port),
        "--data-dir",
        dir,
        "--agents",
        "1",
        "--marathon-port",
        String(marathonPort),
        "--chronos-port",
        String(chronosPort),
      ],
      { AGORA_LOG_LEVEL: "warn" },
    );
    try {
      await waitFor("dev mode /health", async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, {
        timeoutMs: 30_000,
      });
      const state = await waitFor("an agent in /master/state", async () => {
        const s = await httpJson<MesosState>(`http://127.0.0.1:${port}/master/state`);
        return s.slaves.length >= 1 && s;
      });
      expect(state.slaves).toHaveLength(1);
      const info = await waitFor("Marathon registered as a framework", async () => {
        const i = await httpJson<{ elected: boolean; frameworkId?: string }>(
          `http://127.0.0.1:${marathonPort}/v2/info`,
        );
        return i.frameworkId ? i : undefined;
      });
      expect(info.elected).toBe(true);
      // Chronos registers as the `chronos` framework with its API as webuiUrl, and answers Chronos' API.
      const chronos = await waitFor("Chronos registered as a framework", async () => {
        const s = await httpJson<{ frameworks: { name: string; webui_url: string }[] }>(
          `http://127.0.0.1:${port}/master/state`,
        );
        return s.frameworks.find((f) => f.name === "chronos");
      });
      expect(chronos.webui_url).toBe(`http://127.0.0.1:${chronosPort}`);
      expect(await httpJson(`http://127.0.0.1:${chronosPort}/v1/scheduler/jobs`)).toEqual([]);
    } finally {
      expect(await proc.stop("SIGTERM")).toBe(0);
      await expectNoOrphans(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
