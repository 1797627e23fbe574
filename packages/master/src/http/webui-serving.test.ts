import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterHarness, waitFor } from "../test-support/harness.js";
import { election, leaseStores } from "../test-support/lease.js";
import { buildMasterHttp } from "./app.js";

describe("the web UI under /ui/", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-webui-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><div id=root></div>");
    writeFileSync(path.join(dir, "assets", "index-abc123.js"), "console.log(1)");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves files, falls back to index.html for pages, and 404s missing assets", async () => {
    const h = await MasterHarness.startForTest();
    const app = buildMasterHttp(h.master, { webuiDir: dir });
    try {
      const index = await app.inject({ url: "/ui/" });
      expect(index.statusCode).toBe(200);
      expect(index.headers["content-type"]).toMatch(/^text\/html/);
      expect(index.headers["cache-control"]).toBe("no-cache");
      expect(index.body).toContain("<div id=root>");

      const asset = await app.inject({ url: "/ui/assets/index-abc123.js" });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers["cache-control"]).toContain("immutable");

      for (const page of [
        "/ui/agents",
        "/ui/agents/abc-S0",
        "/ui/tasks?state=TASK_RUNNING&sort=-name",
        "/ui/tasks/f1/web.1a2b-3c",
      ]) {
        const res = await app.inject({ url: page });
        expect(res.statusCode, page).toBe(200);
        expect(res.body, page).toContain("<div id=root>");
      }
      expect((await app.inject({ url: "/ui/assets/missing-1.js" })).statusCode).toBe(404);
      expect((await app.inject({ url: "/ui", headers: { accept: "text/html" } })).headers.location).toBe(
        "/ui/",
      );

      const browser = await app.inject({ url: "/", headers: { accept: "text/html,application/xhtml+xml" } });
      expect(browser.statusCode).toBe(302);
      expect(browser.headers.location).toBe("/ui/");
      const json = await app.inject({ url: "/", headers: { accept: "application/json" } });
      expect(json.statusCode).toBe(404);
      expect(json.json()).toHaveProperty("message");
    } finally {
      await app.close();
    }
  });

  it("says how to build the UI when it is not built", async () => {
    const h = await MasterHarness.startForTest();
    const app = buildMasterHttp(h.master, { webuiDir: path.join(dir, "nope") });
    try {
      const res = await app.inject({ url: "/ui/agents" });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain("npm run build");
    } finally {
      await app.close();
    }
  });

  it("is redirected by a standby to the leader, with the UI's live data", async () => {
    const stores = leaseStores();
    const h = await MasterHarness.startForTest({ election: election(stores, "m1") });
    await waitFor(() => h.master.isLeader, "m1 to lead");
    const standby = await h.standby({ election: election(stores, "m2") });
    await waitFor(() => standby.leader()?.id === "m1", "the standby to know the leader");
    const app = buildMasterHttp(standby, { webuiDir: dir });
    try {
      for (const url of ["/ui/agents/x", "/master/events", "/master/usage", "/service/marathon/v2/apps"]) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(307);
        expect(res.headers.location, url).toBe(`http://m1:5050${url}`);
      }
    } finally {
      await app.close();
    }
  });
});
