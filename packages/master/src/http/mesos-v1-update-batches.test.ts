import type { AddressInfo } from "node:net";
import { encode, type FrameworkId, type TaskStatus, UPDATE_BATCHES } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { MasterHarness, waitFor } from "../test-support/harness.js";
import { buildMasterHttp } from "./app.js";

/** The JSON records of a Mesos RecordIO stream read so far (a record cut short is left for later). */
function records(text: string): Array<{ type: string; update?: { status: { task_id: { value: string } } } }> {
  const out = [];
  let at = 0;
  for (;;) {
    const newline = text.indexOf("\n", at);
    if (newline < 0) break;
    const length = Number(text.slice(at, newline));
    const body = Buffer.from(text.slice(newline + 1), "utf8");
    if (body.length < length) break;
    const json = body.subarray(0, length).toString("utf8");
    out.push(JSON.parse(json));
    at = newline + 1 + json.length;
  }
  return out;
}

describe("a Mesos v1 HTTP framework and update batches", () => {
  it("never gets batches: UPDATE_BATCHES is dropped from its info, and each update is its own UPDATE", async () => {
    const h = await MasterHarness.startForTest();
    const app = buildMasterHttp(h.master);
    onTestFinished(() => app.close());
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/api/v1/scheduler`;
    const abort = new AbortController();
    onTestFinished(() => abort.abort());
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "SUBSCRIBE",
        subscribe: {
          framework_info: { user: "root", name: "mesos-batch", capabilities: [{ type: UPDATE_BATCHES }] },
        },
      }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const streamId = res.headers.get("mesos-stream-id")!;
    let text = "";
    void (async () => {
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
        if (done) return;
        text += Buffer.from(value).toString("utf8");
      }
    })();
    await waitFor(() => records(text).some((r) => r.type === "SUBSCRIBED"), "SUBSCRIBED");
    const frameworkId = (
      records(text)[0] as unknown as { subscribed: { framework_id: { value: FrameworkId } } }
    ).subscribed.framework_id.value;
    expect(h.master.snapshot().frameworks.get(frameworkId)!.info.capabilities ?? []).not.toContain(
      UPDATE_BATCHES,
    );

    // Explicit reconciliation answers every task in the same turn: what the outbox would batch.
    const tasks = ["r-1", "r-2", "r-3"];
    const reconcile = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "mesos-stream-id": streamId },
      body: JSON.stringify({
        type: "RECONCILE",
        framework_id: { value: frameworkId },
        reconcile: { tasks: tasks.map((value) => ({ task_id: { value } })) },
      }),
    });
    expect(reconcile.status).toBe(202);
    const updates = () => records(text).filter((r) => r.type === "UPDATE");
    await waitFor(() => updates().length === tasks.length, "an UPDATE per reconciled task");
    expect(updates().map((r) => r.update!.status.task_id.value)).toEqual(tasks);

    // Should an `updates` event reach its subject anyway, the stream writes it as one UPDATE per status.
    const status = (taskId: string): TaskStatus => ({
      taskId: taskId as TaskStatus["taskId"],
      state: "TASK_RUNNING",
      source: "SOURCE_MASTER",
      timestamp: 1_700_000_000,
    });
    h.bus.publish(
      h.subjects.frameworkEvents(frameworkId),
      encode({ type: "updates", epoch: h.master.epoch, statuses: [status("b-1"), status("b-2")] }),
    );
    await waitFor(() => updates().length === tasks.length + 2, "an UPDATE per status of the batch");
    expect(updates().map((r) => r.update!.status.task_id.value)).toEqual([...tasks, "b-1", "b-2"]);
    expect(records(text).map((r) => r.type)).not.toContain("UPDATES");
  });
});
