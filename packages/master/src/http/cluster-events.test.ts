import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness } from "../test-support/harness.js";
import { withLaunchedTasks } from "../test-support/launch.js";
import { buildMasterHttp } from "./app.js";
import { clusterDigest, diffDigests } from "./cluster-digest.js";
import { EventLog } from "./event-log.js";
import { UsageHistory, usageSample } from "./usage.js";

const noMaintenance = { schedule: { windows: [] }, status: { draining_machines: [], down_machines: [] } };

/** Reads a server-sent event stream into frames until `until` holds for the frames read so far. */
async function readEvents(
  url: string,
  until: (frames: Frame[]) => boolean,
  headers: Record<string, string> = {},
  onFrame: (frame: Frame) => void = () => {},
): Promise<Frame[]> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const frames: Frame[] = [];
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for await (const chunk of res.body!) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffered.indexOf("\n\n");
      while (end >= 0) {
        const frame = parseFrame(buffered.slice(0, end));
        frames.push(frame);
        onFrame(frame);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf("\n\n");
      }
      if (until(frames)) break;
    }
  } finally {
    controller.abort();
  }
  return frames;
}

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

function parseFrame(text: string): Frame {
  const f: Frame = {};
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) f.comment = line.slice(1).trim();
    const i = line.indexOf(": ");
    if (i < 0) continue;
    const key = line.slice(0, i);
    if (key === "id" || key === "event" || key === "data") f[key] = line.slice(i + 2);
  }
  return f;
}

describe("cluster digests", () => {
  it("report an added agent, framework and task, then a task's state change, then nothing when idle", async () => {
    const h = await MasterHarness.startForTest();
    const empty = clusterDigest(h.master.snapshot(), noMaintenance);
    const s = await withLaunchedTasks(["web-1"]);
    const launched = clusterDigest(s.h.master.snapshot(), noMaintenance);
    const changes = diffDigests(empty, launched);
    expect(changes.filter((c) => c.op === "added").map((c) => c.kind)).toEqual(
      expect.arrayContaining(["agent", "framework", "task", "role"]),
    );
    const task = changes.find((c) => c.kind === "task")!;
    expect(task.id).toBe(`${s.fw.id}/web-1`);
    expect(task.data).toMatchObject({ id: "web-1", state: "TASK_STAGING", slave_id: s.agent.id });

    s.agent.update(s.fw.id, "web-1", "TASK_RUNNING");
    await s.fw.update("web-1", "TASK_RUNNING");
    const running = clusterDigest(s.h.master.snapshot(), noMaintenance);
    const next = diffDigests(launched, running).filter((c) => c.kind === "task");
    expect(next).toEqual([
      expect.objectContaining({ op: "updated", data: expect.objectContaining({ state: "TASK_RUNNING" }) }),
    ]);
    expect(diffDigests(running, clusterDigest(s.h.master.snapshot(), noMaintenance))).toEqual([]);
    await s.h.stop();
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
