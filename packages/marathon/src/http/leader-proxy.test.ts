import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findApp } from "../model/group-ops.js";
import { MemoryMarathon } from "../test-support/memory-marathon.js";
import { createMarathonHttp } from "./server.js";

describe("a standby Marathon", () => {
  let leader: MemoryMarathon;
  let standby: MemoryMarathon;
  let leaderHttp: FastifyInstance;
  let standbyHttp: FastifyInstance;
  beforeEach(async () => {
    leader = new MemoryMarathon();
    leaderHttp = createMarathonHttp(leader);
    await leaderHttp.listen({ port: 0, host: "127.0.0.1" });
    const address = leaderHttp.server.address();
    const leaderAt = `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    leader.infoValue = { ...leader.infoValue, leader: leaderAt };
    standby = new MemoryMarathon();
    standby.infoValue = { ...standby.infoValue, elected: false, leader: leaderAt };
    standbyHttp = createMarathonHttp(standby);
  });
  afterEach(async () => {
    await standbyHttp.close();
    await leaderHttp.close();
  });

  it("proxies writes and reads to the leader, body and status included", async () => {
    const res = await standbyHttp.inject({
      method: "POST",
      url: "/v2/apps?force=true",
      payload: { id: "web", cmd: "x" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().id).toBe("/web");
    expect(res.headers["x-marathon-leader"]).toBe(`http://${leader.infoValue.leader}`);
    expect(findApp(leader.root(), "/web")).toBeDefined();
    expect(findApp(standby.root(), "/web")).toBeUndefined();
    const read = await standbyHttp.inject({ method: "GET", url: "/v2/apps" });
    expect(read.json().apps.map((a: { id: string }) => a.id)).toEqual(["/web"]);
    const bad = await standbyHttp.inject({ method: "POST", url: "/v2/apps", payload: { id: "x", mem: -1 } });
    expect(bad.statusCode).toBe(422);
  });

  it("streams the leader's /v2/events through", async () => {
    await standbyHttp.listen({ port: 0, host: "127.0.0.1" });
    const address = standbyHttp.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/v2/events?event_type=deployment_success`, {
      signal: abort.signal,
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    // The headers came through, so the leader's stream is subscribed: no event can be missed.
    const reader = res.body!.getReader();
    await leaderHttp.inject({ method: "POST", url: "/v2/apps", payload: { id: "web", cmd: "x" } });
    leader.finish("deployment-1");
    let text = "";
    while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toMatch(/^event: deployment_success\ndata: \{.*"id":"deployment-1"/);
    abort.abort();
  });

  it("answers /ping, /v2/info and /v2/leader itself", async () => {
    const info = (await standbyHttp.inject({ method: "GET", url: "/v2/info" })).json();
    expect(info.elected).toBe(false);
    expect((await standbyHttp.inject({ method: "GET", url: "/v2/leader" })).json().leader).toBe(
      leader.infoValue.leader,
    );
  });

  it("refuses with 503 when no leader is known, or when a request was forwarded already", async () => {
    const looped = await standbyHttp.inject({
      method: "GET",
      url: "/v2/apps",
      headers: { "x-marathon-via": "1.1 x" },
    });
    expect(looped.statusCode).toBe(503);
    standby.infoValue = { ...standby.infoValue, leader: undefined };
    const res = await standbyHttp.inject({ method: "GET", url: "/v2/apps" });
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toContain("leader");
  });
});
