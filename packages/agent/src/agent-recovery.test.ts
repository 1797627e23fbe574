import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InProcessBus } from "@agora/transport";
import { afterEach, describe, expect, it } from "vitest";
import { Agent } from "./agent.js";
import { AgentCheckpoint } from "./checkpoint.js";
import { AGENT_RESOURCES } from "./test-support/agent-fixture.js";
import { FakeMaster, isRunning, shellTask, waitUntil } from "./test-support/fake-master.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup.length = 0;
});

async function setup() {
  const bus = new InProcessBus();
  const master = new FakeMaster(bus).start();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "agora-recovery-"));
  cleanup.push(async () => {
    master.stop();
    await bus.close();
    await rm(workDir, { recursive: true, force: true });
  });
  const newAgent = () => {
    const agent = new Agent({ bus, workDir, resources: AGENT_RESOURCES, hostname: "h", checkpoint: true });
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
    await waitUntil(async () => (await cp.readTasks()).length === 0, "the checkpoint removed");
  });

  it("reregisters with its checkpointed id after a restart, and reports a task it cannot recover as failed", async () => {
    const { master, newAgent } = await setup();
    const first = newAgent();
    await first.start({ httpPort: 5051 });
    const task = shellTask("sleep 300");
    master.runTasks([task]);
    const running = await master.waitForState(task.taskId, "TASK_RUNNING");
    const pid = running.status.containerStatus!.executorPid!;
    cleanup.push(() => {
      if (isRunning(pid)) process.kill(-pid, "SIGKILL");
    });
    // The process dies without killing its tasks, as after kill -9.
    await first.stop({ killTasks: false });

    const second = newAgent();
    await second.start({ httpPort: 5051 });
    const reregister = master.registrations.at(-1)!;
    expect(reregister.type).toBe("reregister");
    expect(reregister.type === "reregister" && reregister.tasks.map((t) => [t.task.taskId, t.state])).toEqual(
      [[task.taskId, "TASK_RUNNING"]],
    );
    // The shell executor does not recover processes (yet): the task is reported gone.
    const failed = await master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.reason).toBe("REASON_EXECUTOR_TERMINATED");
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
    await waitUntil(async () => second.pendingUpdates === 0, "every update acknowledged");
  });
});
