import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { HealthCheckInput, TaskInfo } from "@agora/protocol";
import { waitFor } from "@agora/transport/testing";
import Dockerode from "dockerode";
import { afterEach, describe, expect, it } from "vitest";
import { DockerExecutor } from "./executors/docker-executor.js";
import { ShellExecutor } from "./executors/shell-executor.js";
import { type AgentFixture, startAgent } from "./test-support/agent-fixture.js";
import { dockerAvailable, TEST_IMAGE } from "./test-support/docker-available.js";
import { FRAMEWORK_ID, OUT_OF_MEMORY, shellTask } from "./test-support/fake-master.js";
import { fastHealthCheck, freePort, healthOf } from "./test-support/health.js";

/** Checks every 100 ms, killed after 3 failures: slow enough for a container's first probe. */
const fast = (check: HealthCheckInput) =>
  fastHealthCheck({ intervalSeconds: 0.1, timeoutSeconds: 2, consecutiveFailures: 3, ...check });

const available = await dockerAvailable();
let fx: AgentFixture;

afterEach(async () => {
  await fx?.close();
});

function containerTask(command: string, overrides: Partial<TaskInfo> = {}): TaskInfo {
  return shellTask(command, {
    container: {
      type: "DOCKER",
      docker: { image: TEST_IMAGE, network: "HOST", forcePullImage: false, privileged: false },
    },
    ...overrides,
  });
}

const startDockerAgent = () =>
  startAgent({
    executors: { shell: new ShellExecutor(), docker: new DockerExecutor({ docker: new Dockerode() }) },
  });

describe.skipIf(!available)("Docker tasks on an agent (real dockerd)", () => {
  it("a busybox httpd on the host network turns healthy, then unhealthy once its server stops, and is killed after the failures", async () => {
    fx = await startDockerAgent();
    const port = await freePort();
    const task = containerTask(
      `httpd -f -p 127.0.0.1:${port} -h /tmp & touch /tmp/index.html; ` +
        "while [ ! -f $MESOS_SANDBOX/stop ]; do sleep 0.05; done; kill $!; sleep 300",
      // The grace period covers the server's start; once healthy, failures count.
      { healthCheck: fast({ type: "HTTP", http: { port, path: "/" }, gracePeriodSeconds: 600 }) },
    );
    fx.master.runTasks([task]);
    const running = await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    expect(running.status.containerStatus?.containerId).toMatch(/^[0-9a-f]{64}$/);
    await waitFor(() => healthOf(fx.master, task.taskId).includes(true), "healthy");
    await writeFile(path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, task.taskId, "stop"), "");
    const killed = await fx.master.waitForState(task.taskId, "TASK_KILLED", 30_000);
    expect(healthOf(fx.master, task.taskId)).toEqual([true, false, false]);
    expect(killed.status).toMatchObject({
      healthy: false,
      reason: "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED",
      message: "Task killed after 3 consecutive failed health checks",
    });
  });

  it("runs COMMAND health checks inside the container", async () => {
    fx = await startDockerAgent();
    const task = containerTask("touch /tmp/inside; sleep 300", {
      healthCheck: fast({
        type: "COMMAND",
        command: { value: "test -f /tmp/inside", shell: true },
        gracePeriodSeconds: 600,
      }),
    });
    fx.master.runTasks([task]);
    await waitFor(() => healthOf(fx.master, task.taskId).includes(true), "healthy");
    expect(healthOf(fx.master, task.taskId)[0]).toBe(true);
  });

  it("fetches the task's URIs into the sandbox before the container is created", async () => {
    fx = await startDockerAgent();
    const source = path.join(fx.workDir, "motd.txt");
    await writeFile(source, "fetched for a container\n");
    const task = containerTask("cat $MESOS_SANDBOX/motd.txt", {
      command: { value: "cat $MESOS_SANDBOX/motd.txt", shell: true, uris: [{ value: source }] },
    });
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED", 30_000);
    const stdout = await readFile(
      path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, task.taskId, "stdout"),
      "utf8",
    );
    expect(stdout).toBe("fetched for a container\n");
  });

  it("fails a container task with mem 32 that allocates 100 MB with the memory reason", async () => {
    fx = await startDockerAgent();
    const task = containerTask(OUT_OF_MEMORY.command, { resources: OUT_OF_MEMORY.resources });
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED", 30_000);
    expect(failed.status.reason).toBe("REASON_CONTAINER_LIMITATION_MEMORY");
    expect(failed.status.message).toMatch(/out of memory/);
  });
});
