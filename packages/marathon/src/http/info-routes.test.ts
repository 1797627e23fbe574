import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryMarathon } from "../test-support/memory-marathon.js";
import { createMarathonHttp } from "./server.js";

describe("/ping, /v2/info, /v2/leader, /metrics", () => {
  let service: MemoryMarathon;
  let http: FastifyInstance;
  beforeEach(() => {
    service = new MemoryMarathon();
    http = createMarathonHttp(service);
  });
  afterEach(async () => {
    await http.close();
  });

  it("answers /ping with pong", async () => {
    const res = await http.inject({ method: "GET", url: "/ping" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("pong");
  });

  it("shows /v2/info in Marathon's shape", async () => {
    const res = await http.inject({ method: "GET", url: "/v2/info" });
    expect(res.json()).toMatchObject({
      name: "marathon",
      version: "1.10.0-agora",
      elected: true,
      leader: "127.0.0.1:8080",
      frameworkId: "fw-1",
      marathon_config: { master: "nats://127.0.0.1:4222", framework_name: "marathon", features: [] },
      zookeeper_config: { zk: null, zk_max_versions: 50, zk_timeout: 10000 },
      http_config: { http_port: 8080, https_port: 8443 },
    });
  });

  it("carries exactly the keys Marathon 1.x's InfoResource writes; Agora's own settings are at /agora/info", async () => {
    service.infoValue = {
      ...service.infoValue,
      config: {
        master: "nats://127.0.0.1:4222",
        mesos_role: "*",
        failover_timeout: 604800,
        checkpoint: true,
        max_running_deployments: 100,
        zk: null,
        http_port: 8080,
      },
    };
    const info = (await http.inject({ method: "GET", url: "/v2/info" })).json();
    // Written out from mesosphere/marathon's InfoResource.scala rather than imported, so a key
    // added to the route by mistake fails here.
    expect(Object.keys(info).sort()).toEqual(
      [
        "name",
        "version",
        "buildref",
        "elected",
        "leader",
        "frameworkId",
        "marathon_config",
        "zookeeper_config",
        "http_config",
      ].sort(),
    );
    expect(Object.keys(info.marathon_config).sort()).toEqual(
      `access_control_allow_origin checkpoint decline_offer_duration default_network_name env_vars_prefix
      executor failover_timeout features framework_name ha hostname launch_token launch_token_refresh_interval
      leader_proxy_connection_timeout_ms leader_proxy_read_timeout_ms local_port_max local_port_min master
      max_instances_per_offer mesos_bridge_name mesos_heartbeat_failure_threshold mesos_heartbeat_interval
      mesos_leader_ui_url mesos_role mesos_user new_group_enforce_role min_revive_offers_interval
      offer_matching_timeout on_elected_prepare_timeout reconciliation_initial_delay reconciliation_interval
      scale_apps_initial_delay scale_apps_interval store_cache task_launch_confirm_timeout task_launch_timeout
      task_lost_expunge_initial_delay task_lost_expunge_interval task_reservation_timeout webui_url
      maintenance_mode`
        .split(/\s+/)
        .sort(),
    );
    expect(Object.keys(info.zookeeper_config).sort()).toEqual(
      "zk zk_compression zk_compression_threshold zk_connection_timeout zk_max_node_size zk_max_versions zk_session_timeout zk_timeout"
        .split(" ")
        .sort(),
    );
    expect(Object.keys(info.http_config).sort()).toEqual(["http_port", "https_port"]);
    expect(info.marathon_config).toMatchObject({
      mesos_role: "*",
      failover_timeout: 604800,
      checkpoint: true,
    });
    const agora = await http.inject({ method: "GET", url: "/agora/info" });
    expect(agora.statusCode).toBe(200);
    expect(agora.json()).toEqual({ config: { max_running_deployments: 100 } });
  });

  it("names the leader, 404 when there is none, and abdicates on DELETE", async () => {
    expect((await http.inject({ method: "GET", url: "/v2/leader" })).json()).toEqual({
      leader: "127.0.0.1:8080",
    });
    const abdicate = await http.inject({ method: "DELETE", url: "/v2/leader" });
    expect(abdicate.statusCode).toBe(200);
    expect(service.abdicated).toBe(1);
    service.infoValue = { ...service.infoValue, leader: undefined, elected: false };
    const none = await http.inject({ method: "GET", url: "/v2/leader" });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toEqual({ message: "There is no leader" });
  });

  it("serves Marathon's JSON metrics and Prometheus text that count every route's requests", async () => {
    await http.inject({ method: "POST", url: "/v2/apps", payload: { id: "web", cmd: "x" } });
    await http.inject({ method: "GET", url: "/v2/apps" });
    const json = (await http.inject({ method: "GET", url: "/metrics" })).json();
    expect(json.gauges["marathon.apps.active.gauge"]).toEqual({ value: 1 });
    expect(json.gauges["marathon.deployments.active.gauge"]).toEqual({ value: 1 });
    expect(json.counters["marathon.http.requests.counter"].count).toBeGreaterThanOrEqual(2);
    const text = await http.inject({ method: "GET", url: "/metrics/prometheus" });
    expect(text.body).toContain("marathon_apps_active 1");
    expect(text.body).toMatch(/marathon_http_requests_total\{method="POST",status="201"\} 1/);
  });

  it("answers an unknown route with 404 and a message", async () => {
    const res = await http.inject({ method: "GET", url: "/v2/nothing" });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain("/v2/nothing");
  });
});
