import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FrameworkId } from "@agora/protocol";
import { InProcessBus, ManualClock } from "@agora/transport";
import { waitFor } from "@agora/transport/testing";
import { afterEach, describe, expect, it } from "vitest";
import { Agent } from "./agent.js";
import { NoopExecutor } from "./executors/noop-executor.js";
import { AGENT_RESOURCES, type AgentFixture, startAgent } from "./test-support/agent-fixture.js";
import { FakeMaster, shellTask } from "./test-support/fake-master.js";

let fx: AgentFixture | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await fx?.close();
  fx = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe("registration", () => {
  it("registers with its resources, attributes and capabilities, then takes commands", async () => {
    fx = await startAgent({ attributes: [{ name: "rack", text: "r1" }] });
    expect(fx.agent.id).toBe("agent-1");
    const [registration] = fx.master.registrations;
    expect(registration?.type).toBe("register");
    expect(registration?.agentInfo).toMatchObject({
      hostname: "test-host",
      port: 5051,
      resources: AGENT_RESOURCES,
      attributes: [{ name: "rack", text: "r1" }],
      capabilities: ["shell"],
    });
    expect(await fx.master.ping()).toEqual({ type: "pong", agentId: "agent-1" });
    expect(registration?.type === "register" && registration.confirmsListening).toBe(true);
    // Then, listening, it says so under the id it got, so that the master starts offering it.
    await waitFor(() => fx!.master.listening.length === 1, "the agent to say it listens");
    expect(fx.master.listening).toEqual(["agent-1"]);
  });

  it("retries with backoff while no master answers, and registers once one does", async () => {
    const clock = new ManualClock();
    const bus = new InProcessBus();
    const workDir = await mkdtemp(path.join(os.tmpdir(), "agora-agent-"));
    const agent = new Agent({ bus, workDir, resources: AGENT_RESOURCES, clock });
    cleanups.push(async () => {
      await agent.stop({ killTasks: true });
      await rm(workDir, { recursive: true, force: true });
    });
    let registered = false;
    void agent.start({ httpPort: 5051 }).then(() => {
      registered = true;
    });
    await new Promise((r) => setTimeout(r, 0));
    clock.advance(1000); // first retry, still nobody
    await new Promise((r) => setTimeout(r, 0));
    const master = new FakeMaster(bus).start();
    clock.advance(1999); // the second retry is due 2 s after the first
    await new Promise((r) => setTimeout(r, 0));
    expect(registered).toBe(false);
    clock.advance(1);
    await waitFor(() => registered, "the registration");
    expect(master.registrations).toHaveLength(1);
    expect(agent.id).toBe("agent-1");
  });

  it("reregisters with its tasks and unacknowledged updates when the master asks", async () => {
    fx = await startAgent({ autoAck: false });
    const task = shellTask("sleep 100");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    fx.master.send({ type: "reregisterRequested" });
    await waitFor(() => fx!.master.registrations.length === 2, "the reregistration");
    const rereg = fx.master.registrations[1]!;
    expect(rereg.type).toBe("reregister");
    if (rereg.type !== "reregister") return;
    expect(rereg.agentInfo.id).toBe("agent-1");
    expect(rereg.tasks).toEqual([{ frameworkId: "fw-1", task, state: "TASK_RUNNING" }]);
    expect(rereg.frameworks.map((f) => f.id)).toEqual(["fw-1"]);
    expect(rereg.updates.map((u) => u.status.state)).toEqual(["TASK_RUNNING"]);
  });

  it("reregisters when no ping arrives for five ping intervals", async () => {
    const clock = new ManualClock();
    fx = await startAgent({ clock });
    clock.advance(4 * 15_000);
    expect(await fx.master.ping()).toEqual({ type: "pong", agentId: "agent-1" });
    clock.advance(5 * 15_000 - 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(fx.master.registrations).toHaveLength(1);
    clock.advance(1);
    await waitFor(() => fx!.master.registrations.length === 2, "the reregistration");
    expect(fx.master.registrations[1]?.type).toBe("reregister");
  });

  it("reregisters at once when a new leader asks, instead of waiting out its registration backoff", async () => {
    const clock = new ManualClock();
    fx = await startAgent({ clock });
    fx.master.stop(); // the leader dies
    clock.advance(5 * 15_000); // silent master: the agent tries to reregister, nobody answers
    await new Promise((r) => setTimeout(r, 10));
    for (const backoff of [1000, 2000]) {
      clock.advance(backoff);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(fx.master.registrations).toHaveLength(1);
    fx.master.epoch = 2; // a new leader, which asks known agents to reregister
    fx.master.start();
    fx.master.send({ type: "reregisterRequested" });
    await waitFor(() => fx!.master.registrations.length === 2, "the reregistration without a clock advance");
    expect(fx.master.registrations[1]?.type).toBe("reregister");
    expect(fx.agent.counters.registrations).toBe(2);
  });
});

describe("commands", () => {
  it("drops and counts commands that fail their schema, and keeps working", async () => {
    fx = await startAgent();
    fx.master.sendRaw({ type: "runTask", epoch: 1, tasks: "nope" });
    fx.master.sendRaw({ type: "explode" });
    fx.bus.publish(
      fx.master.subjects.agentCommands(fx.master.agentId),
      new TextEncoder().encode("{not json"),
    );
    await waitFor(() => fx!.agent.counters.invalidCommands === 3, "three invalid commands");
    const task = shellTask("true");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_FINISHED");
  });

  it("counts and drops framework messages, which no executor takes yet", async () => {
    fx = await startAgent();
    fx.master.send({ type: "frameworkMessage", frameworkId: "fw-1" as FrameworkId, data: "aGk=" });
    await waitFor(() => fx!.agent.counters.frameworkMessages === 1, "one framework message");
    expect(fx.agent.counters.invalidCommands).toBe(0);
  });

  it("ignores commands of an older epoch and adopts a newer one", async () => {
    fx = await startAgent();
    fx.master.epoch = 3;
    const first = shellTask("true");
    fx.master.runTasks([first]);
    await fx.master.waitForState(first.taskId, "TASK_FINISHED");
    fx.master.epoch = 2;
    const stale = shellTask("true");
    fx.master.runTasks([stale]);
    await waitFor(() => fx!.agent.counters.staleCommands === 1, "the stale command to be counted");
    fx.master.epoch = 3;
    const fresh = shellTask("true");
    fx.master.runTasks([fresh]);
    await fx.master.waitForState(fresh.taskId, "TASK_FINISHED");
    expect(fx.master.statesOf(stale.taskId)).toEqual([]);
  });

  it("resends an update until it is acknowledged, and counts acknowledgements of unknown uuids", async () => {
    const clock = new ManualClock();
    fx = await startAgent({
      clock,
      autoAck: false,
      executors: { shell: new NoopExecutor({ clock, runMs: 1000 }) },
    });
    const task = shellTask("ignored");
    fx.master.runTasks([task]);
    const running = await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    clock.advance(1000); // the task finishes, but its FINISHED waits behind the unacknowledged RUNNING
    clock.advance(10_000);
    await waitFor(() => fx!.master.statesOf(task.taskId).length === 2, "the resend");
    expect(fx.master.statesOf(task.taskId)).toEqual(["TASK_RUNNING", "TASK_RUNNING"]);
    expect(fx.master.updates[1]?.status.uuid).toBe(running.status.uuid);
    fx.master.send({
      type: "statusAcknowledgement",
      acks: [{ frameworkId: running.frameworkId, taskId: task.taskId, uuid: crypto.randomUUID() }],
    });
    await waitFor(() => fx!.agent.counters.ignoredAcks === 1, "the unknown ack");
    fx.master.ack([running]);
    const finished = await fx.master.waitForState(task.taskId, "TASK_FINISHED");
    fx.master.ack([finished]);
    await waitFor(() => fx!.agent.pendingUpdates === 0, "no pending updates");
  });

  it("batches the updates of many tasks into fewer statusUpdate messages", async () => {
    fx = await startAgent({ executors: { shell: new NoopExecutor() } });
    const tasks = Array.from({ length: 200 }, () => shellTask("ignored"));
    fx.master.runTasks(tasks);
    await waitFor(
      () => fx!.master.updates.filter((u) => u.status.state === "TASK_FINISHED").length === 200,
      "200 finished",
    );
    expect(fx.master.updates).toHaveLength(400);
    expect(fx.master.statusMessages.length).toBeLessThan(20);
    await waitFor(() => fx!.agent.pendingUpdates === 0, "every update acknowledged");
  });

  it("kills a NoopExecutor task on request", async () => {
    fx = await startAgent({ executors: { shell: new NoopExecutor({ runMs: 60_000 }) } });
    const task = shellTask("ignored");
    fx.master.runTasks([task]);
    await fx.master.waitForState(task.taskId, "TASK_RUNNING");
    fx.master.kill(task.taskId);
    await fx.master.waitForState(task.taskId, "TASK_KILLED");
  });
});
