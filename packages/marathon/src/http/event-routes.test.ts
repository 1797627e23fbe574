import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryMarathon } from "../test-support/memory-marathon.js";
import { createMarathonHttp } from "./server.js";

/** Reads server-sent events from a `/v2/events` response, one `{event, data}` at a time. */
function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return async (): Promise<{ event: string; data: Record<string, unknown> }> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
        const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null");
        return { event, data };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

describe("/v2/events", () => {
  let service: MemoryMarathon;
  let http: FastifyInstance;
  let base: string;
  beforeEach(async () => {
    service = new MemoryMarathon();
    http = createMarathonHttp(service);
    await http.listen({ port: 0, host: "127.0.0.1" });
    const address = http.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterEach(async () => {
    await http.close();
  });

  it("streams the service's events and api_post_event as SSE, starting with its own attach", async () => {
    const res = await fetch(`${base}/v2/events`, { headers: { accept: "text/event-stream" } });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const next = sseReader(res);
    const attached = await next();
    expect(attached.event).toBe("event_stream_attached");
    expect(attached.data).toMatchObject({ eventType: "event_stream_attached", remoteAddress: "127.0.0.1" });

    await fetch(`${base}/v2/apps`, { method: "POST", body: JSON.stringify({ id: "web", cmd: "x" }) });
    const posted = await next();
    expect(posted.event).toBe("api_post_event");
    expect(posted.data).toMatchObject({ uri: "/v2/apps", appDefinition: { id: "/web", cmd: "x" } });

    service.finish("deployment-1");
    const success = await next();
    expect(success).toMatchObject({ event: "deployment_success", data: { id: "deployment-1" } });
  });

  it("shows apps inside events in Marathon's JSON: constraints as [field, OPERATOR, value] arrays", async () => {
    const next = sseReader(
      await fetch(`${base}/v2/events?event_type=api_post_event&event_type=deployment_success`),
    );
    const app = {
      id: "web",
      cmd: "x",
      constraints: [
        ["hostname", "UNIQUE"],
        ["rack", "GROUP_BY", "2"],
      ],
    };
    await fetch(`${base}/v2/apps`, { method: "POST", body: JSON.stringify(app) });
    const posted = await next();
    expect(posted.data.appDefinition).toMatchObject({ constraints: app.constraints });

    service.finish("deployment-1");
    const success = await next();
    const plan = success.data.plan as { target: { apps: { constraints: unknown }[] } };
    expect(plan.target.apps[0]!.constraints).toEqual(app.constraints);
  });

  it("sends only the event types asked for, and tells other streams when one detaches", async () => {
    const watcher = await fetch(
      `${base}/v2/events?event_type=event_stream_detached&event_type=deployment_success`,
    );
    const watch = sseReader(watcher);
    const abort = new AbortController();
    const other = await fetch(`${base}/v2/events`, { signal: abort.signal });
    await sseReader(other)();
    abort.abort();
    expect((await watch()).event).toBe("event_stream_detached");

    await fetch(`${base}/v2/apps`, { method: "POST", body: JSON.stringify({ id: "web", cmd: "x" }) });
    service.finish("deployment-1");
    expect((await watch()).event).toBe("deployment_success");
  });

  it("ends open streams and unsubscribes from the service when the server closes", async () => {
    const res = await fetch(`${base}/v2/events`);
    const next = sseReader(res);
    await next();
    await http.close();
    await expect(next()).rejects.toThrow("stream ended");
    expect(service.listenerCount).toBe(0);
  });
});
