import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { waitFor } from "@agora/transport/testing";
import { afterEach, describe, expect, it } from "vitest";
import { ShellExecutor } from "../executors/shell-executor.js";
import { buildAgentHttp } from "../http/app.js";
import { type AgentFixture, startAgent } from "../test-support/agent-fixture.js";
import { FRAMEWORK_ID, OUT_OF_MEMORY, shellTask } from "../test-support/fake-master.js";
import { detectCgroups } from "./cgroups.js";

const cgroups = await detectCgroups();
if (!cgroups && process.env.AGORA_REQUIRE_CGROUPS === "1") {
  throw new Error("AGORA_REQUIRE_CGROUPS=1 but no cgroup hierarchy is writable");
}
let fx: AgentFixture;

afterEach(async () => {
  await fx?.close();
});

describe.skipIf(!cgroups)(`shell tasks in cgroups (${cgroups?.mode ?? "none"})`, () => {
  const startCgroupAgent = () =>
    startAgent({ executors: { shell: new ShellExecutor({ cgroups: cgroups! }) } });
  const cgroupDir = (taskId: string) =>
    cgroups!.mode === "v1"
      ? `/sys/fs/cgroup/memory/agora/${FRAMEWORK_ID}.${taskId}`
      : `/sys/fs/cgroup/agora/${FRAMEWORK_ID}.${taskId}`;

  it("reports the cgroup mode in /state", async () => {
    fx = await startCgroupAgent();
    const app = buildAgentHttp(fx.agent);
    const state = (await app.inject({ url: "/state" })).json();
    expect(state.isolation).toEqual({ cgroups: cgroups!.mode, enforced: true });
    expect(state.flags.isolation).toBe("cgroups/cpu,cgroups/mem");
  });

  it("runs the task inside its own cgroup with its memory limit and cpu quota", async () => {
    fx = await startCgroupAgent();
    const task = shellTask("cat /proc/self/cgroup > cgroup.txt; sleep 300 &");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    const text = await readFile(
      path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, task.taskId, "cgroup.txt"),
      "utf8",
    );
    expect(text).toContain(`/agora/${FRAMEWORK_ID}.${task.taskId}`);
    // The cgroup is removed once the task ended, also when a background process outlived the shell.
    const dir = cgroupDir(task.taskId);
    await waitFor(
      () =>
        stat(dir).then(
          () => false,
          () => true,
        ),
      "the cgroup removed",
    );
  });

  it("an agent stopping right after a task ended waits for the task's cgroup to go instead of leaving it behind", async () => {
    fx = await startCgroupAgent();
    // setsid takes the sleep out of the task's process group, which is killed when the task ends, but
    // not out of its cgroup: the cgroup is busy for a second after the task's end is reported. The
    // task ends once that process runs in its own session.
    const task = shellTask(
      "setsid sh -c 'touch apart; sleep 1' & while [ ! -e apart ]; do sleep 0.01; done; exit 0",
    );
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    expect(existsSync(cgroupDir(task.taskId))).toBe(true);
    await fx.agent.stop({ killTasks: false });
    expect(existsSync(cgroupDir(task.taskId))).toBe(false);
  });

  it("fails a shell task with mem 32 that allocates 100 MB with the memory reason", async () => {
    fx = await startCgroupAgent();
    const task = shellTask(OUT_OF_MEMORY.command, { resources: OUT_OF_MEMORY.resources });
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED", 30_000);
    expect(failed.status.reason).toBe("REASON_CONTAINER_LIMITATION_MEMORY");
    expect(failed.status.message).toMatch(/out of memory/);
  });

  it("measures a running task for /monitor/statistics and /metrics", async () => {
    fx = await startCgroupAgent();
    const task = shellTask("x=$(head -c 5000000 /dev/zero | tr '\\0' a); sleep 300");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    const app = buildAgentHttp(fx.agent);
    let stats: Array<{ executor_id: string; statistics: Record<string, number> }> = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      stats = (await app.inject({ url: "/monitor/statistics" })).json();
      if ((stats[0]?.statistics.mem_rss_bytes ?? 0) > 5_000_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({
      executor_id: task.taskId,
      framework_id: FRAMEWORK_ID,
      statistics: { cpus_limit: 0.1, mem_limit_bytes: 32 * 1024 * 1024 },
    });
    expect(stats[0]!.statistics.mem_rss_bytes).toBeGreaterThan(5_000_000);
    const metrics = (await app.inject({ url: "/metrics" })).body;
    expect(metrics).toMatch(
      new RegExp(
        `agora_task_mem_limit_bytes\\{framework_id="${FRAMEWORK_ID}",task_id="${task.taskId}",executor="shell"\\} 33554432`,
      ),
    );
    expect(metrics).toContain("agora_task_cpu_user_seconds{");
  });
});

describe("shell tasks without cgroups", () => {
  it("say in /state that limits are advisory, and are measured from /proc", async () => {
    fx = await startAgent();
    const app = buildAgentHttp(fx.agent);
    const state = (await app.inject({ url: "/state" })).json();
    expect(state.isolation).toMatchObject({ cgroups: "none", enforced: false });
    expect(state.isolation.note).toMatch(/advisory/);
    const task = shellTask("x=$(head -c 5000000 /dev/zero | tr '\\0' a); sleep 300");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    let rss = 0;
    const deadline = Date.now() + 15_000;
    while (rss <= 5_000_000 && Date.now() < deadline) {
      const stats = (await app.inject({ url: "/monitor/statistics" })).json();
      rss = stats[0]?.statistics.mem_rss_bytes ?? 0;
      if (rss <= 5_000_000) await new Promise((r) => setTimeout(r, 50));
    }
    expect(rss).toBeGreaterThan(5_000_000);
  });
});
