import { AgentRegistered, decode, encode, parseResources } from "@agora/protocol";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness } from "../test-support/harness.js";
import { buildMasterHttp } from "./app.js";

const closing: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c.close();
});

async function listen(app: FastifyInstance): Promise<number> {
  closing.push(app);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** An agent's HTTP API as far as the proxy needs it: a 100 KB stdout and Mesos' 404 for other paths. */
function fakeAgentHttp(): FastifyInstance {
  const app = Fastify();
  const stdout = "x".repeat(100_000);
  app.get("/state", async () => ({ id: "a1", frameworks: [] }));
  app.get("/files/browse", async (request) => [
    { path: `${(request.query as { path: string }).path}/stdout` },
  ]);
  app.get("/files/read", async (request, reply) => {
    const q = request.query as { path: string; offset?: string; length?: string };
    if (!q.path.endsWith("/stdout")) return reply.code(404).send({ message: `no file '${q.path}'` });
    const offset = Number(q.offset ?? -1);
    if (offset < 0 || offset >= stdout.length) return { data: "", offset: stdout.length };
    const length = Math.min(Number(q.length ?? stdout.length), 65536);
    return { data: stdout.slice(offset, offset + length), offset };
  });
  return app;
}

async function registerAgent(h: MasterHarness, port: number): Promise<string> {
  const bytes = await h.bus.request(
    h.subjects.masterAgent,
    encode({
      type: "register",
      agentInfo: {
        hostname: "127.0.0.1",
        port,
        resources: parseResources("cpus:1;mem:128"),
        attributes: [],
        capabilities: ["shell"],
        version: "0.1.0",
      },
    }),
  );
  const reply = decode(AgentRegistered, bytes);
  if (!reply.ok) throw new Error(reply.error.message);
  h.attachAgent(reply.value.agentId);
  return reply.value.agentId;
}

describe("agent sandbox proxy", () => {
  it("forwards state, browse and read to the agent, streams downloads, and names unknown or silent agents", async () => {
    const h = await MasterHarness.startForTest();
    const agentPort = await listen(fakeAgentHttp());
    const agentId = await registerAgent(h, agentPort);
    const app = buildMasterHttp(h.master);
    closing.push(app);

    const state = await app.inject({ url: `/agents/${agentId}/state` });
    expect(state.json()).toEqual({ id: "a1", frameworks: [] });
    const browse = await app.inject({ url: `/agents/${agentId}/files/browse?path=/sb` });
    expect(browse.json()).toEqual([{ path: "/sb/stdout" }]);
    const read = await app.inject({
      url: `/agents/${agentId}/files/read?path=/sb/stdout&offset=99990&length=5`,
    });
    expect(read.json()).toEqual({ data: "xxxxx", offset: 99990 });
    const missing = await app.inject({ url: `/agents/${agentId}/files/read?path=/sb/nope&offset=0` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toContain("no file");

    const download = await app.inject({ url: `/agents/${agentId}/files/download?path=/sb/stdout` });
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-disposition"]).toBe('attachment; filename="stdout"');
    expect(download.body).toHaveLength(100_000);
    expect((await app.inject({ url: `/agents/${agentId}/files/download?path=/sb/nope` })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ url: `/agents/${agentId}/files/download` })).statusCode).toBe(400);

    const unknown = await app.inject({ url: "/agents/nobody/files/browse?path=/" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ field: "agentId" });

    await closing.shift()!.close(); // the agent's HTTP goes away
    const silent = await app.inject({ url: `/agents/${agentId}/files/browse?path=/sb` });
    expect(silent.statusCode).toBe(502);
    expect(silent.json().message).toContain(`agent ${agentId} did not answer`);
  });
});

describe("/service/<framework>/ proxy", () => {
  it("passes every method, body, status and event stream to the framework's webuiUrl", async () => {
    const h = await MasterHarness.startForTest();
    const upstream = Fastify();
    upstream.get("/v2/apps", async (request) => ({ apps: [], query: request.query }));
    upstream.post("/v2/apps", async (request, reply) =>
      reply
        .code(422)
        .send({ message: "Object is not valid", details: [{ path: "/cmd", got: request.body }] }),
    );
    upstream.addContentTypeParser("text/plain", { parseAs: "string" }, (_r, body, done) => done(null, body));
    upstream.put("/echo", async (request) => ({ text: request.body }));
    upstream.get("/v2/events", (_request, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { "content-type": "text/event-stream" });
      reply.raw.write('event: deployment_info\ndata: {"n":1}\n\n');
    });
    const port = await listen(upstream);
    await h.framework({ name: "marathon", webuiUrl: `http://127.0.0.1:${port}` });
    const app = buildMasterHttp(h.master);
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    closing.push(app);

    const list = await fetch(`${base}/service/marathon/v2/apps?embed=apps.tasks`);
    expect(await list.json()).toEqual({ apps: [], query: { embed: "apps.tasks" } });
    const bad = await fetch(`${base}/service/marathon/v2/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "/x" }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ details: [{ path: "/cmd", got: { id: "/x" } }] });
    const text = await fetch(`${base}/service/marathon/echo`, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: "hello",
    });
    expect(await text.json()).toEqual({ text: "hello" });

    const events = await fetch(`${base}/service/marathon/v2/events`);
    expect(events.headers.get("content-type")).toBe("text/event-stream");
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: deployment_info");
    await reader.cancel();

    const bare = await fetch(`${base}/service/marathon`, { redirect: "manual" });
    expect(bare.status).toBe(307);
    expect(bare.headers.get("location")).toBe("/service/marathon/");
    const unknown = await fetch(`${base}/service/chronos/v1/scheduler/jobs`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ field: "name" });

    await upstream.close();
    const down = await fetch(`${base}/service/marathon/v2/apps`);
    expect(down.status).toBe(502);
    expect(((await down.json()) as { message: string }).message).toContain(
      "framework 'marathon' did not answer",
    );
  });
});
