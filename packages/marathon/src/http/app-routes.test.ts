import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findApp } from "../model/group-ops.js";
import { TaskFailure } from "../runtime/records.js";
import { instance, MemoryMarathon } from "../test-support/memory-marathon.js";
import { createMarathonHttp } from "./server.js";

describe("/v2/apps", () => {
  let service: MemoryMarathon;
  let http: FastifyInstance;
  let clock: number;
  beforeEach(() => {
    service = new MemoryMarathon();
    clock = Date.parse("2026-11-22T10:00:00.000Z");
    http = createMarathonHttp(service, { now: () => new Date(clock) });
  });
  afterEach(async () => {
    await http.close();
  });

  const post = (payload: unknown, url = "/v2/apps") =>
    http.inject({ method: "POST", url, payload: payload as object });
  const put = (url: string, payload: unknown) =>
    http.inject({ method: "PUT", url, payload: payload as object });

  it("creates an app with Marathon's defaults: 201, Location, counts and its deployment", async () => {
    const res = await post({ id: "web", cmd: "serve" });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe("/v2/apps/web");
    const body = res.json();
    expect(body).toMatchObject({
      id: "/web",
      cmd: "serve",
      cpus: 1,
      mem: 128,
      instances: 1,
      backoffFactor: 1.15,
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
      portDefinitions: [{ port: 10000, protocol: "tcp", name: "default" }],
      tasksStaged: 0,
      tasksRunning: 0,
      tasksHealthy: 0,
      tasksUnhealthy: 0,
      deployments: [{ id: "deployment-1" }],
      version: "2026-11-22T10:00:00.000Z",
      versionInfo: {
        lastScalingAt: "2026-11-22T10:00:00.000Z",
        lastConfigChangeAt: "2026-11-22T10:00:00.000Z",
      },
    });
    expect(res.headers["marathon-deployment-id"]).toBe("deployment-1");
    expect(findApp(service.root(), "/web")?.cmd).toBe("serve");
  });

  it("gives port-0 definitions service ports unique across apps, kept when the app is sent back", async () => {
    await post({ id: "a", cmd: "x", portDefinitions: [{ port: 0 }, { port: 0, name: "admin" }] });
    await post({ id: "b", cmd: "x", portDefinitions: [{ port: 10002 }, { port: 0 }] });
    const ports = (id: string) => findApp(service.root(), id)!.portDefinitions.map((d) => d.port);
    expect(ports("/a")).toEqual([10000, 10001]);
    expect(ports("/b")).toEqual([10002, 10003]);
    for (const d of [...service.running]) service.finish(d.plan.id);
    const before = findApp(service.root(), "/a")!;
    clock += 1000;
    await put("/v2/apps/a?partialUpdate=false", {
      cmd: "x",
      portDefinitions: [{ port: 0 }, { port: 0, name: "admin" }],
    });
    expect(findApp(service.root(), "/a")).toEqual(before);
  });

  it("refuses a second app asking for a service port another app holds (422, Marathon's message)", async () => {
    await post({ id: "a", cmd: "x", portDefinitions: [{ port: 3200 }] });
    const res = await post({ id: "b", cmd: "x", portDefinitions: [{ port: 3200 }] });
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toEqual([
      { path: "/", errors: ["Requested service port 3200 conflicts with a service port in app /a"] },
    ]);
    expect(findApp(service.root(), "/b")).toBeUndefined();
  });

  it("stamps a version later than the stored one even when the clock runs behind", async () => {
    await post({ id: "web", cmd: "serve" });
    service.finish("deployment-1");
    clock -= 3_600_000;
    await put("/v2/apps/web", { instances: 2 });
    expect(findApp(service.root(), "/web")!.version).toBe("2026-11-22T10:00:00.001Z");
  });

  it("creates the groups a nested app id implies", async () => {
    expect((await post({ id: "/prod/api/web", cmd: "serve" })).statusCode).toBe(201);
    const res = await http.inject({ method: "GET", url: "/v2/apps/prod/api/web" });
    expect(res.statusCode).toBe(200);
    expect(res.json().app.id).toBe("/prod/api/web");
    expect(service.root().groups[0]?.groups[0]?.id).toBe("/prod/api");
  });

  it("refuses bad app JSON with 422 and Marathon's details, storing nothing", async () => {
    const res = await post({
      id: "Bad_Id",
      cmd: "x",
      cpus: 0,
      constraints: [["hostname", "NEARBY"]],
    });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.message).toBe("Object is not valid");
    const paths = body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["/id", "/cpus", "/constraints(0)"]));
    for (const d of body.details) expect(d.errors.length).toBeGreaterThan(0);
    expect(service.deployed).toHaveLength(0);
    const check = await post({ id: "x", cmd: "x", healthChecks: [{ protocol: "COMMAND" }] });
    expect(check.json().details).toEqual([
      { path: "/healthChecks(0)/command", errors: [expect.any(String)] },
    ]);
  });

  it("refuses cmd and args together, and an app with neither", async () => {
    const both = await post({ id: "x", cmd: "a", args: ["b"] });
    expect(both.statusCode).toBe(422);
    expect(both.json().details[0].path).toBe("/cmd");
    expect((await post({ id: "x" })).statusCode).toBe(422);
  });

  it("answers a body that is not JSON with 400 Invalid JSON", async () => {
    const res = await http.inject({
      method: "POST",
      url: "/v2/apps",
      payload: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe("Invalid JSON");
    expect(service.deployed).toHaveLength(0);
  });

  it("reads a body sent without a JSON content type, as curl -d sends it", async () => {
    const res = await http.inject({
      method: "POST",
      url: "/v2/apps",
      payload: JSON.stringify({ id: "web", cmd: "serve" }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.statusCode).toBe(201);
  });

  it("takes an empty JSON body on DELETE, double slashes and trailing slashes in app URLs", async () => {
    await post({ id: "/prod/web", cmd: "serve" });
    service.finish("deployment-1");
    expect((await http.inject({ method: "GET", url: "/v2/apps//prod/web/" })).json().app.id).toBe(
      "/prod/web",
    );
    const res = await http.inject({
      method: "DELETE",
      url: "/v2/apps/prod/web",
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(200);
  });

  it("refuses a POST of an app that exists with 409", async () => {
    await post({ id: "web", cmd: "serve" });
    const res = await post({ id: "web", cmd: "serve" });
    expect(res.statusCode).toBe(409);
    expect(service.deployed).toHaveLength(1);
  });

  it("scales with a partial PUT: a scaling moves lastScalingAt only", async () => {
    await post({ id: "web", cmd: "serve" });
    service.finish("deployment-1");
    clock += 60_000;
    const res = await put("/v2/apps/web", { instances: 3 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ deploymentId: "deployment-2", version: "2026-11-22T10:01:00.000Z" });
    expect(res.headers["marathon-deployment-id"]).toBe("deployment-2");
    const app = findApp(service.root(), "/web")!;
    expect(app.instances).toBe(3);
    expect(app.cmd).toBe("serve");
    expect(app.versionInfo).toEqual({
      lastScalingAt: "2026-11-22T10:01:00.000Z",
      lastConfigChangeAt: "2026-11-22T10:00:00.000Z",
    });
  });

  it("a config change moves lastConfigChangeAt; an unchanged PUT keeps the version", async () => {
    await post({ id: "web", cmd: "serve" });
    service.finish("deployment-1");
    clock += 1000;
    await put("/v2/apps/web", { cmd: "serve --fast" });
    const changed = findApp(service.root(), "/web")!;
    expect(changed.versionInfo?.lastConfigChangeAt).toBe("2026-11-22T10:00:01.000Z");
    service.finish("deployment-2");
    clock += 1000;
    await put("/v2/apps/web", { cmd: "serve --fast" });
    expect(findApp(service.root(), "/web")!.version).toBe("2026-11-22T10:00:01.000Z");
  });

  it("creates an app with PUT when it does not exist: 201", async () => {
    const res = await put("/v2/apps/prod/web", { cmd: "serve" });
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe("/v2/apps/prod/web");
    expect(findApp(service.root(), "/prod/web")?.id).toBe("/prod/web");
  });

  it("refuses a write to an app in a running deployment with 409 naming it, unless force", async () => {
    await post({ id: "web", cmd: "serve" });
    const locked = await put("/v2/apps/web", { instances: 2 });
    expect(locked.statusCode).toBe(409);
    expect(locked.json()).toMatchObject({
      message: expect.stringContaining("locked"),
      deployments: [{ id: "deployment-1" }],
    });
    expect(findApp(service.root(), "/web")!.instances).toBe(1);
    const forced = await put("/v2/apps/web?force=true", { instances: 2 });
    expect(forced.statusCode).toBe(200);
    expect(service.deployed.at(-1)?.force).toBe(true);
  });

  it("updates several apps with PUT /v2/apps in one deployment", async () => {
    await post({ id: "a", cmd: "x" });
    service.finish("deployment-1");
    const res = await put("/v2/apps", [
      { id: "a", instances: 4 },
      { id: "b", cmd: "y" },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json().deploymentId).toBe("deployment-2");
    expect(findApp(service.root(), "/a")!.instances).toBe(4);
    expect(findApp(service.root(), "/b")!.cmd).toBe("y");
    const bad = await put("/v2/apps", [{ id: "c", cmd: "x", mem: -1 }]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().details[0].path).toBe("/(0)/mem");
  });

  it("lists apps filtered by cmd, id and label selector, with tasks when embedded", async () => {
    await post({ id: "/prod/web", cmd: "serve web", labels: { tier: "front", team: "a" } });
    await post({ id: "/prod/db", cmd: "postgres", labels: { tier: "back" } });
    await post({ id: "/dev/web", cmd: "serve web", labels: { tier: "front", team: "b" } });
    service.instanceList = [instance("/prod/web", 1), instance("/prod/web", 2, { state: "TASK_STAGING" })];
    const ids = async (query: string) =>
      (await http.inject({ method: "GET", url: `/v2/apps${query}` }))
        .json()
        .apps.map((a: { id: string }) => a.id);
    expect(await ids("")).toEqual(["/dev/web", "/prod/db", "/prod/web"]);
    expect(await ids("?cmd=serve")).toEqual(["/dev/web", "/prod/web"]);
    expect(await ids("?id=prod")).toEqual(["/prod/db", "/prod/web"]);
    expect(await ids(`?label=${encodeURIComponent("tier==front,team!=b")}`)).toEqual(["/prod/web"]);
    expect(await ids(`?label=${encodeURIComponent("tier in (back, front),team")}`)).toEqual([
      "/dev/web",
      "/prod/web",
    ]);
    const res = await http.inject({ method: "GET", url: "/v2/apps?embed=apps.tasks&id=/prod/web" });
    const web = res.json().apps[0];
    expect(web).toMatchObject({ tasksRunning: 1, tasksStaged: 1, deployments: [{ id: "deployment-1" }] });
    expect(web.tasks).toHaveLength(2);
    const plain = (await http.inject({ method: "GET", url: "/v2/apps?id=/prod/web" })).json().apps[0];
    expect(plain.tasks).toBeUndefined();
    expect((await http.inject({ method: "GET", url: "/v2/apps?label=a%20in%20" })).statusCode).toBe(400);
  });

  it("lists every app below a group with GET /v2/apps/{group}/*", async () => {
    await post({ id: "/prod/web", cmd: "x" });
    await post({ id: "/prod/api/v1", cmd: "x" });
    await post({ id: "/production", cmd: "x" });
    const res = await http.inject({ method: "GET", url: "/v2/apps/prod/*" });
    expect(res.json().apps.map((a: { id: string }) => a.id)).toEqual(["/prod/api/v1", "/prod/web"]);
  });

  it("PATCH is partial even when partialUpdate=false; a full PUT replaces the app", async () => {
    await post({ id: "web", cmd: "serve", mem: 64, env: { A: "1" } });
    service.finish("deployment-1");
    await http.inject({
      method: "PATCH",
      url: "/v2/apps/web?partialUpdate=false",
      payload: { instances: 2 },
    });
    expect(findApp(service.root(), "/web")).toMatchObject({ mem: 64, env: { A: "1" }, instances: 2 });
    service.finish("deployment-2");
    await put("/v2/apps/web?partialUpdate=false", { cmd: "serve" });
    expect(findApp(service.root(), "/web")).toMatchObject({ mem: 128, env: {}, instances: 1 });
  });

  it("shows one app with its tasks, counts, deployments and last failure; 404 for none", async () => {
    await post({ id: "web", cmd: "serve", healthChecks: [{ protocol: "TCP" }] });
    service.instanceList = [instance("/web", 1, { healthy: true }), instance("/web", 2, { healthy: false })];
    service.failures.set(
      "/web",
      TaskFailure.parse({
        appId: "/web",
        host: "10.0.0.9",
        message: "exited 1",
        state: "TASK_FAILED",
        taskId: "web.task-9",
        timestamp: "2026-11-22T09:00:00.000Z",
        version: "2026-11-22T10:00:00.000Z",
        slaveId: "agent-1",
      }),
    );
    const res = await http.inject({ method: "GET", url: "/v2/apps/web" });
    expect(res.statusCode).toBe(200);
    const app = res.json().app;
    expect(app).toMatchObject({
      tasksRunning: 2,
      tasksHealthy: 1,
      tasksUnhealthy: 1,
      lastTaskFailure: { state: "TASK_FAILED" },
    });
    expect(app.tasks[0]).toMatchObject({
      id: "web.task-1",
      appId: "/web",
      host: "10.0.0.1",
      ports: [31001],
      slaveId: "agent-1",
      state: "TASK_RUNNING",
      healthCheckResults: [{ alive: true }],
      ipAddresses: [{ ipAddress: "10.0.0.1", protocol: "IPv4" }],
    });
    const missing = await http.inject({ method: "GET", url: "/v2/apps/nothing" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ message: "App '/nothing' does not exist" });
  });

  it("destroys an app with DELETE: a deployment, and 404 for an unknown app", async () => {
    await post({ id: "web", cmd: "serve" });
    service.finish("deployment-1");
    const res = await http.inject({ method: "DELETE", url: "/v2/apps/web" });
    expect(res.statusCode).toBe(200);
    expect(res.json().deploymentId).toBe("deployment-2");
    expect(findApp(service.root(), "/web")).toBeUndefined();
    expect((await http.inject({ method: "DELETE", url: "/v2/apps/web" })).statusCode).toBe(404);
  });

  it("restarts an app as a configuration change at a new version", async () => {
    await post({ id: "web", cmd: "serve" });
    service.finish("deployment-1");
    clock += 5000;
    const res = await http.inject({ method: "POST", url: "/v2/apps/web/restart" });
    expect(res.statusCode).toBe(200);
    expect(service.running[0]?.plan.steps[0]?.actions).toEqual([
      { action: "RestartApplication", app: "/web" },
    ]);
    expect(findApp(service.root(), "/web")!.versionInfo?.lastConfigChangeAt).toBe("2026-11-22T10:00:05.000Z");
    expect((await http.inject({ method: "POST", url: "/v2/apps/none/restart" })).statusCode).toBe(404);
  });

  it("lists an app's versions, shows one, and rolls back to one with PUT {version}", async () => {
    await post({ id: "web", cmd: "v1" });
    service.finish("deployment-1");
    clock += 1000;
    await put("/v2/apps/web", { cmd: "v2" });
    service.finish("deployment-2");
    const versions = (await http.inject({ method: "GET", url: "/v2/apps/web/versions" })).json().versions;
    expect(versions).toEqual(["2026-11-22T10:00:01.000Z", "2026-11-22T10:00:00.000Z"]);
    const first = await http.inject({ method: "GET", url: `/v2/apps/web/versions/${versions[1]}` });
    expect(first.json().cmd).toBe("v1");
    clock += 1000;
    const rollback = await put("/v2/apps/web", { version: versions[1] });
    expect(rollback.statusCode).toBe(200);
    expect(findApp(service.root(), "/web")!.cmd).toBe("v1");
    const none = await put("/v2/apps/web", { version: "2020-01-01T00:00:00.000Z" });
    expect(none.statusCode).toBe(404);
    expect((await http.inject({ method: "GET", url: "/v2/apps/nope/versions" })).statusCode).toBe(404);
  });
});
