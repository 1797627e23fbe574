import { afterEach, describe, expect, it } from "vitest";
import { NoopExecutor } from "../executors/noop-executor.js";
import { type AgentFixture, startAgent } from "../test-support/agent-fixture.js";
import { shellTask } from "../test-support/fake-master.js";
import { buildAgentHttp } from "./app.js";

let fx: AgentFixture;

afterEach(async () => {
  await fx?.close();
});

describe("GET /health and /state", () => {
  it("answers /health", async () => {
    fx = await startAgent();
    const app = buildAgentHttp(fx.agent);
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.json()).toEqual({ status: "ok" });
    await app.close();
  });

  it("shows the agent, its frameworks and their tasks' executors the Mesos way", async () => {
    fx = await startAgent({
      attributes: [
        { name: "rack", text: "r1" },
        { name: "level", scalar: 3 },
      ],
      executors: { shell: new NoopExecutor({ runMs: 60_000 }) },
    });
    const running = shellTask("x");
    const done = shellTask("y");
    fx.master.runTasks([running]);
    await fx.master.waitForState(running.taskId, "TASK_RUNNING");
    fx.master.runTasks([done]);
    await fx.master.waitForState(done.taskId, "TASK_RUNNING");
    fx.master.kill(done.taskId);
    await fx.master.waitForState(done.taskId, "TASK_KILLED");

    const app = buildAgentHttp(fx.agent);
    const state = (await app.inject({ method: "GET", url: "/state" })).json();
    await app.close();
    expect(state).toMatchObject({
      id: "agent-1",
      hostname: "test-host",
      port: 5051,
      resources: { cpus: 4, mem: 4096, disk: 10000, ports: "[31000-32000]" },
      attributes: { rack: "r1", level: 3 },
      capabilities: ["shell"],
      completed_frameworks: [],
    });
    const [framework] = state.frameworks;
    expect(framework).toMatchObject({ id: "fw-1", name: "test-framework" });
    const byId = Object.fromEntries(framework.executors.map((e: { id: string }) => [e.id, e]));
    expect(byId[running.taskId]).toMatchObject({
      directory: `${fx.workDir}/sandboxes/fw-1/${running.taskId}`,
      tasks: [
        {
          id: running.taskId,
          state: "TASK_RUNNING",
          resources: { cpus: 0.1, mem: 32, ports: "[31005-31006]" },
        },
      ],
      completed_tasks: [],
    });
    expect(byId[done.taskId]).toMatchObject({
      tasks: [],
      completed_tasks: [{ id: done.taskId, state: "TASK_KILLED" }],
    });
  });

  it("answers an unknown route with 404 and a message", async () => {
    fx = await startAgent();
    const app = buildAgentHttp(fx.agent);
    const res = await app.inject({ method: "GET", url: "/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain("/nope");
    await app.close();
  });
});
