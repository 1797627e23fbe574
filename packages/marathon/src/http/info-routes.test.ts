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
      marathon_config: { master: "nats://127.0.0.1:4222" },
      http_config: { http_port: 8080 },
    });
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
