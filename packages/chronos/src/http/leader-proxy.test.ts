import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChronosHttpHarness, listen } from "../test-support/http.js";
import { sseReader } from "../test-support/sse.js";

describe("a standby Chronos", () => {
  let leader: ChronosHttpHarness;
  let standby: ChronosHttpHarness;
  let leaderAt: string;
  beforeEach(async () => {
    leader = new ChronosHttpHarness();
    leaderAt = await listen(leader.http);
    leader.service.infoValue = { ...leader.service.infoValue, leader: leaderAt };
    standby = new ChronosHttpHarness();
    standby.service.infoValue = { ...standby.service.infoValue, elected: false, leader: leaderAt };
  });
  afterEach(async () => {
    await standby.close();
    await leader.close();
  });

  it("forwards writes and reads to the leader, status and body included (no redirect)", async () => {
    const res = await standby.inject("POST", "/v1/scheduler/iso8601", {
      name: "a",
      schedule: "R/2026-01-01T00:00:00Z/PT1H",
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers["x-chronos-leader"]).toBe(leaderAt);
    expect(leader.service.job("a")).toBeDefined();
    expect(standby.service.job("a")).toBeUndefined();
    const read = await standby.inject("GET", "/v1/scheduler/jobs");
    expect(read.json().map((j: { name: string }) => j.name)).toEqual(["a"]);
    const bad = await standby.inject("POST", "/v1/scheduler/iso8601", { name: "a b", schedule: "R//PT1H" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe("/name");
    const created = await standby.inject("POST", "/v1/jobs", { id: "m", run: { cmd: "x" } });
    expect(created.statusCode).toBe(201);
    const csv = await standby.inject("GET", "/v1/scheduler/graph/csv");
    expect(csv.headers["content-type"]).toMatch(/^text\/plain/);
    expect(csv.body).toBe("node,a,fresh,idle\nnode,m,fresh,idle\n");
  });

  it("streams the leader's /v1/events through", async () => {
    const at = await listen(standby.http);
    const abort = new AbortController();
    const res = await fetch(`http://${at}/v1/events?event_type=job_created`, { signal: abort.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    // The headers came through, so the leader's stream is subscribed: no event can be missed.
    const next = sseReader(res);
    await leader.scheduled("a");
    expect(await next()).toMatchObject({ event: "job_created", data: { jobName: "a" } });
    abort.abort();
  });

  it("answers /ping, /metrics and /v1/scheduler/leader itself", async () => {
    expect((await standby.inject("GET", "/ping")).body).toBe("pong");
    const metrics = (await standby.inject("GET", "/metrics")).json();
    expect(metrics.gauges["leadership.elected"]).toEqual({ value: 0 });
    const res = await standby.inject("GET", "/v1/scheduler/leader");
    expect(res.json()).toEqual({ leader: leaderAt });
    expect(res.headers["x-chronos-leader"]).toBeUndefined();
  });

  it("refuses with 503 NOT_LEADER when no leader is known, when the request was forwarded already, or the leader is gone", async () => {
    const looped = await standby.http.inject({
      method: "GET",
      url: "/v1/scheduler/jobs",
      headers: { "x-chronos-via": "1.1 other" },
    });
    expect(looped.statusCode).toBe(503);
    expect(looped.json().message).toContain("loop");
    await leader.close();
    const gone = await standby.inject("GET", "/v1/scheduler/jobs");
    expect(gone.statusCode).toBe(503);
    expect(gone.json().message).toContain(leaderAt);
    standby.service.infoValue = { ...standby.service.infoValue, leader: undefined };
    const none = await standby.inject("GET", "/v1/jobs");
    expect(none.statusCode).toBe(503);
    expect(none.json().message).toBe("Could not determine the current leader");
  });
});
