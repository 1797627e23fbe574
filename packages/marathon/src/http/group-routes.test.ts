import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findApp, findExactGroup } from "../model/group-ops.js";
import { MemoryMarathon } from "../test-support/memory-marathon.js";
import { createMarathonHttp } from "./server.js";

describe("/v2/groups", () => {
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
  const call = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
    http.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
  const finishAll = () => {
    for (const d of [...service.running]) service.finish(d.plan.id);
  };

  const tree = {
    id: "/prod",
    apps: [{ id: "db", cmd: "postgres", instances: 1 }],
    groups: [
      {
        id: "front",
        dependencies: ["../db"],
        apps: [
          { id: "web", cmd: "serve", instances: 2, dependencies: ["api"] },
          { id: "/prod/front/api", cmd: "api" },
        ],
      },
    ],
  };

  it("creates nested groups with relative ids resolved against their group: 201 and a deployment", async () => {
    const res = await call("POST", "/v2/groups", tree);
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe("/v2/groups/prod");
    expect(res.json()).toEqual({ deploymentId: "deployment-1", version: "2026-11-22T10:00:00.000Z" });
    const root = service.root();
    expect(findApp(root, "/prod/db")?.cmd).toBe("postgres");
    expect(findApp(root, "/prod/front/web")?.dependencies).toEqual(["/prod/front/api"]);
    expect(findExactGroup(root, "/prod/front")?.dependencies).toEqual(["/prod/db"]);
    expect((await call("POST", "/v2/groups", tree)).statusCode).toBe(409);
  });

  it("shows a group with its apps and subgroups, and 404 for an unknown one", async () => {
    await call("POST", "/v2/groups", tree);
    const res = await call("GET", "/v2/groups/prod");
    expect(res.statusCode).toBe(200);
    const group = res.json();
    expect(group).toMatchObject({ id: "/prod", apps: [{ id: "/prod/db" }], groups: [{ id: "/prod/front" }] });
    expect(group.groups[0].apps.map((a: { id: string }) => a.id).sort()).toEqual([
      "/prod/front/api",
      "/prod/front/web",
    ]);
    const root = (await call("GET", "/v2/groups")).json();
    expect(root.id).toBe("/");
    expect(root.groups[0].id).toBe("/prod");
    const onlyGroups = (await call("GET", "/v2/groups/prod?embed=group.groups")).json();
    expect(onlyGroups.apps).toEqual([]);
    expect((await call("GET", "/v2/groups/nothing")).statusCode).toBe(404);
  });

  it("refuses invalid group JSON with 422 and paths into the tree, storing nothing", async () => {
    const res = await call("POST", "/v2/groups", {
      id: "/prod",
      apps: [{ id: "/elsewhere/web", cmd: "x" }],
      groups: [{ id: "front", apps: [{ id: "web", cmd: "x", mem: -5 }] }],
    });
    expect(res.statusCode).toBe(422);
    const paths = res.json().details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["/apps(0)/id", "/groups(0)/apps(0)/mem"]));
    expect(service.deployed).toHaveLength(0);
  });

  it("refuses an app and a group with the same id", async () => {
    const res = await call("POST", "/v2/groups", {
      id: "/x",
      apps: [{ id: "a", cmd: "x" }],
      groups: [{ id: "a" }],
    });
    expect(res.statusCode).toBe(422);
  });

  it("updates a group with PUT, keeping what the body leaves out", async () => {
    await call("POST", "/v2/groups", tree);
    finishAll();
    const res = await call("PUT", "/v2/groups/prod", { dependencies: [] });
    expect(res.statusCode).toBe(200);
    expect(findApp(service.root(), "/prod/db")).toBeDefined();
    const replaced = await call("PUT", "/v2/groups/prod", { apps: [{ id: "cache", cmd: "redis" }] });
    expect(replaced.statusCode).toBe(200);
    expect(findApp(service.root(), "/prod/db")).toBeUndefined();
    expect(findApp(service.root(), "/prod/cache")).toBeDefined();
    expect(findApp(service.root(), "/prod/front/web")).toBeDefined();
  });

  it("scales a whole subtree with {scaleBy}: ceil(instances × factor)", async () => {
    await call("POST", "/v2/groups", tree);
    finishAll();
    const res = await call("PUT", "/v2/groups/prod/front", { scaleBy: 1.5 });
    expect(res.statusCode).toBe(200);
    expect(findApp(service.root(), "/prod/front/web")?.instances).toBe(3);
    expect(findApp(service.root(), "/prod/front/api")?.instances).toBe(2);
    expect(findApp(service.root(), "/prod/db")?.instances).toBe(1);
  });

  it("rolls a group back with {version}, and lists its versions", async () => {
    await call("POST", "/v2/groups", tree);
    finishAll();
    clock += 1000;
    await call("PUT", "/v2/groups/prod", { apps: [{ id: "cache", cmd: "redis" }] });
    finishAll();
    const versions = (await call("GET", "/v2/groups/prod/versions")).json();
    expect(versions).toEqual(["2026-11-22T10:00:01.000Z", "2026-11-22T10:00:00.000Z"]);
    const old = (await call("GET", `/v2/groups/prod/versions/${versions[1]}`)).json();
    expect(old.apps[0].id).toBe("/prod/db");
    clock += 1000;
    const rollback = await call("PUT", "/v2/groups/prod", { version: versions[1] });
    expect(rollback.statusCode).toBe(200);
    expect(findApp(service.root(), "/prod/db")).toBeDefined();
    expect(findApp(service.root(), "/prod/cache")).toBeUndefined();
    expect((await call("PUT", "/v2/groups/prod", { version: "2000-01-01T00:00:00.000Z" })).statusCode).toBe(
      404,
    );
  });

  it("answers dryRun with the plan's steps and deploys nothing", async () => {
    const res = await call("PUT", "/v2/groups/prod?dryRun=true", tree);
    expect(res.statusCode).toBe(200);
    const steps = res.json().steps;
    expect(steps[0].actions.map((a: { action: string }) => a.action)).toEqual([
      "StartApplication",
      "StartApplication",
      "StartApplication",
    ]);
    expect(steps.length).toBeGreaterThan(1);
    expect(service.deployed).toHaveLength(0);
  });

  it("deletes a group and everything in it; 404 for an unknown one", async () => {
    await call("POST", "/v2/groups", tree);
    finishAll();
    const res = await call("DELETE", "/v2/groups/prod/front");
    expect(res.statusCode).toBe(200);
    expect(res.headers["marathon-deployment-id"]).toBe("deployment-2");
    expect(findExactGroup(service.root(), "/prod/front")).toBeUndefined();
    expect(findApp(service.root(), "/prod/db")).toBeDefined();
    expect((await call("DELETE", "/v2/groups/prod/front")).statusCode).toBe(404);
  });
});
