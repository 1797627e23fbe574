import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instance, MemoryMarathon } from "../test-support/memory-marathon.js";
import { flag } from "./request.js";
import { createMarathonHttp } from "./server.js";

/**
 * Query parameters as Marathon (Jersey) reads them, for clients written against Marathon:
 * `Boolean.valueOf` for every boolean, `@DefaultValue` when absent, `embed` repeated or comma-separated.
 */
describe("Marathon's boolean query parameters", () => {
  it("reads true in any case as true and every other value as false; absent or empty is the default", () => {
    for (const v of ["true", "TRUE", "True", " tRuE "]) expect(flag({ force: v }, "force")).toBe(true);
    for (const v of ["false", "False", "FALSE", "0", "1", "yes", "maybe"])
      expect(flag({ force: v }, "force", true)).toBe(false);
    expect(flag({}, "force")).toBe(false);
    expect(flag({}, "force", true)).toBe(true);
    expect(flag({ force: "" }, "force", true)).toBe(true);
    // Repeated: Jersey takes the first.
    expect(flag({ force: ["TRUE", "false"] }, "force")).toBe(true);
  });

  describe("over HTTP", () => {
    let service: MemoryMarathon;
    let http: FastifyInstance;
    beforeEach(() => {
      service = new MemoryMarathon();
      http = createMarathonHttp(service);
    });
    afterEach(async () => {
      await http.close();
    });
    const call = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
      http.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

    it("force=TRUE forces an app update, force=False does not (409 while a deployment runs)", async () => {
      expect((await call("POST", "/v2/apps", { id: "web", cmd: "serve" })).statusCode).toBe(201);
      const notForced = await call("PUT", "/v2/apps/web?force=False", { instances: 2 });
      expect(notForced.statusCode).toBe(409);
      const forced = await call("PUT", "/v2/apps/web?force=TRUE", { instances: 2 });
      expect(forced.statusCode).toBe(200);
      expect(service.deployed.at(-1)?.force).toBe(true);
    });

    it('DELETE of an app is forced by default, as Marathon\'s @DefaultValue("true"); force=false is not', async () => {
      expect((await call("POST", "/v2/apps", { id: "web", cmd: "serve" })).statusCode).toBe(201);
      const locked = await call("DELETE", "/v2/apps/web?force=false");
      expect(locked.statusCode).toBe(409);
      const removed = await call("DELETE", "/v2/apps/web");
      expect(removed.statusCode).toBe(200);
      expect(service.deployed.at(-1)?.force).toBe(true);
    });

    it("partialUpdate=FALSE replaces the app on PUT; scale=True reaches a task kill, and with wipe=TRUE is refused", async () => {
      expect((await call("POST", "/v2/apps", { id: "web", cmd: "serve", mem: 64 })).statusCode).toBe(201);
      service.finish("deployment-1");
      expect((await call("PUT", "/v2/apps/web?partialUpdate=FALSE", { cmd: "other" })).statusCode).toBe(200);
      // A full replacement: mem back to Marathon's default, not kept from before.
      expect((await call("GET", "/v2/apps/web")).json().app.mem).toBe(128);
      service.finish("deployment-2");
      service.instanceList = [instance("/web", 1)];
      const both = await call("DELETE", "/v2/apps/web/tasks/web.task-1?scale=True&wipe=TRUE");
      expect(both.statusCode).toBe(400);
      const kill = await call("DELETE", "/v2/apps/web/tasks/web.task-1?scale=True&wipe=no&force=fAlSe");
      expect(kill.statusCode).toBe(200);
      expect(service.kills.at(-1)?.options).toEqual({ scale: true, wipe: false, force: false });
    });

    it("dryRun=TRUE on a group update only plans", async () => {
      const res = await call("PUT", "/v2/groups/prod?dryRun=TRUE", { apps: [{ id: "web", cmd: "x" }] });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toHaveProperty("steps");
      expect(service.deployed).toHaveLength(0);
    });

    it("embed repeated or comma-separated embeds the same", async () => {
      expect((await call("POST", "/v2/apps", { id: "web", cmd: "serve" })).statusCode).toBe(201);
      service.instanceList = [instance("/web", 1)];
      const keysOf = async (query: string) =>
        Object.keys((await call("GET", `/v2/apps${query}`)).json().apps[0]).sort();
      const repeated = await keysOf("?embed=apps.tasks&embed=apps.taskStats");
      const commas = await keysOf("?embed=apps.tasks,apps.taskStats");
      expect(repeated).toContain("tasks");
      expect(commas).toEqual(repeated);
      expect(await keysOf("")).not.toContain("tasks");
    });
  });
});
