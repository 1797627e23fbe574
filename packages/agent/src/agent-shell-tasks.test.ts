import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AgentId, TaskId } from "@agora/protocol";
import { waitFor } from "@agora/transport/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentFixture, startAgent } from "./test-support/agent-fixture.js";
import { FRAMEWORK_ID, isRunning, shellTask } from "./test-support/fake-master.js";

let fx: AgentFixture;

afterEach(async () => {
  await fx?.close();
});

async function sandboxFile(taskId: string, name: string): Promise<string> {
  return readFile(path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, taskId, name), "utf8");
}

describe("shell tasks on an agent", () => {
  it("runs a command to TASK_FINISHED with its output in the sandbox's stdout and stderr", async () => {
    fx = await startAgent();
    const task = shellTask("echo hello; echo oops >&2");
    fx.master.runTasks([task]);
    const finished = await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    expect(fx.master.statesOf(task.taskId)).toEqual(["TASK_RUNNING", "TASK_FINISHED"]);
    expect(finished.status.containerStatus?.exitCode).toBe(0);
    expect(finished.status.agentId).toBe("agent-1");
    expect(finished.status.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await sandboxFile(task.taskId, "stdout")).toBe("hello\n");
    expect(await sandboxFile(task.taskId, "stderr")).toBe("oops\n");
  });

  it("gives the task its ports, host, ids, sandbox and own environment", async () => {
    fx = await startAgent();
    const task = shellTask("env", {
      command: { value: "env", shell: true, environment: { GREETING: "hi" } },
    });
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    const env = Object.fromEntries(
      (await sandboxFile(task.taskId, "stdout"))
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    const sandbox = path.join(fx.workDir, "sandboxes", FRAMEWORK_ID, task.taskId);
    expect(env).toMatchObject({
      PORT0: "31005",
      PORT1: "31006",
      PORT: "31005",
      PORTS: "31005,31006",
      HOST: "test-host",
      AGORA_TASK_ID: task.taskId,
      MESOS_TASK_ID: task.taskId,
      MESOS_SANDBOX: sandbox,
      MESOS_AGENT_ID: "agent-1",
      MESOS_FRAMEWORK_ID: FRAMEWORK_ID,
      GREETING: "hi",
    });
    expect(env.PATH).toBeTruthy();
    expect(env.PWD).toBe(sandbox);
  });

  it("runs a program without a shell, arguments[0] being argv[0]", async () => {
    fx = await startAgent();
    const task = shellTask("", {
      command: { shell: false, value: "/bin/echo", arguments: ["echo", "a b", "$HOME"] },
    });
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    expect(await sandboxFile(task.taskId, "stdout")).toBe("a b $HOME\n");
  });

  it("reports a non-zero exit as TASK_FAILED with the exit code", async () => {
    fx = await startAgent();
    const task = shellTask("exit 3");
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.containerStatus?.exitCode).toBe(3);
    expect(failed.status.message).toBe("Command exited with status 3");
  });

  it("reports a task killed by a signal nobody asked for as TASK_FAILED naming the signal", async () => {
    fx = await startAgent();
    const task = shellTask("kill -USR1 $$");
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.message).toBe("Command terminated with signal SIGUSR1");
  });

  it("fails a program that cannot be started with REASON_COMMAND_EXECUTOR_FAILED", async () => {
    fx = await startAgent();
    const task = shellTask("", { command: { shell: false, value: "/nonexistent/program" } });
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.reason).toBe("REASON_COMMAND_EXECUTOR_FAILED");
    expect(fx.master.statesOf(task.taskId)).toEqual(["TASK_FAILED"]);
  });

  it("kills with SIGTERM and reports TASK_KILLED", async () => {
    fx = await startAgent();
    const task = shellTask(
      "trap 'echo got TERM; exit 143' TERM; echo ready; while true; do sleep 0.05; done",
    );
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    await waitFor(() => fx.agent.frameworks()[0]?.tasks.length === 1, "the task to be booked");
    await waitForFile(task.taskId, "ready");
    fx.master.kill(task.taskId);
    const killed = await fx.master.waitForState(task.taskId, "TASK_KILLED");
    expect(killed.status.state).toBe("TASK_KILLED");
    expect(await sandboxFile(task.taskId, "stdout")).toContain("got TERM");
  });

  it("SIGKILLs a task that ignores SIGTERM once its grace period is over, and reports TASK_KILLED", async () => {
    fx = await startAgent();
    const task = shellTask("trap '' TERM; echo $$ > pid; sleep 60", {
      killPolicy: { gracePeriodSeconds: 0.2 },
    });
    fx.master.runTasks([task]);
    await waitForFile(task.taskId, "\n", "pid");
    const pid = Number((await sandboxFile(task.taskId, "pid")).trim());
    fx.master.kill(task.taskId);
    await fx.master.waitForState(task.taskId, "TASK_KILLED");
    expect(isRunning(pid)).toBe(false);
  });

  it("leaves no grandchild behind when the main process exits", async () => {
    fx = await startAgent();
    const task = shellTask("sleep 100 & echo $! > child; exit 0");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    const child = Number((await sandboxFile(task.taskId, "child")).trim());
    await waitFor(() => !isRunning(child), `grandchild ${child} to be gone`);
  });

  it("kills the whole process group on a kill (sh -c 'sleep 100 & wait')", async () => {
    fx = await startAgent();
    const task = shellTask("sleep 100 & echo $! > child; wait", { killPolicy: { gracePeriodSeconds: 1 } });
    fx.master.runTasks([task]);
    await waitForFile(task.taskId, "\n", "child");
    const child = Number((await sandboxFile(task.taskId, "child")).trim());
    fx.master.kill(task.taskId);
    await fx.master.waitForState(task.taskId, "TASK_KILLED");
    await waitFor(() => !isRunning(child), `grandchild ${child} to be gone`);
  });

  it("stop({ killTasks: true }) kills every task and leaves no process", async () => {
    fx = await startAgent();
    const tasks = [
      shellTask("echo $$ > pid; sleep 100"),
      shellTask("trap '' TERM; echo $$ > pid; sleep 100 & wait"),
    ];
    fx.master.runTasks(tasks);
    for (const t of tasks) await waitForFile(t.taskId, "\n", "pid");
    const pids = await Promise.all(
      tasks.map(async (t) => Number((await sandboxFile(t.taskId, "pid")).trim())),
    );
    await fx.agent.stop({ killTasks: true });
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect(fx.agent.frameworks()[0]?.tasks).toEqual([]);
  });

  it("kills a task whose kill arrives while it is still launching", async () => {
    fx = await startAgent();
    const task = shellTask("sleep 100");
    fx.master.runTasks([task]);
    fx.master.kill(task.taskId);
    await fx.master.waitForState(task.taskId, "TASK_KILLED");
    expect(fx.master.statesOf(task.taskId)).toEqual(["TASK_RUNNING", "TASK_KILLED"]);
  });

  it("shutdownFramework kills all of the framework's tasks, and tells nobody (the master booked them KILLED)", async () => {
    fx = await startAgent();
    const tasks = [shellTask("echo $$ > pid; sleep 100"), shellTask("echo $$ > pid; sleep 100")];
    fx.master.runTasks(tasks);
    for (const t of tasks) await waitForFile(t.taskId, "\n", "pid");
    const pids = await Promise.all(
      tasks.map(async (t) => Number((await sandboxFile(t.taskId, "pid")).trim())),
    );
    fx.master.send({ type: "shutdownFramework", frameworkId: FRAMEWORK_ID });
    await waitFor(() => fx.agent.completedFrameworks().length === 1, "the framework to complete");
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expect(fx.agent.frameworks()).toEqual([]);
    expect(fx.agent.completedFrameworks()[0]?.completedTasks.map((t) => t.state)).toEqual([
      "TASK_KILLED",
      "TASK_KILLED",
    ]);
    expect(fx.master.updates.some((u) => u.status.state === "TASK_KILLED")).toBe(false);
  });
});

describe("invalid launches", () => {
  it("fails a second task with an id already running, with REASON_TASK_INVALID", async () => {
    fx = await startAgent();
    const task = shellTask("sleep 100");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    fx.master.runTasks([{ ...task, command: { value: "echo again", shell: true } }]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.reason).toBe("REASON_TASK_INVALID");
    expect(fx.agent.frameworks()[0]?.tasks.map((t) => t.state)).toEqual(["TASK_RUNNING"]);
  });

  it("fails a Docker task on an agent without a Docker executor", async () => {
    fx = await startAgent();
    const task = shellTask("true", {
      container: {
        type: "DOCKER",
        docker: { image: "busybox", network: "HOST", forcePullImage: false, privileged: false },
      },
    });
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.reason).toBe("REASON_CONTAINER_LAUNCH_FAILED");
    expect(failed.status.message).toBe("this agent has no Docker executor");
    expect(fx.agent.capabilities).toEqual(["shell"]);
  });

  it("fails a task addressed to another agent", async () => {
    fx = await startAgent();
    const task = shellTask("true", { agentId: "agent-2" as AgentId });
    fx.master.runTasks([task]);
    const failed = await fx.master.waitForState(task.taskId, "TASK_FAILED");
    expect(failed.status.reason).toBe("REASON_TASK_INVALID");
  });

  it("answers a kill of a task it does not know with TASK_LOST (TASK_DROPPED when partition-aware)", async () => {
    fx = await startAgent();
    fx.master.kill("never-launched");
    const lost = await fx.master.waitForState("never-launched", "TASK_LOST");
    expect(lost.status.reason).toBe("REASON_EXECUTOR_TERMINATED");

    const aware = {
      id: "fw-2" as typeof FRAMEWORK_ID,
      name: "aware",
      user: "root",
      roles: ["*"],
      failoverTimeout: 0,
      checkpoint: false,
      capabilities: ["PARTITION_AWARE"],
    };
    const task = shellTask("true", { taskId: "aware-1" as TaskId });
    fx.master.runTasks([task], aware);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    fx.master.send({ type: "killTask", frameworkId: aware.id, taskId: "aware-unknown" as TaskId });
    await fx.master.waitForState("aware-unknown", "TASK_DROPPED");
  });
});

/** Waits until the sandbox file `name` of `taskId` exists and contains `needle`. */
async function waitForFile(taskId: string, needle: string, name = "stdout"): Promise<void> {
  await waitFor(
    () =>
      sandboxFile(taskId, name).then(
        (c) => c.includes(needle),
        () => false,
      ),
    `${name} of ${taskId} to contain ${JSON.stringify(needle)}`,
  );
}
