import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findApp } from "../model/group-ops.js";
import { instance, MemoryMarathon } from "../test-support/memory-marathon.js";
import { createMarathonHttp } from "./server.js";

describe("tasks", () => {
  let service: MemoryMarathon;
  let http: FastifyInstance;
  beforeEach(async () => {
    service = new MemoryMarathon();
    http = createMarathonHttp(service);
    await http.inject({
      method: "POST",
      url: "/v2/apps",
      payload: {
        id: "/prod/web",
        cmd: "x",
        instances: 3,
        portDefinitions: [{ port: 10000 }, { port: 10001 }],
      },
    });
    await http.inject({
      method: "POST",
      url: "/v2/apps",
      payload: { id: "/db", cmd: "x", portDefinitions: [] },
    });
    for (const d of [...service.running]) service.finish(d.plan.id);
    service.instanceList = [
      instance("/prod/web", 1, { ports: [31001, 31101] }),
      instance("/prod/web", 2, { ports: [31002, 31102], host: "10.0.0.1" }),
      instance("/prod/web", 3, { state: "TASK_STAGING", ports: [31003, 31103] }),
      instance("/db", 4, { ports: [] }),
    ];
  });
  afterEach(async () => {
    await http.close();
  });

  it("lists all tasks, or those of a status", async () => {
    const all = (await http.inject({ method: "GET", url: "/v2/tasks" })).json().tasks;
    expect(all).toHaveLength(4);
    expect(all[0]).toMatchObject({ id: "prod_web.task-1", appId: "/prod/web", servicePorts: [10000, 10001] });
    const running = (await http.inject({ method: "GET", url: "/v2/tasks?status=running" })).json().tasks;
    expect(running).toHaveLength(3);
    const staging = (await http.inject({ method: "GET", url: "/v2/tasks?status=staging" })).json().tasks;
    expect(staging.map((t: { id: string }) => t.id)).toEqual(["prod_web.task-3"]);
    expect((await http.inject({ method: "GET", url: "/v2/tasks?status=dead" })).statusCode).toBe(400);
  });

  it("lists tasks as Marathon's text/plain endpoints", async () => {
    const res = await http.inject({ method: "GET", url: "/v2/tasks", headers: { accept: "text/plain" } });
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toBe(
      [
        "db\t \t10.0.0.4\t",
        "prod_web\t10000\t10.0.0.1:31001\t10.0.0.1:31002\t10.0.0.3:31003\t",
        "prod_web\t10001\t10.0.0.1:31101\t10.0.0.1:31102\t10.0.0.3:31103\t",
        "",
      ].join("\n"),
    );
    const one = await http.inject({
      method: "GET",
      url: "/v2/apps/db/tasks",
      headers: { accept: "text/plain" },
    });
    expect(one.body).toBe("db\t \t10.0.0.4\t\n");
  });

  it("kills an app's tasks on a host, answering the killed tasks", async () => {
    const res = await http.inject({ method: "DELETE", url: "/v2/apps/prod/web/tasks?host=10.0.0.1" });
    expect(res.statusCode).toBe(200);
    expect(res.json().tasks.map((t: { id: string }) => t.id)).toEqual(["prod_web.task-1", "prod_web.task-2"]);
    expect(service.kills[0]).toEqual({
      taskIds: ["prod_web.task-1", "prod_web.task-2"],
      options: { scale: false, wipe: false, force: false },
    });
  });

  it("kills one task and scales the app down: a deployment", async () => {
    const res = await http.inject({
      method: "DELETE",
      url: "/v2/apps/prod/web/tasks/prod_web.task-3?scale=true",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ deploymentId: expect.any(String) });
    expect(findApp(service.root(), "/prod/web")?.instances).toBe(2);
    const unknown = await http.inject({ method: "DELETE", url: "/v2/apps/prod/web/tasks/prod_web.nope" });
    expect(unknown.statusCode).toBe(404);
  });

  it("refuses scale and wipe together with 400", async () => {
    const res = await http.inject({ method: "DELETE", url: "/v2/apps/prod/web/tasks?scale=true&wipe=true" });
    expect(res.statusCode).toBe(400);
    expect(service.kills).toHaveLength(0);
  });

  it("kills tasks of several apps with POST /v2/tasks/delete, ignoring unknown ids", async () => {
    const res = await http.inject({
      method: "POST",
      url: "/v2/tasks/delete?wipe=true",
      payload: { ids: ["prod_web.task-1", "db.task-4", "gone.task-9"] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().tasks).toHaveLength(2);
    expect(service.kills[0]?.options.wipe).toBe(true);
    expect(
      (await http.inject({ method: "POST", url: "/v2/tasks/delete", payload: { ids: "x" } })).statusCode,
    ).toBe(422);
  });
});
