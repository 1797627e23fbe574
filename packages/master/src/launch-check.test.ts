import type { AgentCommand, Offer } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { MasterHarness, task } from "./test-support/harness.js";
import { withLaunchedTasks } from "./test-support/launch.js";

// The harness pings every 1000 ms: a task STAGING for 10 s is suspect.
const CHECK_MS = 10_000;

describe("launches that never reached the agent", () => {
  it("asks the agent to reregister about a task STAGING too long, and drops it when the agent does not report it", async () => {
    const s = await withLaunchedTasks(["lost", "kept"]);
    onTestFinished(() => s.h.stop());
    // The agent answers pings (so it is not removed) but never saw `lost`: it reports only `kept`.
    s.h.clock.advance(CHECK_MS - 1000);
    await s.h.settle();
    expect(s.agent.commands.pending((c) => c.type === "reregisterRequested")).toEqual([]);
    s.h.clock.advance(1000);
    await s.agent.commands.take((c) => c.type === "reregisterRequested", "reregisterRequested");
    const kept = s.run.tasks.find((t) => t.taskId === "kept")!;
    await s.h.reregister(s.agent.id, [{ frameworkId: s.fw.id, task: kept, state: "TASK_STAGING" }]);
    const dropped = await s.fw.update("lost", "TASK_DROPPED");
    expect(dropped).toMatchObject({ reason: "REASON_TASK_UNKNOWN", source: "SOURCE_MASTER" });
    await s.fw.sync();
    expect(s.fw.events.pending((e) => e.type === "update" && e.status.taskId === "kept")).toEqual([]);
    expect([...s.h.master.snapshot().frameworks.get(s.fw.id)!.tasks.keys()]).toEqual(["kept"]);
  });

  it("drops nothing when the agent reports the task or has an update for it", async () => {
    const s = await withLaunchedTasks(["a", "b"]);
    onTestFinished(() => s.h.stop());
    s.h.clock.advance(CHECK_MS);
    await s.agent.commands.take((c) => c.type === "reregisterRequested", "reregisterRequested");
    const a = s.run.tasks.find((t) => t.taskId === "a")!;
    await s.h.reregister(s.agent.id, [{ frameworkId: s.fw.id, task: a, state: "TASK_STAGING" }], undefined, [
      {
        frameworkId: s.fw.id,
        status: {
          taskId: "b" as (typeof a)["taskId"],
          state: "TASK_FINISHED",
          agentId: s.agent.id,
          source: "SOURCE_EXECUTOR",
          timestamp: 1,
          uuid: crypto.randomUUID(),
        },
      },
    ]);
    await s.fw.update("b", "TASK_FINISHED");
    await s.fw.sync();
    expect(s.fw.events.pending((e) => e.type === "update" && e.status.state === "TASK_DROPPED")).toEqual([]);
  });

  it("asks a window of agents at once, and the next one soon after an answer is processed", async () => {
    const h = await MasterHarness.start();
    onTestFinished(() => h.stop());
    // 17 agents with a launch each that looks lost: one more than the window (16).
    const agents = await Promise.all(Array.from({ length: 17 }, () => h.agent()));
    const fw = await h.framework();
    const offers: Offer[] = [];
    while (offers.length < agents.length) offers.push(...(await fw.offers()));
    for (const offer of offers) {
      await fw.call({
        type: "accept",
        offerIds: [offer.id],
        operations: [
          { type: "launch", tasks: [task(`t-${offer.agentId}`, offer.agentId, "cpus:1;mem:128")] },
        ],
        filters: { refuseSeconds: 0 },
      });
    }
    await h.settle();
    const asked = () =>
      agents.filter(
        (a) => a.commands.pending((c: AgentCommand) => c.type === "reregisterRequested").length > 0,
      );
    h.clock.advance(CHECK_MS);
    await h.settle();
    expect(asked()).toHaveLength(16);
    const [answering] = asked();
    const waiting = agents.find((a) => !asked().includes(a))!;
    const launched = offers.find((o) => o.agentId === answering!.id)!;
    await h.reregister(answering!.id, [
      {
        frameworkId: fw.id,
        task: task(`t-${launched.agentId}`, launched.agentId, "cpus:1;mem:128"),
        state: "TASK_STAGING",
      },
    ]);
    await h.settle();
    h.clock.advance(1000);
    await waiting.commands.take(
      (c) => c.type === "reregisterRequested",
      "reregisterRequested of the 17th agent",
    );
  });
});
