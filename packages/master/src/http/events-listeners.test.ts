import { waitFor } from "@agora/transport/testing";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { MasterHarness, task } from "../test-support/harness.js";
import { type Frame, readEvents } from "../test-support/sse.js";
import { buildMasterHttp } from "./app.js";
import { EventLog } from "./event-log.js";

interface WireEvent {
  id: string;
  kind: string;
  op: string;
  key: string;
  data?: { state?: string };
}

const eventsOf = (frames: Frame[]): WireEvent[] =>
  frames.filter((f) => f.id && f.event === undefined).map((f) => JSON.parse(f.data!) as WireEvent);
const seq = (id: string) => Number(id.slice(id.lastIndexOf("-") + 1));

/**
 * The log behind `/master/events` is fed by the registry's changes whether anyone listens or not,
 * so a dashboard opened late finds what happened before it (it used to compare the registry only
 * while a stream was open, and a first visit found "no changes").
 */
describe("the /master/events log with nobody listening", () => {
  it("keeps the changes made before any reader came: a stream opened later gets them, then live ones", async () => {
    const h = new MasterHarness();
    const app = buildMasterHttp(h.master, { live: { eventPollMs: 10, heartbeatMs: 60_000 } });
    onTestFinished(async () => {
      await app.close();
      await h.stop();
    });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    await h.master.start({ httpPort: 5050 });

    const agent = await h.agent();
    const fw = await h.framework({ name: "early" });
    const [offer] = await fw.offers();
    await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks: ["a", "b"].map((id) => task(id, agent.id, "cpus:1;mem:64")) }],
      filters: { refuseSeconds: 0 },
    });
    await agent.commands.take((c) => c.type === "runTask", "runTask");
    agent.update(fw.id, "a", "TASK_RUNNING");
    await fw.update("a", "TASK_RUNNING");
    agent.update(fw.id, "b", "TASK_FINISHED");
    await fw.update("b", "TASK_FINISHED");
    // Nobody has asked the HTTP API anything yet; two looks of the poller make sure it saw all that.
    const looks = vi.spyOn(h.master, "snapshot");
    await waitFor(() => looks.mock.calls.length >= 2, "the poller to look twice");

    const first = await readEvents(`${base}/master/events`, (f) => f.some((x) => x.event === "hello"));
    const hello = first.find((f) => f.event === "hello")!;
    const { lastEventId } = JSON.parse(hello.data!) as { lastEventId: string };
    const logId = lastEventId.slice(0, lastEventId.lastIndexOf("-"));
    expect(seq(lastEventId)).toBeGreaterThanOrEqual(4);

    // From the log's first id: everything kept, in order, then what happens next.
    const frames = await readEvents(
      `${base}/master/events`,
      (f) => eventsOf(f).some((e) => e.key === `${fw.id}/a` && e.data?.state === "TASK_FINISHED"),
      { "last-event-id": `${logId}-0` },
      (frame) => {
        if (frame.id === lastEventId) {
          agent.update(fw.id, "a", "TASK_FINISHED");
          void fw.update("a", "TASK_FINISHED");
        }
      },
    );
    const events = eventsOf(frames);
    expect(events.map((e) => seq(e.id))).toEqual(events.map((_, i) => i + 1));
    const before = events.filter((e) => seq(e.id) <= seq(lastEventId));
    expect(before).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "agent", op: "added", key: agent.id }),
        expect.objectContaining({ kind: "framework", op: "added", key: fw.id }),
        expect.objectContaining({
          kind: "task",
          key: `${fw.id}/a`,
          data: expect.objectContaining({ state: "TASK_RUNNING" }),
        }),
        expect.objectContaining({
          kind: "task",
          key: `${fw.id}/b`,
          data: expect.objectContaining({ state: "TASK_FINISHED" }),
        }),
      ]),
    );
    const after = events.filter((e) => seq(e.id) > seq(lastEventId));
    expect(after).toContainEqual(
      expect.objectContaining({
        kind: "task",
        op: "updated",
        key: `${fw.id}/a`,
        data: expect.objectContaining({ state: "TASK_FINISHED" }),
      }),
    );

    // The Overview's first request: the newest events, tasks among them.
    const recent = (await (await fetch(`${base}/master/events/recent?limit=50`)).json()) as {
      events: WireEvent[];
    };
    expect(recent.events.filter((e) => e.kind === "task").map((e) => e.key)).toEqual(
      expect.arrayContaining([`${fw.id}/a`, `${fw.id}/b`]),
    );
  });

  it("answers reset to an id from before a pause, and resumes one given after it", () => {
    const log = new EventLog(10);
    const change = (id: string) => ({ kind: "agent" as const, op: "added" as const, id, data: () => ({}) });
    log.append(change("a"), 1);
    const beforePause = log.lastEventId;
    log.gap(); // this master stopped leading for a while: changes went unrecorded
    const afterPause = log.lastEventId;
    log.append(change("b"), 2);

    expect(log.since(beforePause)).toEqual({ kind: "reset" });
    const resumed = log.since(afterPause);
    expect(resumed.kind === "events" && resumed.events.map((e) => e.id)).toEqual(["b"]);
    expect(log.recent(5).map((e) => e.id)).toEqual(["a", "b"]);
  });
});
