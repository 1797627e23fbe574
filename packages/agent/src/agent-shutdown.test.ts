import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { InProcessBus, ManualClock } from "@agora/transport";
import { waitFor } from "@agora/transport/testing";
import { describe, expect, it } from "vitest";
import { Agent, DEFAULT_SHUTDOWN_GRACE_MS } from "./agent.js";
import { AGENT_RESOURCES, type AgentFixture, startAgent } from "./test-support/agent-fixture.js";
import { cleanupAfterEach } from "./test-support/cleanup.js";
import { FakeMaster, isRunning, shellTask } from "./test-support/fake-master.js";
import { orphanShellTask } from "./test-support/orphaned-task.js";

const cleanup = cleanupAfterEach();

describe("an agent shutdown that kills its tasks (SIGUSR1)", () => {
  it("SIGKILLs a task ignoring SIGTERM after the shutdown grace period, not after its own 10-minute one", async () => {
    const clock = new ManualClock();
    const fx: AgentFixture = await startAgent({ clock });
    cleanup.push(() => fx.close());
    const task = shellTask(`trap 'touch term' TERM; touch ready; while true; do sleep 0.05; done`, {
      killPolicy: { gracePeriodSeconds: 600 },
    });
    fx.master.runTasks([task]);
    const running = await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    const pid = running.status.containerStatus!.executorPid!;
    cleanup.killGroup(pid);
    const sandbox = fx.agent.frameworks()[0]!.tasks[0]!.sandbox;
    // A SIGTERM before the shell has set its trap would end it at once (seen on a loaded machine).
    await waitFor(() => existsSync(path.join(sandbox, "ready")), "the task's trap to be set");

    let stopped = false;
    void fx.agent.stop({ killTasks: true }).then(() => {
      stopped = true;
    });
    await waitFor(() => existsSync(path.join(sandbox, "term")), "the task to get SIGTERM");
    clock.advance(DEFAULT_SHUTDOWN_GRACE_MS - 1);
    expect(isRunning(pid)).toBe(true);
    clock.advance(1);
    await waitFor(() => stopped, "the shutdown to finish", 5000);
    await waitFor(() => !isRunning(pid), "the task's process gone", 5000);
  });

  it("kills the tasks it recovered while it still registers (no master answers yet)", async () => {
    const bus = new InProcessBus();
    const master = new FakeMaster(bus).start();
    const workDir = await mkdtemp(path.join(os.tmpdir(), "agora-shutdown-"));
    cleanup.push(async () => {
      master.stop();
      await bus.close();
      await rm(workDir, { recursive: true, force: true });
    });
    const newAgent = () =>
      new Agent({ bus, workDir, resources: AGENT_RESOURCES, hostname: "h", checkpoint: true });
    const { pid } = await orphanShellTask(master, newAgent(), cleanup.killGroup);
    master.stop(); // and no master answers the restarted agent

    const second = newAgent();
    const starting = second.start({ httpPort: 5051 });
    await second.stop({ killTasks: true });
    await waitFor(() => !isRunning(pid), "the recovered task's process gone", 5000);
    await starting; // returns without registering
    expect(second.id).toBe("agent-1");
  });
});
