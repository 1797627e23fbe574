import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness } from "../test-support/harness.js";
import { withLaunchedTasks } from "../test-support/launch.js";
import { buildMasterHttp } from "./app.js";

describe("POST /teardown (Mesos' operator teardown)", () => {
  let h: MasterHarness;
  let app: FastifyInstance;
  afterEach(async () => {
    await app.close();
    await h.stop();
  });

  it("tears a framework down from Mesos' form body: tasks KILLED, agents told, framework completed", async () => {
    const s = await withLaunchedTasks(["web-1"]);
    h = s.h;
    s.agent.update(s.fw.id, "web-1", "TASK_RUNNING");
    await s.fw.update("web-1", "TASK_RUNNING");
    app = buildMasterHttp(h.master);
    const res = await app.inject({
      method: "POST",
      url: "/teardown",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `frameworkId=${encodeURIComponent(s.fw.id)}`,
    });
    expect(res.statusCode).toBe(200);
    await s.agent.commands.take(
      (c) => c.type === "shutdownFramework" && c.frameworkId === s.fw.id,
      "shutdownFramework",
    );
    const state = (await app.inject({ method: "GET", url: "/master/state" })).json();
    expect(state.frameworks).toEqual([]);
    expect(state.completed_frameworks).toHaveLength(1);
    expect(state.completed_frameworks[0].completed_tasks[0]).toMatchObject({
      id: "web-1",
      state: "TASK_KILLED",
    });

    // Again: the framework is gone.
    const again = await app.inject({
      method: "POST",
      url: "/master/teardown",
      headers: { "content-type": "application/json" },
      payload: { frameworkId: s.fw.id },
    });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({
      message: `Framework ${s.fw.id} was already torn down`,
      field: "frameworkId",
    });
  });

  it("refuses a missing id with a 400 naming frameworkId, and an unknown one with a 404", async () => {
    h = await MasterHarness.start();
    app = buildMasterHttp(h.master);
    const missing = await app.inject({
      method: "POST",
      url: "/teardown",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "",
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ message: "teardown: frameworkId is required", field: "frameworkId" });
    const unknown = await app.inject({
      method: "POST",
      url: "/teardown",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "frameworkId=nope",
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      message: "Framework nope is not known to this master",
      field: "frameworkId",
    });
  });
});
