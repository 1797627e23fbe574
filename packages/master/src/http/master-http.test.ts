import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness } from "../test-support/harness.js";
import { withLaunchedTasks } from "../test-support/launch.js";
import { buildMasterHttp } from "./app.js";

describe("master HTTP API", () => {
  let h: MasterHarness;
  let app: FastifyInstance;
  afterEach(async () => {
    await app.close();
    await h.stop();
  });

  async function running() {
    const s = await withLaunchedTasks(["web-1"]);
    h = s.h;
    s.agent.update(s.fw.id, "web-1", "TASK_RUNNING");
    await s.fw.update("web-1", "TASK_RUNNING");
    app = buildMasterHttp(h.master);
    return s;
  }

  it("answers /health", async () => {
    h = await MasterHarness.start();
    app = buildMasterHttp(h.master);
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("serves /master/state in Mesos' shape", async () => {
    const s = await running();
    const res = await app.inject({ method: "GET", url: "/master/state" });
    expect(res.statusCode).toBe(200);
    const state = res.json();
    expect(state).toMatchObject({
      id: h.master.id,
      pid: "master@master.test:5050",
      hostname: "master.test",
      leader: "master@master.test:5050",
      leader_info: { id: h.master.id, hostname: "master.test", port: 5050 },
      cluster: "test",
      activated_slaves: 1,
      deactivated_slaves: 0,
      unreachable_slaves: 0,
      completed_frameworks: [],
    });
    expect(typeof state.version).toBe("string");
    expect(typeof state.start_time).toBe("number");
    expect(typeof state.elected_time).toBe("number");

    expect(state.slaves).toHaveLength(1);
    expect(state.slaves[0]).toMatchObject({
      id: s.agent.id,
      hostname: "agent.test",
      port: 5051,
      pid: "slave(1)@agent.test:5051",
      attributes: { rack: "r1" },
      resources: { cpus: 4, mem: 4096, disk: 10000, gpus: 0, ports: "[31000-32000]" },
      used_resources: { cpus: 1, mem: 128, disk: 0, gpus: 0 },
      unreserved_resources: { cpus: 4, mem: 4096 },
      active: true,
      capabilities: ["shell"],
    });
    expect(typeof state.slaves[0].registered_time).toBe("number");

    expect(state.frameworks).toHaveLength(1);
    const fw = state.frameworks[0];
    expect(fw).toMatchObject({
      id: s.fw.id,
      name: "test-framework",
      active: true,
      connected: true,
      user: "root",
      failover_timeout: 0,
      checkpoint: false,
      role: "*",
      roles: ["*"],
      used_resources: { cpus: 1, mem: 128 },
      unreachable_tasks: [],
      completed_tasks: [],
      executors: [],
    });
    for (const key of [
      "hostname",
      "webui_url",
      "registered_time",
      "offered_resources",
      "resources",
      "offers",
    ]) {
      expect(fw).toHaveProperty(key);
    }
    expect(fw.tasks).toEqual([
      {
        id: "web-1",
        name: "web-1",
        framework_id: s.fw.id,
        executor_id: "",
        slave_id: s.agent.id,
        state: "TASK_RUNNING",
        resources: { cpus: 1, mem: 128, disk: 0, gpus: 0 },
        role: "*",
        statuses: [
          { state: "TASK_STAGING", timestamp: expect.any(Number) },
          { state: "TASK_RUNNING", timestamp: expect.any(Number) },
        ],
        labels: [],
      },
    ]);

    const alias = await app.inject({ method: "GET", url: "/state" });
    expect(alias.json().id).toBe(h.master.id);
  });

  it("serves /master/state-summary with task counts", async () => {
    const s = await running();
    const summary = (await app.inject({ method: "GET", url: "/master/state-summary" })).json();
    expect(summary).toMatchObject({ hostname: "master.test", cluster: "test" });
    expect(summary.slaves[0]).toMatchObject({
      id: s.agent.id,
      TASK_RUNNING: 1,
      TASK_FINISHED: 0,
      framework_ids: [s.fw.id],
    });
    expect(summary.frameworks[0]).toMatchObject({ id: s.fw.id, TASK_RUNNING: 1, slave_ids: [s.agent.id] });
  });

  it("serves Prometheus text and Mesos' metrics snapshot", async () => {
    await running();
    await app.inject({ method: "GET", url: "/master/state" });
    const text = await app.inject({ method: "GET", url: "/metrics" });
    expect(text.headers["content-type"]).toMatch(/text\/plain/);
    expect(text.body).toMatch(/agora_master_agents_active 1/);
    expect(text.body).toMatch(/agora_master_tasks\{state="TASK_RUNNING"\} 1/);
    expect(text.body).toMatch(/agora_master_resources_total\{resource="cpus"\} 4/);
    expect(text.body).toMatch(/agora_master_allocation_run_seconds_count \d+/);
    expect(text.body).toMatch(/agora_master_status_updates_relayed_total 1/);
    expect(text.body).toMatch(/agora_master_state_render_seconds_count 1/);
    expect(text.body).toMatch(/agora_master_event_loop_delay_seconds\{quantile="0.99"\} [\d.e-]+/);

    const snap = (await app.inject({ method: "GET", url: "/metrics/snapshot" })).json();
    expect(snap).toMatchObject({
      "master/elected": 1,
      "master/slaves_active": 1,
      "master/frameworks_active": 1,
      "master/tasks_running": 1,
      "master/tasks_finished": 0,
      "master/cpus_total": 4,
      "master/cpus_used": 1,
      "master/mem_total": 4096,
      "master/mem_used": 128,
      "master/invalid_messages": 0,
    });
    expect(typeof snap["master/uptime_secs"]).toBe("number");
    expect(typeof snap["allocator/mesos/allocation_run_ms"]).toBe("number");
  });

  it("pages /master/tasks and rejects a bad query with 400 naming the field", async () => {
    await running();
    const ok = await app.inject({ method: "GET", url: "/master/tasks?limit=1" });
    expect(ok.json().tasks.map((t: { id: string }) => t.id)).toEqual(["web-1"]);
    const bad = await app.inject({ method: "GET", url: "/master/tasks?limit=-4" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: "limit" });
    expect(bad.json().message).toMatch(/limit/);
  });

  it("answers unknown routes with 404 in the API's error shape", async () => {
    h = await MasterHarness.start();
    app = buildMasterHttp(h.master);
    const res = await app.inject({ method: "GET", url: "/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/No route/);
  });

  it("keeps two masters' metrics apart", async () => {
    h = await MasterHarness.start();
    app = buildMasterHttp(h.master);
    const other = await MasterHarness.start();
    await other.agent();
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).toMatch(/agora_master_agents_active 0/);
    await other.stop();
  });
});
