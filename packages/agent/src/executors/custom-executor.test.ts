import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AgentId, ExecutorId, FrameworkId, TaskInfo } from "@agora/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isAgentError } from "../errors.js";
import type { ExecutorReportedStatus, LaunchContext, TaskExit } from "../executor.js";
import { isMesosAgentApiError } from "../mesos-v1/errors.js";
import { CustomExecutors, type ExecutorSink } from "./custom-executor.js";

const fid = "fw-1" as FrameworkId;
const aid = "agent-1" as AgentId;
let dir: string;
let executors: CustomExecutors;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "agora-custom-executor-"));
  executors = new CustomExecutors({
    agent: () => ({ id: aid, hostname: "h", port: 5051, resources: [], attributes: [] }),
    endpoint: () => "127.0.0.1:5051",
    onMessage: () => {},
    sandboxOf: (frameworkId, executorId) => path.join(dir, frameworkId, "executors", executorId),
    registrationTimeoutMs: 500,
    shutdownGracePeriodMs: 200,
  });
});

afterEach(async () => {
  await executors.shutdownAll(0);
  await rm(dir, { recursive: true, force: true });
});

const task = (id: string, command: string): TaskInfo => ({
  taskId: id as TaskInfo["taskId"],
  name: id,
  agentId: aid,
  resources: [{ name: "cpus", scalar: 0.1 }],
  executor: { executorId: "ex" as ExecutorId, command: { value: command, shell: true } },
});

function context() {
  const statuses: ExecutorReportedStatus[] = [];
  const exits: TaskExit[] = [];
  const ctx: LaunchContext = {
    frameworkId: fid,
    agentId: aid,
    sandbox: dir,
    env: {},
    framework: { id: fid, name: "f", user: "root", roles: ["*"], failoverTimeout: 0, checkpoint: false },
    onExit: (exit) => exits.push(exit),
    onStatus: (status) => statuses.push(status),
  };
  return { ctx, statuses, exits };
}

/** A sink that keeps the events an executor would read. */
function sink() {
  const events: Array<{ type: string } & Record<string, unknown>> = [];
  const s: ExecutorSink & { events: typeof events } = {
    events,
    send: (e) => events.push(e as (typeof events)[number]),
    close: () => {},
  };
  return s;
}

const launchFailure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAgentError(err, "LAUNCH_FAILED")) throw new Error(`expected LAUNCH_FAILED, got ${String(err)}`);
  return err;
};

describe("CustomExecutors", () => {
  it("fails the launch with REASON_EXECUTOR_TERMINATED when the executor exits before subscribing", async () => {
    const err = await launchFailure(executors.launch(task("t", "exit 5"), context().ctx));
    expect(err.reason).toBe("REASON_EXECUTOR_TERMINATED");
    expect(err.message).toContain("status 5");
    expect(executors.list()).toEqual([]);
  });

  it("kills an executor that does not subscribe in time (REASON_EXECUTOR_REGISTRATION_TIMEOUT)", async () => {
    const err = await launchFailure(executors.launch(task("t", "sleep 30"), context().ctx));
    expect(err.reason).toBe("REASON_EXECUTOR_REGISTRATION_TIMEOUT");
    await expect.poll(() => executors.list()).toEqual([]);
  });

  it("sends SUBSCRIBED then LAUNCH, records UPDATEs and ACKNOWLEDGEs them, drops repeats, and fails what remains when the executor ends", async () => {
    const { ctx, statuses, exits } = context();
    const launching = executors.launch(task("t1", "sleep 30"), ctx);
    await expect.poll(() => executors.list().length).toBe(1);
    expect(() =>
      executors.update(fid, "ex" as ExecutorId, { taskId: "t1", state: "TASK_RUNNING", uuid: "u" } as never),
    ).toThrow("Executor is not subscribed");
    const stream = sink();
    executors.subscribe(fid, "ex" as ExecutorId, stream);
    const handle = await launching;
    expect(handle.reportsOwnStatus).toBe(true);
    expect(stream.events.map((e) => e.type)).toEqual(["SUBSCRIBED", "LAUNCH"]);

    const uuid = Buffer.alloc(16, 1).toString("base64");
    executors.update(fid, "ex" as ExecutorId, {
      taskId: "t1" as TaskInfo["taskId"],
      state: "TASK_RUNNING",
      uuid,
    });
    expect(statuses).toEqual([
      {
        state: "TASK_RUNNING",
        source: "SOURCE_EXECUTOR",
        executorId: "ex",
        containerStatus: { containerId: expect.any(String), executorPid: handle.pid },
      },
    ]);
    expect(stream.events.at(-1)).toEqual({
      type: "ACKNOWLEDGED",
      acknowledged: { task_id: { value: "t1" }, uuid },
    });
    let unknown: unknown;
    try {
      executors.update(fid, "ex" as ExecutorId, {
        taskId: "nope" as TaskInfo["taskId"],
        state: "TASK_RUNNING",
        uuid,
      });
    } catch (e) {
      unknown = e;
    }
    expect(isMesosAgentApiError(unknown) && unknown.status).toBe(400);

    // A second task on the same executor goes to the running process.
    const second = context();
    await executors.launch(task("t2", "ignored: the executor runs already"), second.ctx);
    expect(stream.events.at(-1)).toMatchObject({
      type: "LAUNCH",
      launch: { task: { task_id: { value: "t2" } } },
    });
    executors.update(fid, "ex" as ExecutorId, {
      taskId: "t2" as TaskInfo["taskId"],
      state: "TASK_FINISHED",
      uuid,
    });
    executors.update(fid, "ex" as ExecutorId, {
      taskId: "t2" as TaskInfo["taskId"],
      state: "TASK_FINISHED",
      uuid,
    });
    expect(second.statuses.map((s) => s.state)).toEqual(["TASK_FINISHED"]);
    expect(stream.events.filter((e) => e.type === "ACKNOWLEDGED")).toHaveLength(3);

    // The executor is killed under t1: t1 fails; t2, already finished, is left alone.
    process.kill(-handle.pid!, "SIGKILL");
    await expect
      .poll(() => exits)
      .toEqual([{ kind: "executorTerminated", message: expect.stringContaining("signal SIGKILL") }]);
    expect(second.exits).toEqual([]);
  });

  it("sends KILL with the grace period for a kill, and takes a new SUBSCRIBE after the stream broke", async () => {
    const { ctx, statuses } = context();
    const launching = executors.launch(task("t1", "sleep 30"), ctx);
    await expect.poll(() => executors.list().length).toBe(1);
    const first = sink();
    executors.subscribe(fid, "ex" as ExecutorId, first);
    const handle = await launching;

    executors.disconnected(fid, "ex" as ExecutorId, first);
    const second = sink();
    executors.subscribe(fid, "ex" as ExecutorId, second);
    expect(second.events.map((e) => e.type)).toEqual(["SUBSCRIBED"]);

    const killed = handle.kill(2500);
    expect(second.events.at(-1)).toEqual({
      type: "KILL",
      kill: { task_id: { value: "t1" }, kill_policy: { grace_period: { nanoseconds: 2.5e9 } } },
    });
    const uuid = Buffer.alloc(16, 2).toString("base64");
    executors.update(fid, "ex" as ExecutorId, {
      taskId: "t1" as TaskInfo["taskId"],
      state: "TASK_KILLED",
      uuid,
    });
    await killed;
    expect(statuses.map((s) => s.state)).toEqual(["TASK_KILLED"]);
    expect(first.events.filter((e) => e.type === "KILL")).toEqual([]);
  });

  it("sends SHUTDOWN on a framework's shutdown and kills an executor that ignores it after its grace period", async () => {
    const { ctx, exits } = context();
    const launching = executors.launch(task("t1", "trap '' TERM; sleep 30"), ctx);
    await expect.poll(() => executors.list().length).toBe(1);
    const stream = sink();
    executors.subscribe(fid, "ex" as ExecutorId, stream);
    await launching;
    await executors.shutdownFramework(fid);
    expect(stream.events.map((e) => e.type)).toContain("SHUTDOWN");
    expect(exits).toEqual([{ kind: "executorTerminated", message: "Executor shut down" }]);
    expect(executors.list()).toEqual([]);
  });
});
