import { describe, expect, it, onTestFinished, vi } from "vitest";
import { registryKeys } from "./registry/records.js";
import { withLaunchedTasks } from "./test-support/launch.js";

/** A master with one agent that launched `t1`; from now on the registry's writes are listed, and held until released. */
async function withHeldWrites() {
  const s = await withLaunchedTasks(["t1"]);
  const writes: string[] = [];
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const put = s.h.store.put.bind(s.h.store);
  vi.spyOn(s.h.store, "put").mockImplementation(async (key, value, opts) => {
    writes.push(key);
    await held;
    return put(key, value, opts);
  });
  onTestFinished(async () => {
    release();
    await s.h.stop();
  });
  return { ...s, writes, release };
}

describe("an agent's reregistration and the registry", () => {
  it("writes nothing for an agent that reregisters as it is recorded, so the updates behind it never wait for the registry", async () => {
    const s = await withHeldWrites();
    const reregistered = s.h.reregister(s.agent.id, [
      { frameworkId: s.fw.id, task: s.run.tasks[0]!, state: "TASK_STAGING" },
    ]);
    const sent = s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    expect((await s.fw.update("t1", "TASK_RUNNING")).uuid).toBe(sent.status.uuid);
    await reregistered;
    expect(s.writes).not.toContain(registryKeys.agent(s.agent.id));
  });

  it("writes the agent again when what it reports about itself changed, before answering", async () => {
    const s = await withHeldWrites();
    let answered = false;
    const reregistered = s.h
      .reregister(s.agent.id, [], "cpus:8;mem:8192;disk:10000;ports:[31000-32000]")
      .then(() => {
        answered = true;
      });
    await vi.waitFor(() => expect(s.writes).toContain(registryKeys.agent(s.agent.id)));
    expect(answered).toBe(false);
    s.release();
    await reregistered;
  });
});
