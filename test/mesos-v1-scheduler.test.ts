import { dockerAvailable, TEST_IMAGE } from "@agora/agent/testing";
import type { DevCluster } from "@agora/cli";
import { Scheduler } from "@agora/framework-sdk";
import type { TaskInfo } from "@agora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MesosDev, startMesosDev } from "./harness/mesos-dev.js";
import { type MesosEvent, MesosSchedulerClient } from "./harness/mesos-scheduler.js";
import { waitFor } from "./harness/wait.js";

const dockerReady = await dockerAvailable();

/**
 * Mesos v1 scheduler API conformance, written from Mesos' docs/scheduler-http-api.md: raw JSON over
 * HTTP against `agora dev` (master and agent in one process), with nothing of Agora's on the client side.
 */
describe("Mesos v1 scheduler API: POST /api/v1/scheduler", () => {
  let mesos: MesosDev;
  let dev: DevCluster;
  let url: string;

  beforeAll(async () => {
    mesos = await startMesosDev("mesosv1", { docker: dockerReady });
    ({ dev, url } = mesos);
  });

  afterAll(async () => {
    await mesos?.stop();
  });

  const subscribe = (frameworkInfo: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    mesos.subscribe(frameworkInfo, extra);

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${url}/api/v1/scheduler`, { method: "POST", headers, body });

  const task = (id: string, agentId: string, command: Record<string, unknown>) => ({
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: "cpus", type: "SCALAR", scalar: { value: 0.1 }, role: "*" },
      { name: "mem", type: "SCALAR", scalar: { value: 32 } },
    ],
    command,
  });

  const operator = async (call: unknown, path = "/api/v1") => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(call),
    });
    if (res.status !== 200)
      throw new Error(`${JSON.stringify(call)} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as MesosEvent;
  };

  const ack = (client: MesosSchedulerClient, status: MesosEvent) =>
    client.call({
      type: "ACKNOWLEDGE",
      framework_id: { value: client.frameworkId },
      acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid },
    });

  it("answers content types, methods and malformed calls as Mesos does", async () => {
    const text = await post('{"type":"SUBSCRIBE"}', { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    expect((await fetch(`${url}/api/v1`)).status).toBe(405);
    const protobuf = await post("", { "content-type": "application/x-protobuf" });
    expect(protobuf.status).toBe(415);
    expect(await protobuf.text()).toContain("protobuf");
    const notAcceptable = await post(
      JSON.stringify({ type: "SUBSCRIBE", subscribe: { framework_info: { user: "root", name: "x" } } }),
      { "content-type": "application/json", accept: "application/x-protobuf" },
    );
    expect(notAcceptable.status).toBe(406);
    const get = await fetch(`${url}/api/v1/scheduler`);
    expect(get.status).toBe(405);
    const notJson = await post("{", { "content-type": "application/json" });
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toContain("Failed to parse body into JSON");
    const noSubscribe = await post('{"type":"SUBSCRIBE"}', { "content-type": "application/json" });
    expect(noSubscribe.status).toBe(400);
    expect(await noSubscribe.text()).toContain("Expecting 'subscribe' to be present");
    const noFramework = await post('{"type":"REVIVE"}', { "content-type": "application/json" });
    expect(noFramework.status).toBe(400);
    expect(await noFramework.text()).toContain("Expecting 'framework_id' to be present");
    const unknown = await post('{"type":"REVIVE","framework_id":{"value":"nope"}}', {
      "content-type": "application/json",
      "mesos-stream-id": "x",
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toBe("Framework cannot be found");
  });

  it("subscribes, launches a command task, relays RUNNING and FINISHED with uuids, and reconciles", async () => {
    const client = await subscribe({ name: "mesos-v1-conformance", failover_timeout: 60 });
    expect(client.response.headers.get("content-type")).toContain("application/json");
    expect(client.streamId).toMatch(/^[0-9a-f-]{36}$/);
    const subscribed = client.events[0]!;
    expect(subscribed.type).toBe("SUBSCRIBED");
    expect(subscribed.subscribed.heartbeat_interval_seconds).toBe(1);
    expect(subscribed.subscribed.master_info).toMatchObject({
      port: expect.any(Number),
      hostname: expect.any(String),
    });
    const frameworkId = client.frameworkId;

    const offers = (await client.next("OFFERS")).offers.offers;
    const offer = offers[0];
    expect(offer).toMatchObject({
      id: { value: expect.any(String) },
      framework_id: { value: frameworkId },
      agent_id: { value: expect.any(String) },
      hostname: expect.any(String),
      allocation_info: { role: "*" },
    });
    expect(offer.resources).toContainEqual(
      expect.objectContaining({ name: "cpus", type: "SCALAR", scalar: { value: 2 }, role: "*" }),
    );
    expect(offer.resources).toContainEqual(
      expect.objectContaining({ name: "ports", type: "RANGES", ranges: { range: [expect.any(Object)] } }),
    );

    // Every call but SUBSCRIBE carries the stream id.
    const revive = { type: "REVIVE", framework_id: { value: frameworkId } };
    const missing = await client.call(revive, { streamId: null });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toBe("All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    const wrong = await client.call(revive, { streamId: "not-this-stream" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("didn't match the stream ID");

    // A task id our agents cannot use is refused naming the Mesos field.
    const bad = await client.call({
      type: "ACCEPT",
      framework_id: { value: frameworkId },
      accept: {
        offer_ids: [offer.id],
        operations: [
          { type: "LAUNCH", launch: { task_infos: [task("a/b", offer.agent_id.value, { value: "true" })] } },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("accept.operations[0].launch.task_infos[0].task_id");

    const accepted = await client.call({
      type: "ACCEPT",
      framework_id: { value: frameworkId },
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: "LAUNCH",
            launch: {
              task_infos: [
                task("mesos-echo", offer.agent_id.value, {
                  shell: true,
                  value: 'echo "$GREETING from $MESOS_TASK_ID"; sleep 0.2',
                  environment: { variables: [{ name: "GREETING", value: "hello" }] },
                }),
              ],
            },
          },
        ],
        filters: { refuse_seconds: 1 },
      },
    });
    expect(accepted.status).toBe(202);

    const running = (await client.next("UPDATE", (e) => e.update.status.task_id.value === "mesos-echo"))
      .update.status;
    expect(running).toMatchObject({
      state: "TASK_RUNNING",
      agent_id: offer.agent_id,
      source: expect.stringMatching(/^SOURCE_/),
      timestamp: expect.any(Number),
    });
    expect(Buffer.from(running.uuid, "base64")).toHaveLength(16);
    expect((await ack(client, running)).status).toBe(202);

    const finished = (await client.next("UPDATE", (e) => e.update.status.task_id.value === "mesos-echo"))
      .update.status;
    expect(finished.state).toBe("TASK_FINISHED");
    expect(finished.uuid).not.toBe(running.uuid);
    expect((await ack(client, finished)).status).toBe(202);

    const reconcile = await client.call({
      type: "RECONCILE",
      framework_id: { value: frameworkId },
      reconcile: { tasks: [{ task_id: { value: "mesos-echo" }, agent_id: offer.agent_id }] },
    });
    expect(reconcile.status).toBe(202);
    const answer = (await client.next("UPDATE", (e) => e.update.status.task_id.value === "mesos-echo")).update
      .status;
    expect(answer).toMatchObject({
      state: "TASK_FINISHED",
      reason: "REASON_RECONCILIATION",
      source: "SOURCE_MASTER",
    });
    expect(answer.uuid).toBeUndefined();

    // The master relays heartbeats on the stream.
    await client.next("HEARTBEAT");

    const state = (await (await fetch(`${url}/master/state`)).json()) as {
      frameworks: Array<{ id: string; name: string; completed_tasks: Array<{ id: string; state: string }> }>;
    };
    const mine = state.frameworks.find((f) => f.id === frameworkId);
    expect(mine?.name).toBe("mesos-v1-conformance");
    expect(mine?.completed_tasks).toContainEqual(
      expect.objectContaining({ id: "mesos-echo", state: "TASK_FINISHED" }),
    );

    // The operator API shows the same task, in Mesos' v1 Task JSON.
    const tasks = await operator({ type: "GET_TASKS" });
    expect(tasks.type).toBe("GET_TASKS");
    expect(tasks.get_tasks.completed_tasks).toContainEqual(
      expect.objectContaining({
        task_id: { value: "mesos-echo" },
        framework_id: { value: frameworkId },
        agent_id: offer.agent_id,
        state: "TASK_FINISHED",
        statuses: expect.arrayContaining([
          expect.objectContaining({ state: "TASK_RUNNING", uuid: running.uuid }),
        ]),
      }),
    );
    const got = (await operator({ type: "GET_STATE" })).get_state;
    expect(got.get_tasks.completed_tasks.map((t: MesosEvent) => t.task_id.value)).toContain("mesos-echo");
    expect(got.get_frameworks.frameworks).toContainEqual(
      expect.objectContaining({
        framework_info: expect.objectContaining({ id: { value: frameworkId }, name: "mesos-v1-conformance" }),
        connected: true,
      }),
    );
    expect(got.get_agents.agents[0].agent_info.id).toEqual(offer.agent_id);

    // A closed stream disconnects the framework at once; re-subscribing with its id resumes it.
    client.close();
    const connected = async () => {
      const s = (await (await fetch(`${url}/master/state`)).json()) as {
        frameworks: Array<{ id: string; connected: boolean }>;
      };
      return s.frameworks.find((f) => f.id === frameworkId)?.connected;
    };
    await waitFor("the framework to be disconnected", async () => (await connected()) === false);
    const resumed = await subscribe(
      { name: "mesos-v1-conformance", failover_timeout: 60, id: { value: frameworkId } },
      { framework_id: { value: frameworkId } },
    );
    expect(resumed.frameworkId).toBe(frameworkId);
    expect(await connected()).toBe(true);
    expect((await resumed.call({ type: "TEARDOWN", framework_id: { value: frameworkId } })).status).toBe(202);
  });

  it("declines with a filter, revives, kills, reconciles implicitly, fails over and tears down", async () => {
    const first = await subscribe({ name: "mesos-v1-lifecycle", failover_timeout: 60 });
    const frameworkId = first.frameworkId;
    const fw = { framework_id: { value: frameworkId } };
    const offer = (await first.next("OFFERS")).offers.offers[0];

    // A long filter keeps the agent's resources away until REVIVE clears it.
    expect(
      (
        await first.call({
          type: "DECLINE",
          ...fw,
          decline: { offer_ids: [offer.id], filters: { refuse_seconds: 3600 } },
        })
      ).status,
    ).toBe(202);
    // Absence can only be observed over time: ten allocation cycles (100 ms each) without an offer.
    await new Promise((r) => setTimeout(r, 1000));
    expect(first.pending("OFFERS")).toHaveLength(0);
    expect((await first.call({ type: "REVIVE", ...fw })).status).toBe(202);
    const revived = (await first.next("OFFERS")).offers.offers[0];
    expect(revived.agent_id).toEqual(offer.agent_id);

    const launch = await first.call({
      type: "ACCEPT",
      ...fw,
      accept: {
        offer_ids: [revived.id],
        operations: [
          {
            type: "LAUNCH",
            launch: { task_infos: [task("mesos-sleep", revived.agent_id.value, { value: "sleep 60" })] },
          },
        ],
      },
    });
    expect(launch.status).toBe(202);
    const running = (await first.next("UPDATE", (e) => e.update.status.task_id.value === "mesos-sleep"))
      .update.status;
    expect(running.state).toBe("TASK_RUNNING");
    expect((await ack(first, running)).status).toBe(202);

    // Failover: a second SUBSCRIBE with the framework's id takes over; the old stream is closed.
    const second = await subscribe(
      { name: "mesos-v1-lifecycle", failover_timeout: 60, id: { value: frameworkId } },
      fw,
    );
    expect(second.frameworkId).toBe(frameworkId);
    expect(second.streamId).not.toBe(first.streamId);
    await waitFor("the old stream to close", () => first.closed);
    expect(first.events.at(-1)).toEqual({ type: "ERROR", error: { message: "Framework failed over" } });
    expect((await first.call({ type: "REVIVE", ...fw })).status).toBe(400);

    // UPDATE_FRAMEWORK changes the framework's info without a new SUBSCRIBED.
    const updated = await second.call({
      type: "UPDATE_FRAMEWORK",
      ...fw,
      update_framework: {
        framework_info: {
          user: "root",
          name: "mesos-v1-renamed",
          id: { value: frameworkId },
          failover_timeout: 60,
        },
      },
    });
    expect(updated.status, await updated.clone().text()).toBe(202);
    const renamed = (await operator({ type: "GET_FRAMEWORKS" })).get_frameworks.frameworks.find(
      (f: MesosEvent) => f.framework_info.id.value === frameworkId,
    );
    expect(renamed.framework_info.name).toBe("mesos-v1-renamed");

    expect((await second.call({ type: "RECONCILE", ...fw, reconcile: { tasks: [] } })).status).toBe(202);
    const implicit = (await second.next("UPDATE", (e) => e.update.status.task_id.value === "mesos-sleep"))
      .update.status;
    expect(implicit).toMatchObject({ state: "TASK_RUNNING", reason: "REASON_RECONCILIATION" });
    expect(second.pending("SUBSCRIBED")).toHaveLength(0);

    expect(
      (
        await second.call({
          type: "KILL",
          ...fw,
          kill: {
            task_id: { value: "mesos-sleep" },
            agent_id: revived.agent_id,
            kill_policy: { grace_period: { nanoseconds: 1e9 } },
          },
        })
      ).status,
    ).toBe(202);
    const killed = (
      await second.next(
        "UPDATE",
        (e) => e.update.status.task_id.value === "mesos-sleep" && e.update.status.state === "TASK_KILLED",
      )
    ).update.status;
    expect((await ack(second, killed)).status).toBe(202);

    expect((await second.call({ type: "TEARDOWN", ...fw })).status).toBe(202);
    await waitFor("the stream to end after TEARDOWN", () => second.closed);
    const state = (await (await fetch(`${url}/master/state`)).json()) as {
      completed_frameworks: Array<{ id: string }>;
    };
    expect(state.completed_frameworks.map((f) => f.id)).toContain(frameworkId);
    const again = await post(
      JSON.stringify({
        type: "SUBSCRIBE",
        framework_id: { value: frameworkId },
        subscribe: { framework_info: { user: "root", name: "x", id: { value: frameworkId } } },
      }),
      { "content-type": "application/json" },
    );
    expect(again.status).toBe(403);
  });

  it("offers to MULTI_ROLE frameworks per role", async () => {
    const client = await subscribe({
      name: "mesos-v1-multi-role",
      roles: ["eng", "ops"],
      capabilities: [{ type: "MULTI_ROLE" }, { type: "RESERVATION_REFINEMENT" }],
    });
    const offer = (await client.next("OFFERS")).offers.offers[0];
    expect(["eng", "ops"]).toContain(offer.allocation_info.role);
    for (const r of offer.resources) expect(r.allocation_info).toEqual(offer.allocation_info);
    const bothRoles = await post(
      JSON.stringify({
        type: "SUBSCRIBE",
        subscribe: {
          framework_info: { user: "root", name: "x", role: "eng", capabilities: [{ type: "MULTI_ROLE" }] },
        },
      }),
      { "content-type": "application/json" },
    );
    expect(bothRoles.status).toBe(400);
    expect(await bothRoles.text()).toContain("subscribe.framework_info.role");
    expect(
      (await client.call({ type: "TEARDOWN", framework_id: { value: client.frameworkId } })).status,
    ).toBe(202);
  });

  it("answers the operator API's read calls in Mesos' JSON, and its write calls", async () => {
    expect(await operator({ type: "GET_HEALTH" })).toEqual({
      type: "GET_HEALTH",
      get_health: { healthy: true },
    });
    expect(
      (await operator({ type: "GET_VERSION" }, "/api/v1/operator")).get_version.version_info.version,
    ).toEqual(expect.any(String));
    const master = (await operator({ type: "GET_MASTER" })).get_master;
    expect(master.master_info).toMatchObject({ id: expect.any(String), port: Number(new URL(url).port) });
    expect(master.start_time).toEqual(expect.any(Number));
    const metrics = (await operator({ type: "GET_METRICS" })).get_metrics.metrics;
    expect(metrics).toContainEqual({ name: "master/elected", value: 1 });
    const flags = (await operator({ type: "GET_FLAGS" })).get_flags.flags;
    expect(flags).toContainEqual({ name: "cluster", value: "mesosv1" });
    expect((await operator({ type: "GET_AGENTS" })).get_agents.agents).toHaveLength(1);
    expect((await operator({ type: "GET_FRAMEWORKS" })).get_frameworks.completed_frameworks).toEqual(
      expect.any(Array),
    );
    expect((await operator({ type: "GET_EXECUTORS" })).get_executors).toEqual({ executors: [] });

    const post = (body: unknown) =>
      fetch(`${url}/api/v1`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const update = await post({
      type: "UPDATE_WEIGHTS",
      update_weights: { weight_infos: [{ role: "eng", weight: 2.5 }] },
    });
    expect(update.status).toBe(200);
    expect((await operator({ type: "GET_WEIGHTS" })).get_weights.weight_infos).toContainEqual({
      role: "eng",
      weight: 2.5,
    });
    expect((await operator({ type: "GET_ROLES" })).get_roles.roles).toContainEqual(
      expect.objectContaining({ name: "eng", weight: 2.5 }),
    );
    const quota = await post({
      type: "UPDATE_QUOTA",
      update_quota: {
        quota_configs: [
          { role: "eng", guarantees: { cpus: { value: 0.5 } }, limits: { cpus: { value: 1 } } },
        ],
      },
    });
    expect(quota.status).toBe(200);
    expect((await operator({ type: "GET_QUOTA" })).get_quota.status.configs).toContainEqual({
      role: "eng",
      guarantees: { cpus: { value: 0.5 } },
      limits: { cpus: { value: 1 } },
    });
    expect((await operator({ type: "GET_MAINTENANCE_STATUS" })).get_maintenance_status.status).toEqual({
      draining_machines: [],
      down_machines: [],
    });
    expect((await operator({ type: "GET_MAINTENANCE_SCHEDULE" })).get_maintenance_schedule.schedule).toEqual({
      windows: [],
    });

    const unknown = await post({ type: "GET_NOTHING" });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("Failed to convert JSON into Call protobuf");
    expect((await post({ type: "GET_OPERATIONS" })).status).toBe(501);
    const badWeight = await post({
      type: "UPDATE_WEIGHTS",
      update_weights: { weight_infos: [{ role: "eng", weight: -1 }] },
    });
    expect(badWeight.status).toBe(400);
    expect(await badWeight.text()).toContain("update_weights.weight_infos[0].weight");
    const text = await fetch(`${url}/api/v1`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(text.status).toBe(415);
  });

  it.skipIf(!dockerReady)("runs a DOCKER container task through the Docker executor", async () => {
    const client = await subscribe({ name: "mesos-v1-docker" });
    const fw = { framework_id: { value: client.frameworkId } };
    const offer = (await client.next("OFFERS")).offers.offers[0];
    const accepted = await client.call({
      type: "ACCEPT",
      ...fw,
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: "LAUNCH",
            launch: {
              task_infos: [
                {
                  ...task("mesos-docker", offer.agent_id.value, {
                    shell: true,
                    value: 'echo "hello from $GREETING"',
                    environment: { variables: [{ name: "GREETING", value: "docker" }] },
                  }),
                  container: { type: "DOCKER", docker: { image: TEST_IMAGE, network: "NONE" } },
                },
              ],
            },
          },
        ],
      },
    });
    expect(accepted.status).toBe(202);
    const states: string[] = [];
    let last: MesosEvent | undefined;
    for (;;) {
      const status = (await client.next("UPDATE", (e) => e.update.status.task_id.value === "mesos-docker"))
        .update.status;
      states.push(status.state);
      last = status;
      if (status.uuid) expect((await ack(client, status)).status).toBe(202);
      if (!["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING"].includes(status.state)) break;
    }
    expect(states.at(-1), JSON.stringify(last)).toBe("TASK_FINISHED");
    expect(states).toContain("TASK_RUNNING");
    const tasks = (await operator({ type: "GET_TASKS" })).get_tasks.completed_tasks;
    expect(tasks).toContainEqual(
      expect.objectContaining({
        task_id: { value: "mesos-docker" },
        container: expect.objectContaining({
          type: "DOCKER",
          docker: expect.objectContaining({ image: TEST_IMAGE }),
        }),
      }),
    );
    expect((await client.call({ type: "TEARDOWN", ...fw })).status).toBe(202);
  });

  it("streams the operator API's SUBSCRIBE: the state, then frameworks, tasks and their updates", async () => {
    const watcher = mesos.own(await MesosSchedulerClient.subscribe(url, { type: "SUBSCRIBE" }, "/api/v1"));
    const first = await watcher.next("SUBSCRIBED");
    expect(first.subscribed.get_state.get_agents.agents).toHaveLength(1);
    expect(first.subscribed.heartbeat_interval_seconds).toBe(1);

    const client = await subscribe({ name: "mesos-v1-watched" });
    const fw = { framework_id: { value: client.frameworkId } };
    const offer = (await client.next("OFFERS")).offers.offers[0];
    const launch = {
      type: "LAUNCH",
      launch: { task_infos: [task("mesos-watched", offer.agent_id.value, { value: "true" })] },
    };
    expect(
      (await client.call({ type: "ACCEPT", ...fw, accept: { offer_ids: [offer.id], operations: [launch] } }))
        .status,
    ).toBe(202);
    for (const state of ["TASK_RUNNING", "TASK_FINISHED"]) {
      const update = await client.next(
        "UPDATE",
        (e) => e.update.status.task_id.value === "mesos-watched" && e.update.status.state === state,
      );
      await ack(client, update.update.status);
    }
    const added = await watcher.next(
      "FRAMEWORK_ADDED",
      (e) => e.framework_added.framework.framework_info.id.value === client.frameworkId,
    );
    expect(added.framework_added.framework.framework_info.name).toBe("mesos-v1-watched");
    await watcher.next("TASK_ADDED", (e) => e.task_added.task.task_id.value === "mesos-watched");
    for (const state of ["TASK_RUNNING", "TASK_FINISHED"])
      await watcher.next(
        "TASK_UPDATED",
        (e) => e.task_updated.status.task_id.value === "mesos-watched" && e.task_updated.state === state,
      );
    expect((await client.call({ type: "TEARDOWN", ...fw })).status).toBe(202);
    await watcher.next(
      "FRAMEWORK_REMOVED",
      (e) => e.framework_removed.framework_info.id.value === client.frameworkId,
    );
    await watcher.next("HEARTBEAT");
  });

  it("shares the cluster under DRF with a framework of Agora's own SDK", async () => {
    // Each framework wants four 0.5-cpu tasks on a 2-cpu agent and takes one task per offer: DRF must
    // give each half of the agent.
    const sdk = new Scheduler({ bus: dev.bus, cluster: "mesosv1", framework: { name: "sdk-neighbour" } });
    const sdkRunning = new Set<string>();
    let sdkLaunched = 0;
    sdk.on("update", (s) => {
      if (s.state === "TASK_RUNNING") sdkRunning.add(s.taskId);
    });
    sdk.on("offers", async (offers) => {
      for (const offer of offers) {
        if (sdkLaunched < 4) {
          const taskId = `sdk-${sdkLaunched++}` as TaskInfo["taskId"];
          const resources = [
            { name: "cpus", scalar: 0.5 },
            { name: "mem", scalar: 32 },
          ];
          await sdk.accept(
            [offer.id],
            [
              {
                type: "launch",
                tasks: [
                  {
                    taskId,
                    name: taskId,
                    agentId: offer.agentId,
                    resources,
                    command: { value: "sleep 60", shell: true },
                  },
                ],
              },
            ],
            { refuseSeconds: 0 },
          );
        } else await sdk.decline([offer.id], { refuseSeconds: 0 });
      }
    });
    await sdk.subscribe();

    const mesos = await subscribe({ name: "mesos-neighbour" });
    const fw = { framework_id: { value: mesos.frameworkId } };
    const mesosRunning = new Set<string>();
    let mesosLaunched = 0;
    const pump = (async () => {
      while (!mesos.closed && mesosRunning.size + sdkRunning.size < 4) {
        const event = await mesos.next(["OFFERS", "UPDATE"], () => true, 60_000).catch(() => undefined);
        if (!event) return;
        if (event.type === "UPDATE") {
          const status = event.update.status;
          if (status.state === "TASK_RUNNING") mesosRunning.add(status.task_id.value);
          if (status.uuid) await ack(mesos, status);
          continue;
        }
        for (const offer of event.offers.offers) {
          const operations =
            mesosLaunched < 4
              ? [
                  {
                    type: "LAUNCH",
                    launch: {
                      task_infos: [
                        task(`mesos-${mesosLaunched++}`, offer.agent_id.value, { value: "sleep 60" }),
                      ],
                    },
                  },
                ]
              : [];
          await mesos.call({
            type: "ACCEPT",
            ...fw,
            accept: { offer_ids: [offer.id], operations, filters: { refuse_seconds: 0 } },
          });
        }
      }
    })();
    await waitFor("the agent to be full", () => mesosRunning.size + sdkRunning.size === 4);
    expect(mesosRunning.size).toBe(2);
    expect(sdkRunning.size).toBe(2);
    await pump;
    expect((await mesos.call({ type: "TEARDOWN", ...fw })).status).toBe(202);
    await sdk.teardown();
    await sdk.close();
    // Teardown kills the tasks; none may outlive the test (agents keep tasks across their own restarts).
    await waitFor(
      "every task to end",
      async () => (await operator({ type: "GET_TASKS" })).get_tasks.tasks.length === 0,
    );
  });
});
