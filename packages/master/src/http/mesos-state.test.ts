import type { ExecutorId, TaskInfo } from "@agora/protocol";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeAgent, type FakeFramework, MasterHarness, task } from "../test-support/harness.js";
import { buildMasterHttp } from "./app.js";
import { filterView, type Viewer } from "./authorize.js";
import { type JsonPiece, jsonBytes, MesosStateRenderer } from "./mesos-state.js";

/** A framework task run by the framework's own executor, so `/master/state` lists the executor. */
function executorTask(id: string, agent: FakeAgent): TaskInfo {
  const { command: _command, ...rest } = task(id, agent.id, "cpus:0.5;mem:64");
  return {
    ...rest,
    executor: {
      executorId: "exec-1" as ExecutorId,
      name: "custom",
      command: {
        value: "./executor",
        shell: true,
        environment: { TOKEN: "s3cret", MODE: "x" },
        secrets: ["TOKEN"],
      },
      resources: [{ name: "cpus", scalar: 0.1 }],
    },
  };
}

describe("/master/state from cached fragments", () => {
  let h: MasterHarness;
  let app: FastifyInstance;
  afterEach(async () => {
    await app?.close();
    await h.stop();
  });

  async function launched(fw: FakeFramework, tasks: TaskInfo[]) {
    const [offer] = await fw.offers();
    await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks }],
      filters: { refuseSeconds: 0 },
    });
    await h.settle();
  }

  const state = async (authorization?: string) => {
    const res = await app.inject({
      method: "GET",
      url: "/master/state",
      ...(authorization ? { headers: { authorization } } : {}),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    return res.json();
  };

  it("shows what changed since the last request, and only that is rendered anew", async () => {
    h = await MasterHarness.start();
    app = buildMasterHttp(h.master);
    const agent = await h.agent();
    const fw = await h.framework({ name: "fragments" });
    await launched(fw, [task("t-1", agent.id), task("t-2", agent.id)]);

    const before = await state();
    const tasks = () => before.frameworks[0].tasks.map((t: { id: string; state: string }) => [t.id, t.state]);
    expect(tasks()).toEqual([
      ["t-1", "TASK_STAGING"],
      ["t-2", "TASK_STAGING"],
    ]);
    expect(before.slaves[0].used_resources).toMatchObject({ cpus: 2, mem: 256 });

    agent.update(fw.id, "t-1", "TASK_RUNNING");
    agent.update(fw.id, "t-2", "TASK_FINISHED");
    await h.settle();
    const after = await state();
    const [framework] = after.frameworks;
    expect(framework.tasks.map((t: { id: string; state: string }) => [t.id, t.state])).toEqual([
      ["t-1", "TASK_RUNNING"],
    ]);
    expect(framework.tasks[0].statuses.map((s: { state: string }) => s.state)).toEqual([
      "TASK_STAGING",
      "TASK_RUNNING",
    ]);
    expect(framework.completed_tasks.map((t: { id: string; state: string }) => [t.id, t.state])).toEqual([
      ["t-2", "TASK_FINISHED"],
    ]);
    // The agent's fragment follows its ledger: t-2's resources came back.
    expect(after.slaves[0].used_resources).toMatchObject({ cpus: 1, mem: 128 });
    // The offer outstanding before is unchanged; t-2's resources came as a new one.
    expect(before.frameworks[0].offers).toHaveLength(1);
    expect(after.frameworks[0].offers).toHaveLength(2);
    expect(after.frameworks[0].offers).toEqual(expect.arrayContaining(before.frameworks[0].offers));
  });

  it("lists a framework's own executors, secrets masked; a viewer without view_executors sees none", async () => {
    h = await MasterHarness.start();
    app = buildMasterHttp(h.master);
    const agent = await h.agent();
    const fw = await h.framework({ name: "with-executor", user: "alice" });
    await launched(fw, [executorTask("e-1", agent), executorTask("e-2", agent)]);

    const all = await state();
    expect(all.frameworks[0].tasks.map((t: { executor_id: string }) => t.executor_id)).toEqual([
      "exec-1",
      "exec-1",
    ]);
    // One executor per agent and executor id, in Mesos' shape with its agent's id.
    expect(all.frameworks[0].executors).toEqual([
      {
        executor_id: "exec-1",
        name: "custom",
        framework_id: fw.id,
        command: {
          shell: true,
          value: "./executor",
          argv: [],
          environment: {
            variables: [
              { name: "TOKEN", type: "SECRET", secret: { type: "VALUE", value: { data: btoa("******") } } },
              { name: "MODE", type: "VALUE", value: "x" },
            ],
          },
          uris: [],
        },
        resources: { cpus: 0.1, mem: 0, disk: 0, gpus: 0 },
        role: "*",
        type: "CUSTOM",
        slave_id: agent.id,
      },
    ]);
    expect(JSON.stringify(all)).not.toContain("s3cret");

    // As `visibleView` filters for a principal that may view the framework and its tasks, not its executors.
    const renderer = new MesosStateRenderer();
    const viewer: Viewer = { framework: () => true, tasks: () => true, executors: () => false };
    const filtered = JSON.parse(text(renderer.render(filterView(h.master.snapshot(), viewer))));
    expect(filtered.frameworks[0].tasks).toHaveLength(2);
    expect(filtered.frameworks[0].executors).toEqual([]);
    // Hidden tasks (view_tasks) do not hide the executors: Mesos decides the two apart.
    const noTasks: Viewer = { framework: () => true, tasks: () => false, executors: () => true };
    const executorsOnly = JSON.parse(text(renderer.render(filterView(h.master.snapshot(), noTasks))));
    expect(executorsOnly.frameworks[0].tasks).toEqual([]);
    expect(executorsOnly.frameworks[0].executors).toHaveLength(1);
  });
});

function text(pieces: JsonPiece[]): string {
  return jsonBytes(pieces).toString("utf8");
}

describe("jsonBytes", () => {
  it("writes ASCII pieces byte for byte and encoded ones as they are, in order", () => {
    const pieces = ['{"a":[', '"x"', ",", Buffer.from('"é€"'), "]}"];
    const bytes = jsonBytes(pieces);
    expect(bytes.length).toBe(Buffer.byteLength('{"a":["x","é€"]}'));
    expect(JSON.parse(bytes.toString("utf8"))).toEqual({ a: ["x", "é€"] });
    expect(jsonBytes([]).length).toBe(0);
  });
});
