import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TaskInfo } from "@agora/protocol";
import { InProcessBus } from "@agora/transport";
import { waitFor } from "@agora/transport/testing";
import { describe, expect, it } from "vitest";
import { Agent } from "./agent.js";
import { detectCgroups } from "./cgroups/cgroups.js";
import { AgentCheckpoint, TASK_LOG } from "./checkpoint.js";
import type { ExecutorHandle, LaunchContext } from "./executor.js";
import { ShellExecutor } from "./executors/shell-executor.js";
import { EXIT_STATUS_FILE } from "./executors/shell-recovery.js";
import { AGENT_RESOURCES } from "./test-support/agent-fixture.js";
import { cleanupAfterEach } from "./test-support/cleanup.js";
import { FakeMaster, FRAMEWORK_ID, isRunning, OUT_OF_MEMORY, shellTask } from "./test-support/fake-master.js";
import { orphanShellTask } from "./test-support/orphaned-task.js";

const cleanup = cleanupAfterEach();
const cgroups = await detectCgroups();

async function setup() {
  const bus = new InProcessBus();
  const master = new FakeMaster(bus).start();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "agora-recovery-"));
  cleanup.push(async () => {
    master.stop();
    await bus.close();
    await rm(workDir, { recursive: true, force: true });
  });
  const newAgent = (shell?: ShellExecutor) => {
    const agent = new Agent({
      bus,
      workDir,
      resources: AGENT_RESOURCES,
      hostname: "h",
      checkpoint: true,
      ...(shell ? { executors: { shell } } : {}),
    });
    cleanup.push(() => agent.stop({ killTasks: true }));
    return agent;
  };
  return { master, workDir, newAgent };
}

describe("agent checkpoint and recovery", () => {
  it("checkpoints its id and each running task, and removes a task's checkpoint when it ends", async () => {
    const { master, workDir, newAgent } = await setup();
    const agent = newAgent();
    await agent.start({ httpPort: 5051 });
    const cp = new AgentCheckpoint(workDir);
    expect(await cp.readAgentId()).toBe("agent-1");
    const task = shellTask("sleep 300");
    master.runTasks([task]);
    const running = await master.waitForState(task.taskId, "TASK_RUNNING");
    const [saved] = await cp.readTasks();
    expect(saved).toMatchObject({ task: { taskId: task.taskId }, executor: "shell" });
    expect(saved!.run.pid).toBe(running.status.containerStatus?.executorPid);
    expect(saved!.run.startTime).toBeGreaterThan(0);
    master.kill(task.taskId, 0);
    await master.waitForState(task.taskId, "TASK_KILLED");
    await waitFor(async () => (await cp.readTasks()).length === 0, "the checkpoint removed");
  });

  it("records a task before its process starts and the process beside it after; without that record (a machine crash) a restarted agent reports the task gone", async () => {
    const { master, workDir, newAgent } = await setup();
    const cp = new AgentCheckpoint(workDir);
    const atLaunch: unknown[] = [];
    class Watching extends ShellExecutor {
      override async launch(task: TaskInfo, ctx: LaunchContext): Promise<ExecutorHandle> {
        atLaunch.push(...(await cp.readTasks()).map((t) => [t.task.taskId, t.run]));
        return super.launch(task, ctx);
      }
    }
    const task = await orphanShellTask(
      master,
      newAgent(new Watching({ recordExitStatus: true })),
      cleanup.killGroup,
    );
    expect(atLaunch).toEqual([[task.taskId, {}]]);
    const [saved] = await cp.readTasks();
    expect(saved!.run.pid).toBe(task.pid);
    // A machine crash: the process is gone, and so is its record, which was never synced.
    process.kill(-task.pid, "SIGKILL");
    await waitFor(async () => !isRunning(task.pid), "the task's process gone");
    const log = path.join(cp.dir, TASK_LOG);
    const lines = (await readFile(log, "utf8")).split("\n");
    expect(lines.filter((l) => l.startsWith('{"run":'))).toHaveLength(1);
    await writeFile(log, lines.filter((l) => !l.startsWith('{"run":')).join("\n"));

    await newAgent().start({ httpPort: 5051 });
    const failed = await master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.message).toBe("The task was gone when the agent recovered after a restart");
  });

  it("reregisters with its checkpointed id after a restart and re-attaches to a live shell task", async () => {
    const { master, newAgent } = await setup();
    const task = await orphanShellTask(master, newAgent(), cleanup.killGroup);
    const pid = task.pid;
    expect(isRunning(pid)).toBe(true);

    const second = newAgent();
    await second.start({ httpPort: 5051 });
    const reregister = master.registrations.at(-1)!;
    expect(reregister.type).toBe("reregister");
    expect(reregister.type === "reregister" && reregister.tasks.map((t) => [t.task.taskId, t.state])).toEqual(
      [[task.taskId, "TASK_RUNNING"]],
    );
    // Still watched: a kill reaches its group and ends it KILLED, not lost.
    master.kill(task.taskId, 0);
    await master.waitForState(task.taskId, "TASK_KILLED");
    await waitFor(async () => !isRunning(pid), "the task's process gone");
    expect(master.statesOf(task.taskId)).not.toContain("TASK_FAILED");
  });

  it("re-attaches to a live shell task an older agent checkpointed in a file of its own, and moves it into the task log", async () => {
    const { master, workDir, newAgent } = await setup();
    const task = await orphanShellTask(master, newAgent(), cleanup.killGroup);
    // The same task as an agent before the task log left it: meta/tasks/<framework>/<task>.json and its run beside it.
    const cp = new AgentCheckpoint(workDir);
    const [saved] = await cp.readTasks();
    const legacy = path.join(cp.dir, "tasks", saved!.framework.id!);
    await mkdir(legacy, { recursive: true });
    await writeFile(path.join(legacy, `${task.taskId}.json`), JSON.stringify({ ...saved, run: {} }));
    await writeFile(path.join(legacy, `${task.taskId}.json.run`), JSON.stringify(saved!.run));
    await rm(path.join(cp.dir, TASK_LOG));

    await newAgent().start({ httpPort: 5051 });
    const reregister = master.registrations.at(-1)!;
    expect(reregister.type === "reregister" && reregister.tasks.map((t) => [t.task.taskId, t.state])).toEqual(
      [[task.taskId, "TASK_RUNNING"]],
    );
    // The next launch's first write moves it into the log.
    const next = shellTask("sleep 300");
    master.runTasks([next]);
    await master.waitForState(next.taskId, "TASK_RUNNING");
    expect(await readdir(cp.dir)).not.toContain("tasks");
    expect((await cp.readTasks()).map((t) => t.task.taskId).sort()).toEqual(
      [next.taskId, task.taskId].sort(),
    );
    master.kill(task.taskId, 0);
    await master.waitForState(task.taskId, "TASK_KILLED");
    expect(master.statesOf(task.taskId)).not.toContain("TASK_FAILED");
  });

  it("does not start a task it cannot checkpoint: TASK_FAILED naming why, and the next task runs", async () => {
    const { master, workDir, newAgent } = await setup();
    await newAgent().start({ httpPort: 5051 });
    // A task log that cannot be opened for writing (as on a full or read-only disk).
    const log = path.join(workDir, "meta", TASK_LOG);
    await mkdir(log, { recursive: true });
    const marker = path.join(workDir, "started");
    const refused = shellTask(`touch ${marker}; sleep 300`);
    master.runTasks([refused]);
    const failed = await master.waitForState(refused.taskId, "TASK_FAILED");
    expect(failed.status.reason).toBe("REASON_CONTAINER_LAUNCH_FAILED");
    expect(failed.status.message).toMatch(/^could not checkpoint the task: .*EISDIR/);
    expect(existsSync(marker)).toBe(false);

    await rm(log, { recursive: true });
    const next = shellTask("sleep 300");
    master.runTasks([next]);
    await master.waitForState(next.taskId, "TASK_RUNNING");
    expect((await new AgentCheckpoint(workDir).readTasks()).map((t) => t.task.taskId)).toEqual([next.taskId]);
  });

  it.skipIf(!cgroups)("removes a recovered task's cgroup once the task ends", async () => {
    const { master, newAgent } = await setup();
    const confined = () => new ShellExecutor({ cgroups: cgroups!, recordExitStatus: true });
    const task = await orphanShellTask(master, newAgent(confined()), cleanup.killGroup);
    const name = `${FRAMEWORK_ID}.${task.taskId}`;
    const dir =
      cgroups!.mode === "v1" ? `/sys/fs/cgroup/memory/agora/${name}` : `/sys/fs/cgroup/agora/${name}`;
    expect(existsSync(dir), "the task's cgroup").toBe(true);

    await newAgent(confined()).start({ httpPort: 5051 });
    master.kill(task.taskId, 0);
    await master.waitForState(task.taskId, "TASK_KILLED");
    await waitFor(() => !existsSync(dir), "the recovered task's cgroup removed");
  });

  it.skipIf(!cgroups)("reports a recovered task the OOM killer ended as over its memory limit", async () => {
    const { master, newAgent } = await setup();
    const confined = () => new ShellExecutor({ cgroups: cgroups!, recordExitStatus: true });
    const first = newAgent(confined());
    await first.start({ httpPort: 5051 });
    const task = shellTask(`sleep 1; ${OUT_OF_MEMORY.command}`, { resources: OUT_OF_MEMORY.resources });
    master.runTasks([task]);
    await master.waitForState(task.taskId, "TASK_RUNNING");
    await first.stop({ killTasks: false });

    await newAgent(confined()).start({ httpPort: 5051 });
    const failed = await master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.reason).toBe("REASON_CONTAINER_LIMITATION_MEMORY");
    expect(failed.status.message).toBe("Task exceeded its memory limit and was killed (out of memory)");
  });

  it("takes a kill the master sends right after answering its reregistration: it listens under its id first", async () => {
    const { master, newAgent } = await setup();
    const task = await orphanShellTask(master, newAgent(), cleanup.killGroup);
    const pid = task.pid;

    // The master sends again a kill the restarting agent missed (Mesos' killedTasks), at once.
    master.afterReregistered = () => master.kill(task.taskId, 0);
    await newAgent().start({ httpPort: 5051 });
    await master.waitForState(task.taskId, "TASK_KILLED");
    await waitFor(async () => !isRunning(pid), "the task's process gone");
  });

  it("reports a shell task that ended while the agent was down by its recorded exit status", async () => {
    const { master, workDir, newAgent } = await setup();
    const first = newAgent();
    await first.start({ httpPort: 5051 });
    const ok = shellTask("sleep 0.5; exit 0");
    const bad = shellTask("sleep 0.5; exit 3");
    master.runTasks([ok, bad]);
    await master.waitForState(bad.taskId, "TASK_RUNNING");
    await first.stop({ killTasks: false });
    // Both end while no agent runs: only their checkpoints and exit status files are left.
    await waitFor(
      async () => (await readExitStatuses(workDir)).length === 2,
      "both tasks to record their exit",
    );

    const second = newAgent();
    await second.start({ httpPort: 5051 });
    await master.waitForState(ok.taskId, "TASK_FINISHED");
    const failed = await master.waitForState(bad.taskId, "TASK_FAILED");
    expect(failed.status.message).toBe("Command exited with status 3");
  });

  it("does not take a process that reuses a task's pid for the task, and leaves it alone", async () => {
    const { master, workDir, newAgent } = await setup();
    const task = await orphanShellTask(master, newAgent(), cleanup.killGroup);
    const pid = task.pid;
    // The checkpoint now names a start time the live process does not have, as after pid reuse.
    const cp = new AgentCheckpoint(workDir);
    const [saved] = await cp.readTasks();
    await cp.writeTask({ ...saved!, run: { pid, startTime: saved!.run.startTime! + 1 } });

    const second = newAgent();
    await second.start({ httpPort: 5051 });
    const failed = await master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.message).toMatch(/left no exit status/);
    expect(isRunning(pid)).toBe(true);
  });

  it("resends updates a previous agent process never had acknowledged, after reregistering", async () => {
    const { master, newAgent } = await setup();
    master.autoAck = false;
    const first = newAgent();
    await first.start({ httpPort: 5051 });
    const task = shellTask("exit 0");
    master.runTasks([task]);
    await master.waitForState(task.taskId, "TASK_RUNNING");
    await first.stop({ killTasks: false });
    const sentBefore = master.updates.length;

    master.autoAck = true;
    const second = newAgent();
    await second.start({ httpPort: 5051 });
    // RUNNING went unacknowledged: the new process resends it, then FINISHED follows in order.
    await master.waitForState(task.taskId, "TASK_FINISHED");
    const resent = master.updates.slice(sentBefore).map((u) => u.status.state);
    expect(resent[0]).toBe("TASK_RUNNING");
    expect(resent.indexOf("TASK_FINISHED")).toBeGreaterThan(0);
    await waitFor(async () => second.pendingUpdates === 0, "every update acknowledged");
  });
});

async function readExitStatuses(workDir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name === EXIT_STATUS_FILE) found.push(await readFile(p, "utf8"));
    }
  };
  await walk(path.join(workDir, "sandboxes"));
  return found;
}
