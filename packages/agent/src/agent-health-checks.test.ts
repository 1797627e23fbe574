import { writeFile } from "node:fs/promises";
import path from "node:path";
import { waitFor } from "@agora/transport/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentFixture, startAgent } from "./test-support/agent-fixture.js";
import { FRAMEWORK_ID, shellTask } from "./test-support/fake-master.js";
import { fastHealthCheck, freePort, healthOf } from "./test-support/health.js";

let fx: AgentFixture;

afterEach(async () => {
  await fx?.close();
});

/** Serves HTTP on `port` with busybox httpd until a `stop` file appears in the sandbox. */
const httpdUntilStopped = (port: number) =>
  `busybox httpd -f -p 127.0.0.1:${port} -h . & touch index.html; ` +
  "while [ ! -f stop ]; do sleep 0.05; done; kill $!; sleep 300";

describe("agent-side health checks (shell tasks)", () => {
  for (const type of ["HTTP", "TCP"] as const) {
    it(`${type}: turns healthy, then unhealthy once the server stops, and is killed after the failures`, async () => {
      fx = await startAgent();
      const port = await freePort();
      const task = shellTask(httpdUntilStopped(port), {
        healthCheck: fastHealthCheck(
          type === "HTTP"
            ? { type, http: { port, path: "/" }, gracePeriodSeconds: 600 }
            : { type, tcp: { port }, gracePeriodSeconds: 600 },
        ),
      });
      fx.master.runTasks([task]);
      await waitFor(() => healthOf(fx.master, task.taskId).includes(true), "healthy");
      const sandbox = path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, task.taskId);
      await writeFile(path.join(sandbox, "stop"), "");
      const killed = await fx.master.waitForState(task.taskId, "TASK_KILLED");
      expect(healthOf(fx.master, task.taskId)).toEqual([true, false, false]);
      expect(killed.status).toMatchObject({
        healthy: false,
        reason: "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
        message: "Task killed after 2 consecutive failed health checks",
      });
      const running = fx.master.updates.filter(
        (u) => u.status.taskId === task.taskId && u.status.state === "TASK_RUNNING",
      );
      expect(running.map((u) => u.status.healthy)).toEqual([undefined, true, false]);
    });
  }

  it("COMMAND: runs in the task's sandbox and environment; exit 0 is healthy", async () => {
    fx = await startAgent();
    const task = shellTask("sleep 300", {
      healthCheck: fastHealthCheck({
        type: "COMMAND",
        command: { value: 'test "$AGORA_TASK_ID" != "" && test -f healthy', shell: true },
        consecutiveFailures: 1_000_000,
      }),
    });
    fx.master.runTasks([task]);
    await waitFor(
      () => healthOf(fx.master, task.taskId).includes(false),
      "unhealthy while the file is missing",
    );
    const sandbox = path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, task.taskId);
    await writeFile(path.join(sandbox, "healthy"), "");
    await waitFor(() => healthOf(fx.master, task.taskId).includes(true), "healthy once the file exists");
    expect(fx.master.statesOf(task.taskId)).not.toContain("TASK_KILLED");
  });
});
