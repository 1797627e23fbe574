import type { AgentId, ExecutorId, FrameworkId, TaskInfo } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import type { AgentView, TaskView } from "../agent-view.js";
import { agentResponse, getContainers, parseAgentCall } from "./agent-operator.js";
import { isMesosAgentApiError } from "./errors.js";
import { parseExecutorCall } from "./executor-calls.js";
import { executorEnvironment, mesosDuration } from "./executor-env.js";
import { executorEvents, recordIo } from "./executor-events.js";

const fid = "fw-1" as FrameworkId;
const aid = "agent-1" as AgentId;
const ids = { framework_id: { value: fid }, executor_id: { value: "ex-1" } };
const uuid = Buffer.alloc(16, 7).toString("base64");

function failure(fn: () => unknown): { status: number; message: string; field: string | undefined } {
  try {
    fn();
  } catch (err) {
    if (isMesosAgentApiError(err)) return { status: err.status, message: err.message, field: err.field };
    throw err;
  }
  throw new Error("expected a MesosAgentApiError");
}

const executorTask: TaskInfo = {
  taskId: "t-1" as TaskInfo["taskId"],
  name: "t-1",
  agentId: aid,
  resources: [{ name: "cpus", scalar: 0.5 }],
  data: Buffer.from("work").toString("base64"),
  labels: { team: "a" },
  executor: {
    executorId: "ex-1" as ExecutorId,
    name: "mine",
    command: { value: "./executor", shell: true, environment: { MODE: "fast" } },
    shutdownGracePeriodSeconds: 2,
  },
};

describe("executor calls (Mesos' executor::Call JSON)", () => {
  it("reads SUBSCRIBE, UPDATE, MESSAGE and HEARTBEAT", () => {
    expect(parseExecutorCall({ ...ids, type: "SUBSCRIBE", subscribe: {} })).toEqual({
      frameworkId: fid,
      executorId: "ex-1",
      type: "SUBSCRIBE",
    });
    const update = parseExecutorCall({
      ...ids,
      type: "UPDATE",
      update: {
        status: {
          task_id: { value: "t-1" },
          state: "TASK_RUNNING",
          source: "SOURCE_EXECUTOR",
          uuid,
          healthy: true,
          message: "up",
          reason: "REASON_NOT_KNOWN_TO_AGORA",
          labels: { labels: [{ key: "k", value: "v" }] },
        },
      },
    });
    expect(update).toEqual({
      frameworkId: fid,
      executorId: "ex-1",
      type: "UPDATE",
      status: {
        taskId: "t-1",
        state: "TASK_RUNNING",
        uuid,
        healthy: true,
        message: "up",
        labels: { k: "v" },
      },
    });
    expect(parseExecutorCall({ ...ids, type: "MESSAGE", message: { data: "aGk=" } })).toMatchObject({
      type: "MESSAGE",
      data: "aGk=",
    });
    expect(parseExecutorCall({ ...ids, type: "HEARTBEAT" }).type).toBe("HEARTBEAT");
  });

  it("refuses what Mesos' validateExecutorCall refuses, with its messages", () => {
    const status = { task_id: { value: "t" }, state: "TASK_RUNNING", source: "SOURCE_EXECUTOR", uuid };
    const update = (s: object) => () => parseExecutorCall({ ...ids, type: "UPDATE", update: { status: s } });
    expect(
      failure(() => parseExecutorCall({ type: "SUBSCRIBE", framework_id: ids.framework_id })).message,
    ).toBe("Failed to validate Executor::Call: Expecting 'executor_id' to be present");
    expect(failure(() => parseExecutorCall({ ...ids, type: "SUBSCRIBE" })).field).toBe("subscribe");
    expect(failure(() => parseExecutorCall({ ...ids, type: "UPDATE" })).field).toBe("update");
    expect(failure(update({ ...status, uuid: undefined })).message).toContain(
      "Expecting 'uuid' to be present",
    );
    expect(failure(update({ ...status, uuid: "c2hvcnQ=" })).field).toBe("update.status.uuid");
    expect(failure(update({ ...status, state: "TASK_STAGING" })).message).toContain(
      "Received TASK_STAGING from executor ex-1 of framework fw-1 which is not allowed",
    );
    expect(failure(update({ ...status, source: "SOURCE_AGENT" })).field).toBe("update.status.source");
    expect(failure(update({ ...status, executor_id: { value: "other" } })).message).toContain(
      "ExecutorID in Call: ex-1 does not match ExecutorID in TaskStatus: other",
    );
    expect(failure(update({ ...status, state: "TASK_NOPE" })).field).toBe("update.status.state");
    const notACall = failure(() => parseExecutorCall({ type: "DANCE" }));
    expect(notACall).toMatchObject({ status: 400, field: "type" });
    expect(notACall.message).toMatch(/^Failed to convert JSON into Call protobuf: type: /);
  });
});

describe("executor events and environment", () => {
  it("LAUNCH carries the task as Mesos' TaskInfo, with its executor and data", () => {
    expect(executorEvents.launch(executorTask, fid)).toEqual({
      type: "LAUNCH",
      launch: {
        task: {
          name: "t-1",
          task_id: { value: "t-1" },
          agent_id: { value: "agent-1" },
          resources: [{ name: "cpus", type: "SCALAR", scalar: { value: 0.5 } }],
          data: "d29yaw==",
          labels: { labels: [{ key: "team", value: "a" }] },
          executor: {
            type: "CUSTOM",
            executor_id: { value: "ex-1" },
            framework_id: { value: "fw-1" },
            name: "mine",
            command: {
              value: "./executor",
              shell: true,
              environment: { variables: [{ name: "MODE", type: "VALUE", value: "fast" }] },
            },
            resources: [],
            shutdown_grace_period: { nanoseconds: 2e9 },
          },
        },
      },
    });
  });

  it("KILL, ACKNOWLEDGED, MESSAGE and SHUTDOWN in Mesos' JSON; RecordIO framing counts bytes", () => {
    expect(executorEvents.kill("t-1", 3)).toEqual({
      type: "KILL",
      kill: { task_id: { value: "t-1" }, kill_policy: { grace_period: { nanoseconds: 3e9 } } },
    });
    expect(executorEvents.acknowledged("t-1", uuid)).toEqual({
      type: "ACKNOWLEDGED",
      acknowledged: { task_id: { value: "t-1" }, uuid },
    });
    expect(executorEvents.message("héllo")).toEqual({ type: "MESSAGE", message: { data: "aMOpbGxv" } });
    expect(executorEvents.shutdown()).toEqual({ type: "SHUTDOWN" });
    expect(recordIo({ a: "é" })).toBe('10\n{"a":"é"}');
  });

  it("gives the executor Mesos' environment, its command's variables winning", () => {
    const env = executorEnvironment({
      executor: executorTask.executor!,
      frameworkId: fid,
      agentId: aid,
      agentEndpoint: "127.0.0.1:5051",
      sandbox: "/sb",
      checkpoint: true,
      shutdownGracePeriodSeconds: 5,
    });
    expect(env).toEqual({
      LIBPROCESS_PORT: "0",
      MESOS_FRAMEWORK_ID: "fw-1",
      MESOS_EXECUTOR_ID: "ex-1",
      MESOS_DIRECTORY: "/sb",
      MESOS_SANDBOX: "/sb",
      MESOS_SLAVE_ID: "agent-1",
      MESOS_SLAVE_PID: "slave(1)@127.0.0.1:5051",
      MESOS_AGENT_ENDPOINT: "127.0.0.1:5051",
      MESOS_CHECKPOINT: "1",
      MESOS_HTTP_COMMAND_EXECUTOR: "0",
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "5secs",
      MESOS_RECOVERY_TIMEOUT: "15mins",
      MESOS_SUBSCRIPTION_BACKOFF_MAX: "2secs",
      MODE: "fast",
    });
    expect([0, 0.5, 90, 7200, 1.5].map(mesosDuration)).toEqual([
      "0ns",
      "500ms",
      "1.5mins",
      "2hrs",
      "1.5secs",
    ]);
  });
});

describe("agent operator calls (Mesos' agent::Call JSON)", () => {
  const running: TaskView = {
    frameworkId: fid,
    task: executorTask,
    executor: "custom",
    sandbox: "/sb",
    state: "TASK_RUNNING",
    statuses: [
      { taskId: executorTask.taskId, state: "TASK_RUNNING", source: "SOURCE_EXECUTOR", timestamp: 1 },
    ],
  };
  const shellTask: TaskView = {
    frameworkId: fid,
    task: {
      taskId: "sh-1" as TaskInfo["taskId"],
      name: "sh",
      agentId: aid,
      resources: [
        { name: "cpus", scalar: 0.25 },
        { name: "mem", scalar: 64 },
      ],
      command: { value: "sleep 9", shell: true },
    },
    executor: "shell",
    sandbox: "/sb2",
    state: "TASK_RUNNING",
    statuses: [
      {
        taskId: "sh-1" as TaskInfo["taskId"],
        state: "TASK_RUNNING",
        source: "SOURCE_EXECUTOR",
        timestamp: 1,
        containerStatus: { executorPid: 42 },
      },
    ],
  };
  const view = {
    id: aid,
    hostname: "h",
    port: 5051,
    resources: [],
    attributes: [],
    capabilities: ["shell"],
    sandboxRoot: "/",
    cgroupMode: "none",
    taskUsage: async () => [],
    frameworks: () => [
      {
        info: { id: fid, name: "f", user: "root", roles: ["*"], failoverTimeout: 0, checkpoint: false },
        tasks: [running, shellTask],
        completedTasks: [],
      },
    ],
    completedFrameworks: () => [],
  } satisfies AgentView;

  it("GET_STATE: tasks with their executor, the executors (custom and generated), the frameworks", () => {
    const state = agentResponse("GET_STATE", view).get_state as Record<string, Record<string, unknown[]>>;
    expect(state.get_tasks!.launched_tasks).toEqual([
      expect.objectContaining({
        task_id: { value: "t-1" },
        executor_id: { value: "ex-1" },
        state: "TASK_RUNNING",
      }),
      expect.objectContaining({ task_id: { value: "sh-1" }, executor_id: { value: "sh-1" } }),
    ]);
    expect(state.get_executors!.executors).toEqual([
      { executor_info: expect.objectContaining({ type: "CUSTOM", executor_id: { value: "ex-1" } }) },
      {
        executor_info: expect.objectContaining({
          executor_id: { value: "sh-1" },
          name: "Command Executor (Task: sh-1) (Command: shell)",
        }),
      },
    ]);
    expect(state.get_frameworks!.frameworks).toEqual([
      { framework_info: expect.objectContaining({ id: { value: "fw-1" }, role: "*" }) },
    ]);
    expect(agentResponse("GET_HEALTH", view)).toEqual({ type: "GET_HEALTH", get_health: { healthy: true } });
  });

  it("GET_CONTAINERS: one per shell task and one per custom executor, with usage", () => {
    const usage = { cpuUserSeconds: 1, cpuSystemSeconds: 2, memBytes: 3 };
    const { containers } = getContainers({
      tasks: [
        { task: running, usage },
        { task: shellTask, usage },
      ],
      executors: [
        {
          executor: {
            frameworkId: fid,
            info: executorTask.executor!,
            sandbox: "/sb",
            containerId: "c-1",
            pid: 7,
            state: "running",
            taskIds: [executorTask.taskId],
          },
          usage: undefined,
        },
      ],
    });
    expect(containers).toEqual([
      expect.objectContaining({
        executor_id: { value: "sh-1" },
        container_id: { value: "sh-1" },
        container_status: { executor_pid: 42 },
        resource_statistics: expect.objectContaining({
          cpus_limit: 0.25,
          mem_limit_bytes: 64 * 1024 * 1024,
          cpus_user_time_secs: 1,
          mem_rss_bytes: 3,
        }),
      }),
      expect.objectContaining({
        executor_id: { value: "ex-1" },
        executor_name: "mine",
        container_id: { value: "c-1" },
        container_status: { executor_pid: 7 },
      }),
    ]);
  });

  it("refuses calls it does not serve (501) and calls missing their part (400)", () => {
    expect(failure(() => parseAgentCall({ type: "LAUNCH_CONTAINER" }))).toMatchObject({
      status: 501,
      field: "type",
    });
    expect(failure(() => parseAgentCall({ type: "LIST_FILES" }))).toMatchObject({
      status: 400,
      message: "Expecting 'list_files' to be present",
    });
    expect(
      failure(() => parseAgentCall({ type: "READ_FILE", read_file: { path: "/x", offset: -1 } })).field,
    ).toBe("read_file.offset");
  });
});
