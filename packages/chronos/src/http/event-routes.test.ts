import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChronosHttpHarness, listen } from "../test-support/http.js";
import { sseReader } from "../test-support/sse.js";

describe("/v1/events", () => {
  let h: ChronosHttpHarness;
  let base: string;
  beforeEach(async () => {
    h = new ChronosHttpHarness({ eventHeartbeatMs: 50 });
    base = `http://${await listen(h.http)}`;
  });
  afterEach(() => h.close());

  it("streams the service's job and run events as SSE", async () => {
    const res = await fetch(`${base}/v1/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const next = sseReader(res);
    const events = async () => {
      for (;;) {
        const frame = await next();
        if (frame.event) return frame;
      }
    };
    await h.scheduled("a");
    expect(await events()).toMatchObject({
      event: "job_created",
      data: { type: "job_created", jobName: "a" },
    });
    await h.inject("PUT", "/v1/scheduler/job/a?arguments=x");
    expect(await events()).toMatchObject({
      event: "run_created",
      data: { jobName: "a", run: { jobName: "a", trigger: "manual", arguments: ["x"], status: "STARTING" } },
    });
  });

  it("sends only the event types asked for", async () => {
    const next = sseReader(await fetch(`${base}/v1/events?event_type=job_deleted`));
    await h.scheduled("a");
    await h.inject("DELETE", "/v1/scheduler/job/a");
    let frame = await next();
    while (frame.comment !== undefined) frame = await next();
    expect(frame).toMatchObject({ event: "job_deleted", data: { jobName: "a" } });
  });

  it("keeps an idle stream alive with comment heartbeats", async () => {
    const next = sseReader(await fetch(`${base}/v1/events`));
    expect(await next()).toEqual({ comment: "heartbeat" });
    expect(await next()).toEqual({ comment: "heartbeat" });
  });

  it("unsubscribes when the client leaves", async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/v1/events`, { signal: abort.signal });
    await sseReader(res)();
    expect(h.service.listenerCount).toBe(1);
    abort.abort();
    await expect.poll(() => h.service.listenerCount).toBe(0);
  });

  it("ends open streams and unsubscribes when the server closes", async () => {
    const next = sseReader(await fetch(`${base}/v1/events`));
    await next();
    await h.close();
    await expect(
      (async () => {
        for (;;) await next();
      })(),
    ).rejects.toThrow("stream ended");
    expect(h.service.listenerCount).toBe(0);
  });
});
