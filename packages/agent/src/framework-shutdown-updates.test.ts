import type { FrameworkId, FrameworkInfo } from "@agora/protocol";
import { waitFor } from "@agora/transport/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type AgentFixture, startAgent } from "./test-support/agent-fixture.js";
import { FRAMEWORK_ID, FRAMEWORK_INFO, shellTask } from "./test-support/fake-master.js";

let fx: AgentFixture;

afterEach(async () => {
  await fx?.close();
});

const OTHER: FrameworkInfo = { ...FRAMEWORK_INFO, id: "fw-2" as FrameworkId, name: "other" };

/**
 * A framework the master tore down can acknowledge nothing: the master refuses its calls. Its
 * agents must not keep its updates (Mesos closes the framework's status update streams and ignores
 * updates of a terminating framework); before, they resent them forever, and a simulation at 5,000
 * agents ended with 50,001 updates unacknowledged after one framework was torn down.
 */
describe("status updates of a framework that was shut down", () => {
  it("are dropped, queued ones and those of its killed tasks, while other frameworks' stay", async () => {
    fx = await startAgent({ autoAck: false });
    const doomed = [shellTask("sleep 100"), shellTask("sleep 100")];
    const kept = shellTask("sleep 100");
    fx.master.runTasks(doomed);
    fx.master.runTasks([kept], OTHER);
    for (const t of [...doomed, kept]) await fx.master.waitForState(t.taskId, "TASK_RUNNING");
    expect(fx.agent.pendingUpdates).toBe(3);

    fx.master.send({ type: "shutdownFramework", frameworkId: FRAMEWORK_ID });
    await waitFor(() => fx.agent.completedFrameworks().length === 1, "the framework's tasks to end");

    const [completed] = fx.agent.completedFrameworks();
    expect(completed?.completedTasks.map((t) => t.state)).toEqual(["TASK_KILLED", "TASK_KILLED"]);
    // Its RUNNING updates (never acknowledged) and its tasks' KILLED: none is left to resend.
    const left = fx.agent.unacknowledgedUpdates().map((u) => u.update.status.taskId);
    expect(left).toEqual([kept.taskId]);
    expect(fx.agent.pendingUpdates).toBe(1);
    expect(fx.agent.counters.statusUpdatesDropped).toBe(4);
    expect(
      fx.master.updates.filter((u) => u.frameworkId === FRAMEWORK_ID).map((u) => u.status.state),
    ).toEqual(["TASK_RUNNING", "TASK_RUNNING"]);
  });
});
