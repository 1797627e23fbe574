import { fdatasync, statSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type AgentId, type FrameworkId, type TaskId, TaskInfo } from "@agora/protocol";
import { waitFor } from "@agora/transport/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Fsync } from "./append-log.js";
import { AgentCheckpoint, processStartTime, TASK_LOG } from "./checkpoint.js";
import { FRAMEWORK_INFO } from "./test-support/fake-master.js";

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), "agora-checkpoint-"));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const task = TaskInfo.parse({
  taskId: "t1",
  name: "t1",
  agentId: "agent-1",
  resources: [{ name: "cpus", scalar: 1 }],
  command: { value: "sleep 1" },
});

describe("AgentCheckpoint", () => {
  const saved = { framework: FRAMEWORK_INFO, task, executor: "shell", run: { pid: 1234, startTime: 99 } };
  const fw = FRAMEWORK_INFO.id as FrameworkId;
  const log = () => path.join(workDir, "meta", TASK_LOG);

  it("keeps the agent's id across instances (a restarted agent)", async () => {
    expect(await new AgentCheckpoint(workDir).readAgentId()).toBeUndefined();
    await new AgentCheckpoint(workDir).writeAgentId("agent-1" as AgentId);
    await new AgentCheckpoint(workDir).writeAgentId("agent-1" as AgentId);
    expect(await new AgentCheckpoint(workDir).readAgentId()).toBe("agent-1");
    expect(await readdir(path.join(workDir, "meta"))).toEqual(["agent.json"]);
  });

  it("writes, reads back (in another instance too) and removes a task's checkpoint", async () => {
    const cp = new AgentCheckpoint(workDir);
    await cp.writeTask(saved);
    expect(await cp.readTasks()).toEqual([saved]);
    expect(await new AgentCheckpoint(workDir).readTasks()).toEqual([saved]);
    cp.removeTask(fw, "t1" as TaskId);
    expect(await new AgentCheckpoint(workDir).readTasks()).toEqual([]);
  });

  it("forgets a task removed before its write was synced (a task that ended at once)", async () => {
    const cp = new AgentCheckpoint(workDir);
    const written = cp.writeTask(saved);
    cp.removeTask(fw, "t1" as TaskId);
    await written;
    expect(await new AgentCheckpoint(workDir).readTasks()).toEqual([]);
  });

  it("takes over the tasks an earlier instance recorded: a later write keeps them, removals apply to them", async () => {
    await new AgentCheckpoint(workDir).writeTask(saved);
    const second = new AgentCheckpoint(workDir);
    const t2 = { ...saved, task: { ...task, taskId: "t2" as TaskId, name: "t2" } };
    await second.writeTask(t2);
    expect(await second.readTasks()).toEqual([saved, t2]);
    second.removeTask(fw, "t1" as TaskId);
    expect(await new AgentCheckpoint(workDir).readTasks()).toEqual([t2]);
  });

  it("skips a record torn by a crash and an agent id that does not parse", async () => {
    const cp = new AgentCheckpoint(workDir);
    await cp.writeTask(saved);
    await appendFile(log(), '{"task":{"framework"');
    await writeFile(path.join(cp.dir, "agent.json"), '{"agentId":"no/slashes"}');
    expect(await new AgentCheckpoint(workDir).readTasks()).toEqual([saved]);
    expect(await cp.readAgentId()).toBeUndefined();
  });

  it("empties the log once no task is live", async () => {
    const cp = new AgentCheckpoint(workDir);
    await cp.writeTask(saved);
    expect(statSync(log()).size).toBeGreaterThan(0);
    cp.removeTask(fw, "t1" as TaskId);
    expect(statSync(log()).size).toBe(0);
  });

  it("rewrites the log with its live tasks alone once it has grown past 4 MiB and twice their size", async () => {
    const cp = new AgentCheckpoint(workDir);
    const ten = Array.from({ length: 10 }, (_, i) => `t${i}` as TaskId);
    const round = (r: number) =>
      ten.map((id) =>
        cp.writeTask({ ...saved, task: { ...task, taskId: id, name: id }, run: { pid: r + 1 } }),
      );
    // The same ten tasks written over and over (ids launched again): the log grows, what is live does not.
    const grown = Array.from({ length: 1_500 }, (_, r) => round(r)).flat();
    expect(statSync(log()).size).toBeGreaterThan(4 * 1024 * 1024);
    await Promise.all(grown);
    // Compacted once the sync that covered the appends has returned.
    await waitFor(() => statSync(log()).size < 10 * 1024, "the log rewritten");
    const left = await new AgentCheckpoint(workDir).readTasks();
    expect(left.map((t) => [t.task.taskId, t.run.pid])).toEqual(ten.map((id) => [id, 1_500]));
  });

  it("moves the per-task files of an older agent into the log on its first write, and removes them", async () => {
    const legacyDir = path.join(workDir, "meta", "tasks", FRAMEWORK_INFO.id!);
    await mkdir(legacyDir, { recursive: true });
    const { run, ...withoutRun } = saved;
    await writeFile(path.join(legacyDir, "t1.json"), JSON.stringify({ ...withoutRun, run: {} }));
    await writeFile(path.join(legacyDir, "t1.json.run"), JSON.stringify(run));
    await writeFile(path.join(legacyDir, "broken.json"), "{not json");
    const cp = new AgentCheckpoint(workDir);
    expect(await cp.readTasks()).toEqual([saved]);
    const t2 = { ...saved, task: { ...task, taskId: "t2" as TaskId, name: "t2" } };
    await cp.writeTask(t2);
    expect(await readdir(cp.dir)).toEqual([TASK_LOG]);
    expect(await new AgentCheckpoint(workDir).readTasks()).toEqual([saved, t2]);
  });
});

/** A sync the test lets return when it chooses. */
interface HeldSync {
  release(): void;
}

/** A flush that holds every sync until the test releases it (the real fdatasync runs on release). */
function heldSyncs(): { fsync: Fsync; held: HeldSync[] } {
  const held: HeldSync[] = [];
  const fsyncHook: Fsync = (fd) =>
    new Promise((resolve, reject) => {
      held.push({ release: () => fdatasync(fd, (err) => (err ? reject(err) : resolve())) });
    });
  return { fsync: fsyncHook, held };
}

const settledFlag = (p: Promise<void>) => {
  const flag = { settled: false };
  void p.then(() => {
    flag.settled = true;
  });
  return flag;
};

describe("AgentCheckpoint durability (syncs observed through an injected flush)", () => {
  const saved = { framework: FRAMEWORK_INFO, task, executor: "shell", run: {} };
  const named = (id: string) => ({ ...saved, task: { ...task, taskId: id as TaskId, name: id } });

  it("resolves a task's write only once the log's sync returned", async () => {
    const { fsync: hook, held } = heldSyncs();
    const cp = new AgentCheckpoint(workDir, { fsync: hook });
    const written = settledFlag(cp.writeTask(saved));
    await waitFor(() => held.length === 1, "the log's sync");
    await new Promise((resolve) => setImmediate(resolve));
    expect(written.settled).toBe(false);
    held[0]!.release();
    await waitFor(() => written.settled, "the write to resolve once its sync returned");
  });

  it("shares one sync among the tasks written in the same turn, and the next among those written while it ran (group commit)", async () => {
    const { fsync: hook, held } = heldSyncs();
    const cp = new AgentCheckpoint(workDir, { fsync: hook });
    const first = ["t1", "t2", "t3"].map((id) => settledFlag(cp.writeTask(named(id))));
    await waitFor(() => held.length === 1, "one sync for the turn's three writes");
    const second = ["t4", "t5"].map((id) => settledFlag(cp.writeTask(named(id))));
    await new Promise((resolve) => setImmediate(resolve));
    expect(held).toHaveLength(1);
    held[0]!.release();
    await waitFor(() => first.every((f) => f.settled), "the first group");
    await waitFor(() => held.length === 2, "one sync for the writes made meanwhile");
    expect(second.some((f) => f.settled)).toBe(false);
    held[1]!.release();
    await waitFor(() => second.every((f) => f.settled), "the second group");
    expect(await cp.readTasks()).toHaveLength(5);
  });

  it("records a task's process without a sync and reads it back with the task", async () => {
    let syncs = 0;
    const cp = new AgentCheckpoint(workDir, {
      fsync: (fd) => {
        syncs++;
        return new Promise((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
      },
    });
    await cp.writeTask(saved);
    const before = syncs;
    cp.recordRun(FRAMEWORK_INFO.id as FrameworkId, "t1" as TaskId, { pid: 1234, startTime: 99 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(syncs).toBe(before);
    expect(await new AgentCheckpoint(workDir).readTasks()).toEqual([
      { ...saved, run: { pid: 1234, startTime: 99 } },
    ]);
  });
});

describe("processStartTime", () => {
  it("reads this process's start time and nothing for a pid that does not exist", () => {
    const mine = processStartTime(process.pid);
    expect(mine).toBeGreaterThan(0);
    expect(processStartTime(process.pid)).toBe(mine);
    expect(processStartTime(2 ** 22 + 1)).toBeUndefined();
  });
});
