import path from "node:path";
import { fileURLToPath } from "node:url";
import type { DevCluster } from "@agora/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MesosDev, startMesosDev } from "./harness/mesos-dev.js";
import type { MesosEvent, MesosSchedulerClient } from "./harness/mesos-scheduler.js";
import { waitFor } from "./harness/wait.js";

const EXECUTOR_SCRIPT = fileURLToPath(new URL("./harness/mesos-executor.mjs", import.meta.url));

/**
 * Mesos v1 executor and agent operator API conformance, written from Mesos' docs/executor-http-api.md
 * and docs/operator-http-api.md: a Mesos framework (raw JSON on the master's scheduler API) launches
 * tasks on its own executor, a node script that speaks only the executor API (harness/mesos-executor.mjs),
 * and the agent's `/api/v1` is asked about them. Against `agora dev` in this process.
 */
describe("Mesos v1 executor API (POST /api/v1/executor) and agent operator API (POST /api/v1 on :5051)", () => {
  let mesos: MesosDev;
  let dev: DevCluster;
  let masterUrl: string;
  let agentUrl: string;
  let client: MesosSchedulerClient;
  let frameworkId: string;

  beforeAll(async () => {
    mesos = await startMesosDev("mesosexec");
    ({ dev, url: masterUrl } = mesos);
    agentUrl = dev.agents[0]!.url;
    client = await mesos.subscribe({ name: "custom-executor-framework", failover_timeout: 60 });
    frameworkId = client.frameworkId;
  });

  afterAll(async () => {
    await mesos?.stop();
  });

  const fw = () => ({ framework_id: { value: frameworkId } });

  /** Launches one task on a new executor `executorId`, with `data` telling the executor what to do. */
  const launchOnExecutor = async (taskId: string, executorId: string, data: string) => {
    const offer = (await client.next("OFFERS")).offers.offers[0];
    const res = await client.call({
      type: "ACCEPT",
      ...fw(),
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: "LAUNCH",
            launch: {
              task_infos: [
                {
                  name: taskId,
                  task_id: { value: taskId },
                  agent_id: offer.agent_id,
                  resources: [
                    { name: "cpus", type: "SCALAR", scalar: { value: 0.1 } },
                    { name: "mem", type: "SCALAR", scalar: { value: 32 } },
                  ],
                  data: Buffer.from(data).toString("base64"),
                  executor: {
                    type: "CUSTOM",
                    executor_id: { value: executorId },
                    name: `test executor ${executorId}`,
                    command: { value: `exec "${process.execPath}" "${EXECUTOR_SCRIPT}"` },
                  },
                },
              ],
            },
          },
        ],
        filters: { refuse_seconds: 0.1 },
      },
    });
    expect(res.status).toBe(202);
    return offer.agent_id as { value: string };
  };

  const updateOf = async (taskId: string, state?: string) =>
    (
      await client.next(
        "UPDATE",
        (e) =>
          e.update.status.task_id.value === taskId &&
          (state === undefined || e.update.status.state === state),
      )
    ).update.status as MesosEvent;

  const ack = (status: MesosEvent) =>
    client.call({
      type: "ACKNOWLEDGE",
      ...fw(),
      acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
    });

  const agentCall = (call: unknown) =>
    fetch(`${agentUrl}/api/v1`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(call),
    });

  const agentRead = async (call: unknown) => {
    const res = await agentCall(call);
    if (res.status !== 200)
      throw new Error(`${JSON.stringify(call)} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as MesosEvent;
  };

  /** A sandbox file's text through the agent operator API's READ_FILE. */
  const readFile = async (file: string) => {
    const answer = await agentRead({ type: "READ_FILE", read_file: { path: file, offset: 0 } });
    return Buffer.from(answer.read_file.data, "base64").toString("utf8");
  };

  const sandboxOf = (executorId: string) =>
    path.join(dev.agents[0]!.agent.sandboxRoot, frameworkId, "executors", executorId);

  it("runs a task on the framework's executor from LAUNCH to FINISHED, acknowledged both ways, with Mesos' environment", async () => {
    const agentId = await launchOnExecutor("custom-task-1", "exec-1", "payload-1");

    const running = await updateOf("custom-task-1");
    expect(running).toMatchObject({
      state: "TASK_RUNNING",
      source: "SOURCE_EXECUTOR",
      executor_id: { value: "exec-1" },
      agent_id: agentId,
      container_status: { container_id: { value: expect.any(String) }, executor_pid: expect.any(Number) },
    });
    expect(Buffer.from(running.uuid, "base64")).toHaveLength(16);
    expect((await ack(running)).status).toBe(202);

    // The executor's MESSAGE reaches the framework through the master.
    const message = await client.next("MESSAGE");
    expect(message.message).toMatchObject({ agent_id: agentId, executor_id: { value: "exec-1" } });
    expect(Buffer.from(message.message.data, "base64").toString()).toBe("hello from custom-task-1");

    const finished = await updateOf("custom-task-1");
    expect(finished).toMatchObject({
      state: "TASK_FINISHED",
      source: "SOURCE_EXECUTOR",
      message: "done with 'payload-1'",
    });
    expect((await ack(finished)).status).toBe(202);
    await waitFor(
      "the agent to hold no unacknowledged update",
      () => dev.agents[0]!.agent.pendingUpdates === 0,
    );

    // The executor saw SUBSCRIBED, the LAUNCH with the task's data, and both ACKNOWLEDGED, then exited.
    const sandbox = sandboxOf("exec-1");
    await waitFor("the executor to log its last acknowledgement", async () =>
      (await readFile(path.join(sandbox, "events.log"))).includes("ACKNOWLEDGED custom-task-1 TASK_FINISHED"),
    );
    expect((await readFile(path.join(sandbox, "events.log"))).split("\n")).toEqual([
      `SUBSCRIBED exec-1 on ${agentId.value}`,
      "LAUNCH custom-task-1 payload-1",
      "ACKNOWLEDGED custom-task-1 TASK_RUNNING",
      "ACKNOWLEDGED custom-task-1 TASK_FINISHED",
      "",
    ]);
    const env = JSON.parse(await readFile(path.join(sandbox, "env.json"))) as Record<string, string>;
    expect(env).toMatchObject({
      MESOS_AGENT_ENDPOINT: `127.0.0.1:${new URL(agentUrl).port}`,
      MESOS_FRAMEWORK_ID: frameworkId,
      MESOS_EXECUTOR_ID: "exec-1",
      MESOS_SLAVE_ID: agentId.value,
      MESOS_SLAVE_PID: `slave(1)@127.0.0.1:${new URL(agentUrl).port}`,
      MESOS_SANDBOX: sandbox,
      MESOS_DIRECTORY: sandbox,
      MESOS_CHECKPOINT: "0",
      MESOS_HTTP_COMMAND_EXECUTOR: "0",
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "5secs",
      LIBPROCESS_PORT: "0",
    });

    // The agent operator API tells the same story in Mesos' JSON.
    await waitFor(
      "the executor process to be gone",
      () => dev.agents[0]!.agent.customExecutors.list().length === 0,
    );
    const state = (await agentRead({ type: "GET_STATE" })).get_state;
    expect(state.get_tasks.completed_tasks).toContainEqual(
      expect.objectContaining({
        task_id: { value: "custom-task-1" },
        framework_id: { value: frameworkId },
        executor_id: { value: "exec-1" },
        state: "TASK_FINISHED",
        statuses: [
          expect.objectContaining({ state: "TASK_RUNNING", uuid: running.uuid }),
          expect.objectContaining({ state: "TASK_FINISHED", uuid: finished.uuid }),
        ],
      }),
    );
    expect(state.get_executors.completed_executors).toContainEqual({
      executor_info: expect.objectContaining({
        type: "CUSTOM",
        executor_id: { value: "exec-1" },
        framework_id: { value: frameworkId },
        command: expect.objectContaining({ shell: true }),
      }),
    });
    expect(state.get_frameworks.frameworks).toContainEqual({
      framework_info: expect.objectContaining({
        id: { value: frameworkId },
        name: "custom-executor-framework",
      }),
    });
    // The agent's /state shows the executor once, with its task and its sandbox.
    const legacy = (await (await fetch(`${agentUrl}/state`)).json()) as {
      frameworks: Array<{
        id: string;
        executors: Array<{ id: string; directory: string; completed_tasks: unknown[] }>;
      }>;
    };
    const executorJson = legacy.frameworks
      .find((f) => f.id === frameworkId)
      ?.executors.find((e) => e.id === "exec-1");
    expect(executorJson).toMatchObject({
      directory: sandbox,
      completed_tasks: [expect.objectContaining({ id: "custom-task-1", executor_id: "exec-1" })],
    });
    const files = (await agentRead({ type: "LIST_FILES", list_files: { path: sandbox } })).list_files
      .file_infos;
    expect(files.map((f: MesosEvent) => path.basename(f.path))).toEqual([
      "env.json",
      "events.log",
      "stderr",
      "stdout",
    ]);
    expect(files[0]).toMatchObject({
      nlink: 1,
      size: expect.any(Number),
      mtime: { nanoseconds: expect.any(Number) },
      mode: expect.any(Number),
      uid: expect.any(String),
    });
  });

  it("kills a task through its executor (KILL → TASK_KILLED) and relays messages both ways; GET_CONTAINERS shows the executor", async () => {
    await launchOnExecutor("custom-task-2", "exec-2", "wait");
    const running = await updateOf("custom-task-2", "TASK_RUNNING");
    expect((await ack(running)).status).toBe(202);

    const containers = (await agentRead({ type: "GET_CONTAINERS" })).get_containers.containers;
    expect(containers).toContainEqual(
      expect.objectContaining({
        framework_id: { value: frameworkId },
        executor_id: { value: "exec-2" },
        executor_name: "test executor exec-2",
        container_id: running.container_status.container_id,
        container_status: { executor_pid: running.container_status.executor_pid },
        resource_statistics: expect.objectContaining({ timestamp: expect.any(Number) }),
      }),
    );
    // The master's operator API lists the executor and the task on it.
    const master = await fetch(`${masterUrl}/api/v1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "GET_STATE" }),
    });
    const masterState = ((await master.json()) as MesosEvent).get_state;
    expect(masterState.get_executors.executors).toContainEqual({
      agent_id: running.agent_id,
      executor_info: expect.objectContaining({ executor_id: { value: "exec-2" }, type: "CUSTOM" }),
    });
    expect(masterState.get_tasks.tasks).toContainEqual(
      expect.objectContaining({ task_id: { value: "custom-task-2" }, executor_id: { value: "exec-2" } }),
    );
    const launched = (await agentRead({ type: "GET_TASKS" })).get_tasks.launched_tasks;
    expect(launched).toContainEqual(
      expect.objectContaining({ task_id: { value: "custom-task-2" }, state: "TASK_RUNNING" }),
    );

    // A framework MESSAGE for the executor is delivered as a MESSAGE event; its echo comes back.
    const sent = await client.call({
      type: "MESSAGE",
      ...fw(),
      message: {
        agent_id: running.agent_id,
        executor_id: { value: "exec-2" },
        data: Buffer.from("ping").toString("base64"),
      },
    });
    expect(sent.status).toBe(202);
    const echo = await client.next("MESSAGE", (e) => e.message.executor_id.value === "exec-2");
    expect(Buffer.from(echo.message.data, "base64").toString()).toBe("echo: ping");

    const kill = await client.call({
      type: "KILL",
      ...fw(),
      kill: { task_id: { value: "custom-task-2" }, agent_id: running.agent_id },
    });
    expect(kill.status).toBe(202);
    const killed = await updateOf("custom-task-2", "TASK_KILLED");
    expect(killed).toMatchObject({ source: "SOURCE_EXECUTOR", message: "killed by its executor" });
    expect((await ack(killed)).status).toBe(202);
    const log = await readFile(path.join(sandboxOf("exec-2"), "events.log"));
    expect(log).toContain("MESSAGE ping");
    expect(log).toContain("KILL custom-task-2");
  });

  it("fails the tasks of an executor that exits under them (TASK_FAILED, REASON_EXECUTOR_TERMINATED, from the agent)", async () => {
    await launchOnExecutor("custom-task-3", "exec-3", "crash");
    const running = await updateOf("custom-task-3", "TASK_RUNNING");
    await ack(running);
    const failed = await updateOf("custom-task-3", "TASK_FAILED");
    expect(failed).toMatchObject({
      source: "SOURCE_AGENT",
      reason: "REASON_EXECUTOR_TERMINATED",
      executor_id: { value: "exec-3" },
      message: expect.stringContaining("status 3"),
    });
    expect((await ack(failed)).status).toBe(202);
  });

  it("answers bad executor calls with Mesos' status codes and messages", async () => {
    const post = (body: unknown, contentType = "application/json") =>
      fetch(`${agentUrl}/api/v1/executor`, {
        method: "POST",
        headers: { "content-type": contentType },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    const ids = { framework_id: { value: frameworkId }, executor_id: { value: "exec-1" } };
    expect((await post("{}", "text/plain")).status).toBe(415);
    expect((await fetch(`${agentUrl}/api/v1/executor`)).status).toBe(405);
    const notJson = await post("{");
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toContain("Failed to parse body into JSON");
    const noExecutor = await post({ type: "SUBSCRIBE", framework_id: ids.framework_id, subscribe: {} });
    expect(noExecutor.status).toBe(400);
    expect(await noExecutor.text()).toBe(
      "Failed to validate Executor::Call: Expecting 'executor_id' to be present",
    );
    const update = (status: Record<string, unknown>) =>
      post({
        ...ids,
        type: "UPDATE",
        update: {
          status: { task_id: { value: "t" }, state: "TASK_RUNNING", source: "SOURCE_EXECUTOR", ...status },
        },
      });
    const noUuid = await update({});
    expect(noUuid.status).toBe(400);
    expect(await noUuid.text()).toContain("Expecting 'uuid' to be present");
    const uuid = Buffer.alloc(16, 1).toString("base64");
    const staging = await update({ uuid, state: "TASK_STAGING" });
    expect(staging.status).toBe(400);
    expect(await staging.text()).toContain("Received TASK_STAGING from executor exec-1");
    const wrongSource = await update({ uuid, source: "SOURCE_MASTER" });
    expect(await wrongSource.text()).toContain("with invalid source, expecting 'SOURCE_EXECUTOR'");
    // exec-1 has exited: the agent knows no such executor any more.
    const gone = await update({ uuid });
    expect(gone.status).toBe(400);
    expect(await gone.text()).toMatch(/^(Framework|Executor) cannot be found$/);
  });

  it("answers the agent operator calls and refuses what they must not reach", async () => {
    expect(await agentRead({ type: "GET_HEALTH" })).toEqual({
      type: "GET_HEALTH",
      get_health: { healthy: true },
    });
    expect((await agentRead({ type: "GET_VERSION" })).get_version.version_info.version).toEqual(
      expect.any(String),
    );
    const agent = (await agentRead({ type: "GET_AGENT" })).get_agent.agent_info;
    expect(agent).toMatchObject({
      id: { value: dev.agents[0]!.agent.id },
      port: Number(new URL(agentUrl).port),
    });
    expect(agent.resources).toContainEqual(
      expect.objectContaining({ name: "cpus", type: "SCALAR", scalar: { value: 2 } }),
    );

    const outside = await agentCall({ type: "READ_FILE", read_file: { path: "/etc/passwd", offset: 0 } });
    expect(outside.status).toBe(403);
    const upward = await agentCall({
      type: "LIST_FILES",
      list_files: { path: `${dev.agents[0]!.agent.sandboxRoot}/../..` },
    });
    expect(upward.status).toBe(403);
    const missing = await agentCall({
      type: "READ_FILE",
      read_file: { path: `${dev.agents[0]!.agent.sandboxRoot}/nope`, offset: 0 },
    });
    expect(missing.status).toBe(404);
    const noPart = await agentCall({ type: "READ_FILE" });
    expect(noPart.status).toBe(400);
    expect(await noPart.text()).toBe("Expecting 'read_file' to be present");
    const badOffset = await agentCall({ type: "READ_FILE", read_file: { path: "/x", offset: -1 } });
    expect(badOffset.status).toBe(400);
    expect(await badOffset.text()).toContain("read_file.offset");
    expect((await agentCall({ type: "LAUNCH_NESTED_CONTAINER" })).status).toBe(501);
    expect((await fetch(`${agentUrl}/api/v1`)).status).toBe(405);
  });

  it("shuts the executors down when the framework is torn down (SHUTDOWN, then the process ends)", async () => {
    await launchOnExecutor("custom-task-4", "exec-4", "wait");
    const running = await updateOf("custom-task-4", "TASK_RUNNING");
    await ack(running);
    expect((await client.call({ type: "TEARDOWN", ...fw() })).status).toBe(202);
    await waitFor("the executor to be gone", () => dev.agents[0]!.agent.customExecutors.list().length === 0);
    expect(await readFile(path.join(sandboxOf("exec-4"), "events.log"))).toContain("SHUTDOWN");
  });
});
