import type { AgentId, FrameworkId, StatusUpdate, TaskId } from "@agora/protocol";
import { ManualClock } from "@agora/transport";
import { waitFor } from "@agora/transport/testing";
import { describe, expect, it } from "vitest";
import { type NewStatus, StatusUpdateManager } from "./status-update-manager.js";
import { InMemoryUpdateJournal, type UpdateJournal } from "./update-journal.js";

const fw = "fw-1" as FrameworkId;

function status(taskId: string, state: NewStatus["state"] = "TASK_RUNNING"): NewStatus {
  return {
    taskId: taskId as TaskId,
    state,
    source: "SOURCE_EXECUTOR",
    agentId: "agent-1" as AgentId,
    timestamp: 1,
  };
}

function setup(options: { maxBatch?: number; journal?: UpdateJournal } = {}) {
  const clock = new ManualClock();
  const batches: StatusUpdate[][] = [];
  const manager = new StatusUpdateManager({
    send: (b) => batches.push(b),
    clock,
    retry: { initialMs: 10_000, maxMs: 40_000 },
    ...options,
  });
  const sent = () => batches.flat();
  const ack = (u: StatusUpdate) =>
    manager.acknowledge({ frameworkId: u.frameworkId, taskId: u.status.taskId, uuid: u.status.uuid });
  return { clock, batches, manager, sent, ack };
}

describe("StatusUpdateManager", () => {
  it("gives every update its own uuid", () => {
    const { manager } = setup();
    const a = manager.enqueue(fw, status("t1"));
    const b = manager.enqueue(fw, status("t2"));
    expect(a.status.uuid).not.toBe(b.status.uuid);
  });

  it("resends an unacknowledged update with doubling backoff, capped, until it is acknowledged", async () => {
    const { clock, manager, sent, ack } = setup();
    const u = manager.enqueue(fw, status("t1"));
    await waitFor(() => sent().length === 1, "the first send");
    const resendsAfter = async (ms: number, expected: number) => {
      clock.advance(ms);
      await waitFor(() => sent().length === expected, `${expected} sends`);
    };
    clock.advance(9_999);
    await new Promise((r) => setImmediate(r));
    expect(sent()).toHaveLength(1);
    await resendsAfter(1, 2); // 10 s
    await resendsAfter(20_000, 3); // then 20 s
    await resendsAfter(40_000, 4); // then 40 s (the cap)
    await resendsAfter(40_000, 5); // still 40 s
    expect(sent().every((s) => s.status.uuid === u.status.uuid)).toBe(true);
    expect(ack(u)).toBe(true);
    clock.advance(1_000_000);
    await new Promise((r) => setImmediate(r));
    expect(sent()).toHaveLength(5);
    expect(manager.pendingCount).toBe(0);
  });

  it("counts resends", async () => {
    const { clock, manager, sent, ack } = setup();
    const quick = manager.enqueue(fw, status("a"));
    await waitFor(() => sent().length === 1, "a sent");
    clock.advance(50);
    ack(quick);
    manager.enqueue(fw, status("b"));
    await waitFor(() => sent().length === 2, "b sent");
    clock.advance(10_000);
    await waitFor(() => sent().length === 3, "b resent after 10 s");
    expect(manager.resent).toBe(1);
  });

  it("sends a task's updates in order, the next only after the previous was acknowledged", async () => {
    const { manager, sent, ack } = setup();
    const running = manager.enqueue(fw, status("t1", "TASK_RUNNING"));
    const finished = manager.enqueue(fw, status("t1", "TASK_FINISHED"));
    await waitFor(() => sent().length === 1, "the first send");
    await new Promise((r) => setImmediate(r));
    expect(sent().map((u) => u.status.state)).toEqual(["TASK_RUNNING"]);
    expect(manager.inFlight()).toEqual([running]);
    ack(running);
    await waitFor(() => sent().length === 2, "the second send");
    expect(sent()[1]).toEqual(finished);
  });

  it("ignores acknowledgements of unknown uuids, of queued updates, and repeated ones", async () => {
    const { manager, ack } = setup();
    const running = manager.enqueue(fw, status("t1"));
    const finished = manager.enqueue(fw, status("t1", "TASK_FINISHED"));
    expect(manager.acknowledge({ frameworkId: fw, taskId: "t1" as TaskId, uuid: crypto.randomUUID() })).toBe(
      false,
    );
    expect(ack(finished)).toBe(false);
    expect(ack(running)).toBe(true);
    expect(ack(running)).toBe(false);
    expect(manager.pendingCount).toBe(1);
  });

  it("sends the updates that became ready in one tick as one batch", async () => {
    const { manager, batches } = setup();
    for (let i = 0; i < 50; i++) manager.enqueue(fw, status(`t${i}`));
    await waitFor(() => batches.length > 0, "a batch");
    await new Promise((r) => setImmediate(r));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(50);
  });

  it("splits a burst into messages of at most maxBatch updates", async () => {
    const { manager, batches } = setup({ maxBatch: 20 });
    for (let i = 0; i < 50; i++) manager.enqueue(fw, status(`t${i}`));
    await waitFor(() => batches.flat().length === 50, "every update");
    expect(batches.map((b) => b.length)).toEqual([20, 20, 10]);
  });

  it("batches the retries that fall due together", async () => {
    const { clock, manager, batches } = setup();
    for (let i = 0; i < 10; i++) manager.enqueue(fw, status(`t${i}`));
    await waitFor(() => batches.length === 1, "the first batch");
    clock.advance(10_000);
    await waitFor(() => batches.length === 2, "the retry batch");
    expect(batches[1]).toHaveLength(10);
  });

  it("journals updates until acknowledged, and resends what a journal recovers", async () => {
    const journal = new InMemoryUpdateJournal();
    const first = setup({ journal });
    const a = first.manager.enqueue(fw, status("t1"));
    const b = first.manager.enqueue(fw, status("t2"));
    first.ack(a);
    expect(journal.recover()).toEqual([b]);

    const second = setup({ journal });
    await waitFor(() => second.sent().length === 1, "the recovered update");
    expect(second.sent()).toEqual([b]);
  });

  it("sends an update only once its journal record is durable, and hands none over before", async () => {
    const durable: Array<() => void> = [];
    const journal: UpdateJournal = {
      append: () => new Promise<void>((resolve) => durable.push(resolve)),
      acknowledge: () => {},
      recover: () => [],
    };
    const { manager, sent } = setup({ journal });
    const a = manager.enqueue(fw, status("t1"));
    const b = manager.enqueue(fw, status("t2"));
    await new Promise((r) => setImmediate(r));
    expect(sent()).toEqual([]);
    expect(manager.inFlight()).toEqual([]);
    manager.resendAll();
    await new Promise((r) => setImmediate(r));
    expect(sent()).toEqual([]);
    durable[1]!();
    await waitFor(() => sent().length === 1, "the durable update");
    expect(sent()).toEqual([b]);
    expect(manager.inFlight()).toEqual([b]);
    durable[0]!();
    await waitFor(() => sent().length === 2, "the other once durable");
    expect(sent()[1]).toEqual(a);
  });

  it("holds an update until what it waits for has settled (a launched task's checkpoint), and the task's later ones behind it", async () => {
    const { manager, sent } = setup();
    let written!: () => void;
    const checkpointed = new Promise<void>((resolve) => {
      written = resolve;
    });
    const running = manager.enqueue(fw, status("t1"), checkpointed);
    manager.enqueue(fw, status("t1", "TASK_FINISHED"));
    const other = manager.enqueue(fw, status("t2"));
    await waitFor(() => sent().length === 1, "the other task's update");
    expect(sent()).toEqual([other]);
    written();
    await waitFor(() => sent().length === 2, "RUNNING once the checkpoint is written");
    expect(sent()[1]).toEqual(running);
  });

  it("sends what is ready on stop(), and nothing afterwards", async () => {
    const { clock, manager, sent } = setup();
    manager.enqueue(fw, status("t1"));
    manager.stop();
    expect(sent()).toHaveLength(1);
    manager.enqueue(fw, status("t2"));
    clock.advance(100_000);
    await new Promise((r) => setImmediate(r));
    expect(sent()).toHaveLength(1);
  });

  it("resends every task's head at once on resendAll, without waiting for its backoff", async () => {
    const { manager, sent } = setup();
    manager.enqueue(fw, status("t1"));
    manager.enqueue(fw, status("t1", "TASK_FINISHED"));
    manager.enqueue(fw, status("t2"));
    await waitFor(() => sent().length === 2, "the first heads sent");
    manager.resendAll();
    await waitFor(() => sent().length === 4, "the heads resent");
    expect(
      sent()
        .slice(2)
        .map((u) => [u.status.taskId, u.status.state]),
    ).toEqual([
      ["t1", "TASK_RUNNING"],
      ["t2", "TASK_RUNNING"],
    ]);
  });

  it("drops a shut-down framework's updates on cleanup: no resend, nothing left to recover", async () => {
    const journal = new InMemoryUpdateJournal();
    const { clock, manager, sent } = setup({ journal });
    const other = "fw-2" as FrameworkId;
    manager.enqueue(fw, status("t1"));
    manager.enqueue(fw, status("t1", "TASK_KILLED"));
    manager.enqueue(fw, status("t2"));
    const kept = manager.enqueue(other, status("t3"));
    await waitFor(() => sent().length === 3, "the heads sent");
    expect(manager.cleanup(fw)).toBe(3);
    expect(manager.unacknowledged().map((u) => u.update)).toEqual([kept]);
    expect(journal.recover()).toEqual([kept]);
    clock.advance(10_000);
    await waitFor(() => sent().length === 4, "the other framework's resend");
    expect(sent()[3]).toEqual(kept);
  });

  it("lists what waits for an acknowledgement: its place, first send and how often it went", async () => {
    const { clock, manager, sent } = setup();
    const running = manager.enqueue(fw, status("t1"));
    const finished = manager.enqueue(fw, status("t1", "TASK_FINISHED"));
    const sentAt = clock.now();
    await waitFor(() => sent().length === 1, "the first send");
    clock.advance(10_000);
    await waitFor(() => sent().length === 2, "the resend");
    expect(manager.unacknowledged()).toEqual([
      { update: running, position: 0, firstSentAt: sentAt, sends: 2 },
      { update: finished, position: 1, firstSentAt: undefined, sends: 0 },
    ]);
  });
});
