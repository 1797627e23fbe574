import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent } from "@agora/agent";
import { NoopExecutor } from "@agora/agent/internal";
import { type RunningMarathon, startMarathon } from "@agora/marathon";
import { Master } from "@agora/master";
import { parseResources } from "@agora/protocol";
import { InProcessBus, MemoryStateStore } from "@agora/transport";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./harness/wait.js";

const silent = pino({ level: "silent" });

interface AppJson {
  id: string;
  instances: number;
  version: string;
  tasksRunning: number;
  tasksStaged: number;
  deployments: { id: string }[];
  tasks?: { id: string; host: string; version: string; state: string }[];
}

/**
 * Marathon's REST API over the real runtime, in one process as dev mode runs it: an in-process bus,
 * a master and two agents (no-op executor: tasks stay RUNNING until killed) named node-a and node-b.
 */
describe("Marathon's REST API over the real runtime (in-process)", () => {
  const bus = new InProcessBus();
  let master: Master;
  const agents: Agent[] = [];
  let marathon: RunningMarathon;
  let url: string;
  const workDir = mkdtempSync(path.join(os.tmpdir(), "agora-marathon-rest-"));

  beforeAll(async () => {
    master = new Master({ bus, store: new MemoryStateStore(), logger: silent, allocationIntervalMs: 50 });
    await master.start({ httpPort: 5050 });
    for (const hostname of ["node-a", "node-b"]) {
      const agent = new Agent({
        bus,
        workDir: path.join(workDir, hostname),
        hostname,
        resources: parseResources("cpus:4;mem:4096;disk:1000;ports:[31000-31999]"),
        attributes: [],
        executors: { shell: new NoopExecutor({ runMs: 3_600_000 }) },
        logger: silent,
      });
      await agent.start({ httpPort: 0 });
      agents.push(agent);
    }
    marathon = await startMarathon({
      bus,
      store: new MemoryStateStore(),
      host: "127.0.0.1",
      hostname: "127.0.0.1",
      port: 0,
      declineOfferSeconds: 0.2,
    });
    url = marathon.url;
    await waitFor(
      "marathon leads",
      async () => (await json<{ elected: boolean }>("GET", "/v2/info")).body.elected,
    );
  });

  afterAll(async () => {
    await marathon?.close();
    for (const a of agents) await a.stop({ killTasks: true });
    await master?.stop();
    await bus.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function json<T>(
    method: string,
    p: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text === "" ? undefined : JSON.parse(text)) as T,
      headers: res.headers,
    };
  }
  const app = async (id: string) => (await json<{ app: AppJson }>("GET", `/v2/apps${id}`)).body.app;
  const settled = (id: string, running: number) =>
    waitFor(`${id} has ${running} running and no deployment`, async () => {
      const a = await app(id);
      return a.tasksRunning === running && a.tasksStaged === 0 && a.deployments.length === 0 && a;
    });

  it("creates, scales, restarts and destroys an app, each a deployment that completes", async () => {
    const created = await json<AppJson>("POST", "/v2/apps", {
      id: "/web",
      cmd: "serve",
      cpus: 0.1,
      mem: 16,
      instances: 3,
    });
    expect(created.status).toBe(201);
    expect(created.body.deployments).toHaveLength(1);
    const first = await settled("/web", 3);

    const scaled = await json<{ deploymentId: string }>("PUT", "/v2/apps/web", { instances: 1 });
    expect(scaled.status).toBe(200);
    expect(scaled.headers.get("marathon-deployment-id")).toBe(scaled.body.deploymentId);
    const one = await settled("/web", 1);
    expect(one.version).not.toBe(first.version);

    expect((await json("POST", "/v2/apps/web/restart")).status).toBe(200);
    const restarted = await waitFor("the restart replaced the task", async () => {
      const a = await app("/web");
      return a.deployments.length === 0 && a.tasks?.length === 1 && a.tasks[0]!.version === a.version && a;
    });
    expect(restarted.tasks![0]!.id).not.toBe(one.tasks![0]!.id);

    const text = await fetch(`${url}/v2/tasks`, { headers: { accept: "text/plain" } }).then((r) => r.text());
    expect(text).toMatch(/^web\t10\d{3}\tnode-[ab]:\d+\t\n$/);

    expect((await json("DELETE", "/v2/apps/web")).status).toBe(200);
    await waitFor("web is gone with its tasks", async () => {
      const tasks = (await json<{ tasks: unknown[] }>("GET", "/v2/tasks")).body.tasks;
      return (await json("GET", "/v2/apps/web")).status === 404 && tasks.length === 0;
    });
  });

  /** Posts a 3-instance UNIQUE-hostname app and waits until 2 run (one per agent) and 1 waits in the queue. */
  const uniqueOnTwoAgents = async (id: string) => {
    const res = await json("POST", "/v2/apps", {
      id,
      cmd: "serve",
      cpus: 0.1,
      mem: 16,
      instances: 3,
      constraints: [["hostname", "UNIQUE"]],
    });
    expect(res.status).toBe(201);
    return waitFor("two run, one waits in the queue", async () => {
      const q = (await json<{ queue: { app: { id: string }; count: number }[] }>("GET", "/v2/queue")).body
        .queue;
      return (await app(id)).tasksRunning === 2 && q.find((e) => e.app.id === id && e.count === 1);
    });
  };

  it("keeps what cannot be placed in /v2/queue: UNIQUE hostname, 3 instances on 2 agents", async () => {
    const queued = await uniqueOnTwoAgents("/unique");
    expect(queued.count).toBe(1);
    const hosts = (await app("/unique")).tasks!.map((t) => t.host).sort();
    expect(hosts).toEqual(["node-a", "node-b"]);
    // Marathon forces a DELETE unless told not to.
    const locked = await json<{ deployments: { id: string }[] }>("DELETE", "/v2/apps/unique?force=false");
    expect(locked.status).toBe(409);
    expect(locked.body.deployments).toHaveLength(1);
    expect((await json("DELETE", "/v2/apps/unique?force=true")).status).toBe(200);
    await waitFor("unique is gone with its tasks and its queue entry", async () => {
      const tasks = (await json<{ tasks: unknown[] }>("GET", "/v2/tasks")).body.tasks;
      const q = (await json<{ queue: unknown[] }>("GET", "/v2/queue")).body.queue;
      return (await json("GET", "/v2/apps/unique")).status === 404 && tasks.length === 0 && q.length === 0;
    });
  });

  it("a forced scale-down of a UNIQUE app with one instance queued finishes its deployment", async () => {
    await uniqueOnTwoAgents("/unique-scaled");
    const scaled = await json("PUT", "/v2/apps/unique-scaled?force=true", { instances: 2 });
    expect(scaled.status).toBe(200);
    await settled("/unique-scaled", 2);
    await waitFor("the queue is empty", async () => {
      const q = (await json<{ queue: { app: { id: string } }[] }>("GET", "/v2/queue")).body.queue;
      return !q.some((e) => e.app.id === "/unique-scaled");
    });
    expect((await json<unknown[]>("GET", "/v2/deployments")).body).toEqual([]);
    expect((await json("DELETE", "/v2/apps/unique-scaled")).status).toBe(200);
    await waitFor(
      "unique-scaled is gone",
      async () => (await json("GET", "/v2/apps/unique-scaled")).status === 404,
    );
  });

  it("deploys a group whose apps depend on each other, and lists it with its apps", async () => {
    const res = await json("PUT", "/v2/groups/shop", {
      apps: [
        { id: "db", cmd: "db", cpus: 0.1, mem: 16 },
        { id: "web", cmd: "web", cpus: 0.1, mem: 16, instances: 2, dependencies: ["db"] },
      ],
    });
    expect(res.status).toBe(200);
    await settled("/shop/web", 2);
    await settled("/shop/db", 1);
    const group = (await json<{ apps: AppJson[] }>("GET", "/v2/groups/shop")).body;
    expect(group.apps.map((a) => a.id).sort()).toEqual(["/shop/db", "/shop/web"]);
    expect((await json("PUT", "/v2/groups/shop", { scaleBy: 2 })).status).toBe(200);
    await settled("/shop/web", 4);
    expect((await json("DELETE", "/v2/groups/shop")).status).toBe(200);
    await waitFor(
      "the group's tasks are gone",
      async () => (await json<{ tasks: unknown[] }>("GET", "/v2/tasks")).body.tasks.length === 0,
    );
  });

  it("streams a deployment's events on /v2/events: api_post_event, deployment_info, status updates, success", async () => {
    const abort = new AbortController();
    const res = await fetch(`${url}/v2/events`, {
      signal: abort.signal,
      headers: { accept: "text/event-stream" },
    });
    const seen: { event: string; data: Record<string, unknown> }[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          seen.push({
            event: /^event: (.*)$/m.exec(frame)?.[1] ?? "",
            data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null"),
          });
        }
      }
    })().catch(() => undefined);
    await waitFor("the stream is attached", () => seen.some((e) => e.event === "event_stream_attached"));
    await json("POST", "/v2/apps", { id: "/evented", cmd: "serve", cpus: 0.1, mem: 16, instances: 2 });
    await waitFor("deployment_success", () => seen.some((e) => e.event === "deployment_success"));
    const types = seen.map((e) => e.event);
    expect(types).toEqual(
      expect.arrayContaining(["api_post_event", "deployment_info", "status_update_event"]),
    );
    expect(types.indexOf("api_post_event")).toBeLessThan(types.indexOf("deployment_success"));
    const running = seen.filter(
      (e) => e.event === "status_update_event" && e.data.taskStatus === "TASK_RUNNING",
    );
    expect(running.map((e) => e.data.appId)).toEqual(["/evented", "/evented"]);
    abort.abort();
    await reading;
    await json("DELETE", "/v2/apps/evented?force=true");
  });

  it("refuses a deployment beyond --max-running-deployments with Marathon's 403", async () => {
    const capped = await startMarathon({
      bus,
      store: new MemoryStateStore(),
      host: "127.0.0.1",
      hostname: "127.0.0.1",
      port: 0,
      declineOfferSeconds: 0.2,
      maxRunningDeployments: 1,
    });
    try {
      const post = (body: unknown, query = "") =>
        fetch(`${capped.url}/v2/apps${query}`, { method: "POST", body: JSON.stringify(body) });
      // Never placeable: its deployment keeps running.
      expect((await post({ id: "/huge", cmd: "serve", cpus: 100, mem: 16 })).status).toBe(201);
      const refused = await post({ id: "/small", cmd: "serve", cpus: 0.1, mem: 16 });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { message: string }).message).toMatch(
        /^Max number \(1\) of running deployments is achieved/,
      );
      expect((await fetch(`${capped.url}/v2/apps/small`)).status).toBe(404);
      // A forced write that replaces the running deployment takes its place.
      const replaced = await fetch(`${capped.url}/v2/apps/huge?force=true`, {
        method: "PUT",
        body: JSON.stringify({ cpus: 0.1 }),
      });
      expect(replaced.status).toBe(200);
      // Not a key of Marathon's /v2/info: Agora's own settings are at /agora/info.
      const info = (await (await fetch(`${capped.url}/agora/info`)).json()) as {
        config: Record<string, unknown>;
      };
      expect(info.config.max_running_deployments).toBe(1);
      await fetch(`${capped.url}/v2/apps/huge?force=true`, { method: "DELETE" });
      await waitFor(
        "huge is gone",
        async () =>
          ((await fetch(`${capped.url}/v2/tasks`).then((r) => r.json())) as { tasks: unknown[] }).tasks
            .length === 0,
      );
    } finally {
      await capped.close();
    }
  });
});
