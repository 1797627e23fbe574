import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { MasterHarness, task } from "../test-support/harness.js";
import { withLaunchedTasks } from "../test-support/launch.js";
import { readEvents } from "../test-support/sse.js";
import { buildMasterHttp } from "./app.js";
import { ClusterWatch } from "./cluster-digest.js";
import { EventLog } from "./event-log.js";
import { UsageHistory, usageSample } from "./usage.js";

const noMaintenance = { schedule: { windows: [] }, status: { draining_machines: [], down_machines: [] } };

describe("the cluster watch", () => {
  it("reports an added agent, framework and task, then a task's state change, then nothing when idle", async () => {
    const h = new MasterHarness();
    const registry = h.master.watchRegistry();
    await h.master.start({ httpPort: 5050 });
    onTestFinished(() => h.stop());
    const reported = new ClusterWatch();
    const look = () => reported.changes(h.master.snapshot(), registry.take(), () => noMaintenance);

    const agent = await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks: [task("web-1", agent.id, "cpus:1;mem:128")] }],
      filters: { refuseSeconds: 0 },
    });
    await agent.commands.take((c) => c.type === "runTask", "runTask");
    const changes = look();
    expect(changes.filter((c) => c.op === "added").map((c) => c.kind)).toEqual(
      expect.arrayContaining(["agent", "framework", "task", "role"]),
    );
    // The offer was made and accepted between two looks: nothing to tell (the offer of what is left is new).
    expect(changes.filter((c) => c.id === offer!.id)).toEqual([]);
    const launched = changes.find((c) => c.kind === "task")!;
    expect(launched.id).toBe(`${fw.id}/web-1`);

    agent.update(fw.id, "web-1", "TASK_RUNNING");
    await fw.update("web-1", "TASK_RUNNING");
    const running = look().filter((c) => c.kind === "task");
    expect(running.map(({ op, id }) => ({ op, id }))).toEqual([{ op: "updated", id: launched.id }]);
    expect(running[0]!.data?.()).toMatchObject({ state: "TASK_RUNNING" });
    // Built only now, after the task moved on: still the task as it was when it changed.
    expect(launched.data?.()).toMatchObject({
      id: "web-1",
      state: "TASK_STAGING",
      slave_id: agent.id,
      statuses: [{ state: "TASK_STAGING" }],
    });
    expect(look()).toEqual([]);
  });

  it("reports a completed task as removed once its framework's completed tasks no longer hold it", async () => {
    const h = new MasterHarness({ maxCompletedTasksPerFramework: 1 });
    const registry = h.master.watchRegistry();
    await h.master.start({ httpPort: 5050 });
    onTestFinished(() => h.stop());
    const reported = new ClusterWatch();
    const look = () => reported.changes(h.master.snapshot(), registry.take(), () => noMaintenance);
    const agent = await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks: ["a", "b"].map((id) => task(id, agent.id, "cpus:1;mem:64")) }],
      filters: { refuseSeconds: 0 },
    });
    await fw.sync();
    look();
    agent.update(fw.id, "a", "TASK_FINISHED");
    await fw.update("a", "TASK_FINISHED");
    expect(look().filter((c) => c.kind === "task")).toEqual([
      expect.objectContaining({ id: `${fw.id}/a`, op: "updated" }),
    ]);
    agent.update(fw.id, "b", "TASK_FINISHED");
    await fw.update("b", "TASK_FINISHED");
    const changes = look().filter((c) => c.kind === "task");
    expect(changes).toHaveLength(2);
    expect(changes).toEqual(
      expect.arrayContaining([
        { kind: "task", id: `${fw.id}/a`, op: "removed" },
        expect.objectContaining({ id: `${fw.id}/b`, op: "updated" }),
      ]),
    );
  });

  it("compares roles at once when a weight is set, and for their allocations at most every 5 s", async () => {
    const h = new MasterHarness();
    const registry = h.master.watchRegistry();
    await h.master.start({ httpPort: 5050 });
    onTestFinished(() => h.stop());
    const reported = new ClusterWatch();
    const look = () =>
      reported
        .changes(h.master.snapshot(), registry.take(), () => noMaintenance)
        .filter((c) => c.kind === "role");
    const agent = await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    expect(look()).toEqual([expect.objectContaining({ op: "added", id: "*" })]);

    // The launch gives back what the offer held beyond the task: the role's allocation shrinks,
    // reported once 5 s have passed since roles were last compared.
    await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks: [task("web-1", agent.id, "cpus:1;mem:128")] }],
      filters: { refuseSeconds: 60 },
    });
    await agent.commands.take((c) => c.type === "runTask", "runTask");
    expect(look()).toEqual([]);
    h.clock.advance(4999);
    expect(look()).toEqual([]);
    h.clock.advance(1);
    expect(look()).toEqual([expect.objectContaining({ op: "updated", id: "*" })]);
    expect(look()).toEqual([]);

    await h.master.updateWeights([{ role: "*", weight: 3 }]);
    expect(look()).toEqual([expect.objectContaining({ op: "updated", id: "*" })]);
  });

  it("reads no agent, offer or role when nothing changed, however big the cluster", async () => {
    const h = await MasterHarness.startForTest();
    const registry = h.master.watchRegistry();
    for (let i = 0; i < 20; i++) await h.agent(undefined, `agent-${i}.test`);
    const reported = new ClusterWatch();
    const view = h.master.snapshot();
    expect(reported.changes(view, registry.take(), () => noMaintenance).length).toBeGreaterThanOrEqual(20);
    const untouchable = new Proxy(new Map(), {
      get: () => {
        throw new Error("read the whole registry");
      },
    });
    const blind = {
      ...view,
      agents: untouchable,
      unreachableAgents: untouchable,
      offers: untouchable,
      roles: () => {
        throw new Error("summarized every role");
      },
    };
    expect(reported.changes(blind, registry.take(), () => noMaintenance)).toEqual([]);
  });
});

describe("event log", () => {
  const change = (id: string) => ({ kind: "agent" as const, op: "added" as const, id });

  it("resumes after an id it still holds, and answers reset for an id too old or from another log", () => {
    const log = new EventLog(3);
    const first = log.lastEventId;
    const ids = ["a", "b", "c"].map((id) => log.append(change(id), 0).eventId);
    expect(log.since(first)).toEqual({ kind: "events", events: expect.any(Array) });
    const after1 = log.since(ids[0]!);
    expect(after1.kind === "events" && after1.events.map((e) => e.id)).toEqual(["b", "c"]);
    log.append(change("d"), 0);
    expect(log.since(first)).toEqual({ kind: "reset" }); // a's slot was reused
    expect(log.since(`${new EventLog().id}-1`)).toEqual({ kind: "reset" });
    expect(log.since("garbage")).toEqual({ kind: "reset" });
    expect(log.recent(2).map((e) => e.id)).toEqual(["c", "d"]);
  });

  it("counts only the events a reader keeps, so offers churning cannot push the rest out of a short list", () => {
    const log = new EventLog(100);
    log.append(change("agent-1"), 0);
    for (let i = 0; i < 50; i++) log.append({ kind: "offer", op: "added", id: `offer-${i}` }, 0);
    log.append(change("agent-2"), 0);
    expect(log.recent(2, (e) => e.kind === "agent").map((e) => e.id)).toEqual(["agent-1", "agent-2"]);
    expect(log.recent(2).map((e) => e.id)).toEqual(["offer-49", "agent-2"]);
  });
});

describe("GET /master/events", () => {
  let app: FastifyInstance;
  afterEach(async () => {
    await app?.close();
  });

  it("streams a hello, then changes with ids, heartbeats, and resumes from Last-Event-ID", async () => {
    const s = await withLaunchedTasks(["web-1"]);
    onCleanup(() => s.h.stop());
    app = buildMasterHttp(s.h.master, { live: { eventPollMs: 10, heartbeatMs: 50 } });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });

    const frames = await readEvents(
      `${base}/master/events`,
      (f) => f.some((x) => x.data?.includes("TASK_RUNNING")) && f.some((x) => x.comment === "heartbeat"),
      {},
      (frame) => {
        if (frame.event !== "hello") return;
        s.agent.update(s.fw.id, "web-1", "TASK_RUNNING");
        void s.fw.update("web-1", "TASK_RUNNING");
      },
    );
    const helloFrame = frames.find((f) => f.event === "hello")!;
    expect(frames.indexOf(helloFrame)).toBeLessThan(frames.indexOf(frames.find((f) => f.id)!));
    const running = frames.find((f) => f.data?.includes("TASK_RUNNING"))!;
    expect(running.id).toMatch(/^[0-9a-f]+-\d+$/);
    expect(JSON.parse(running.data!)).toMatchObject({
      kind: "task",
      op: "updated",
      key: `${s.fw.id}/web-1`,
      data: { state: "TASK_RUNNING" },
    });

    // A reader that saw the hello only gets everything after it again.
    const hello = JSON.parse(helloFrame.data!) as { lastEventId: string };
    const resumed = await readEvents(
      `${base}/master/events`,
      (f) => f.some((x) => x.data?.includes("TASK_RUNNING")),
      {
        "last-event-id": hello.lastEventId,
      },
    );
    expect(resumed.find((f) => f.data?.includes("TASK_RUNNING"))?.id).toBe(running.id);
    const reset = await readEvents(`${base}/master/events`, (f) => f.some((x) => x.event === "reset"), {
      "last-event-id": "0000-1",
    });
    expect(reset.find((f) => f.event === "reset")).toBeDefined();

    const recent = (await (await fetch(`${base}/master/events/recent?limit=5`)).json()) as {
      events: unknown[];
    };
    expect(recent.events.at(-1)).toMatchObject({ kind: "task", data: { state: "TASK_RUNNING" } });
    expect((await fetch(`${base}/master/events/recent?limit=0`)).status).toBe(400);
    const tasksOnly = (await (
      await fetch(`${base}/master/events/recent?limit=1&kind=task,maintenance`)
    ).json()) as {
      events: unknown[];
    };
    expect(tasksOnly.events).toMatchObject([{ kind: "task", data: { state: "TASK_RUNNING" } }]);
    const badKind = await fetch(`${base}/master/events/recent?kind=agent,offers`);
    expect(badKind.status).toBe(400);
    expect(await badKind.json()).toMatchObject({ field: expect.stringMatching(/^kind/) });
  });

  it("closes open streams when the app closes", async () => {
    const h = await MasterHarness.startForTest();
    app = buildMasterHttp(h.master, { live: { eventPollMs: 10 } });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    const res = await fetch(`${base}/master/events`);
    const reader = res.body!.getReader();
    await reader.read();
    await app.close();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return "ended";
      })(),
    )
      .resolves.toBe("ended")
      .catch(() => undefined);
  });
});

describe("GET /master/usage", () => {
  it("keeps a bounded ring of samples of total, allocated and offered resources", async () => {
    const s = await withLaunchedTasks(["web-1"]);
    const app = buildMasterHttp(s.h.master, { live: { usageIntervalMs: 5 } });
    try {
      await app.ready();
      const sample = usageSample(s.h.master.snapshot());
      expect(sample.total).toEqual({ cpus: 4, mem: 4096, disk: 10000, gpus: 0 });
      expect(sample.allocated).toMatchObject({ cpus: 1, mem: 128 });
      let res = await app.inject({ url: "/master/usage" });
      for (let i = 0; i < 200 && res.json().samples.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 5));
        res = await app.inject({ url: "/master/usage" });
      }
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.intervalMs).toBe(5);
      expect(body.samples.length).toBeGreaterThan(1);
      expect(body.current.total.cpus).toBe(4);

      const ring = new UsageHistory(3);
      for (let t = 1; t <= 5; t++) ring.push({ ...sample, t });
      expect(ring.values().map((x) => x.t)).toEqual([3, 4, 5]);
    } finally {
      await app.close();
      await s.h.stop();
    }
  });
});

const cleanups: (() => Promise<void>)[] = [];
function onCleanup(f: () => Promise<void>) {
  cleanups.push(f);
}
afterEach(async () => {
  for (const f of cleanups.splice(0)) await f();
});
