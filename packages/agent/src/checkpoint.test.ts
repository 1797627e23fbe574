import { fstatSync, fsync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type AgentId, type FrameworkId, type TaskId, TaskInfo } from "@agora/protocol";
import { waitFor } from "@agora/transport/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentCheckpoint, type Fsync, processStartTime } from "./checkpoint.js";
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
  it("keeps the agent's id across instances (a restarted agent)", async () => {
    expect(await new AgentCheckpoint(workDir).readAgentId()).toBeUndefined();
    await new AgentCheckpoint(workDir).writeAgentId("agent-1" as AgentId);
    expect(await new AgentCheckpoint(workDir).readAgentId()).toBe("agent-1");
  });

  it("writes, reads back and removes a task's checkpoint", async () => {
    const cp = new AgentCheckpoint(workDir);
    const saved = {
      framework: FRAMEWORK_INFO,
      task,
      executor: "shell",
      run: { pid: 1234, startTime: 99 },
    };
    await cp.writeTask(saved);
    expect(await cp.readTasks()).toEqual([saved]);
    await cp.removeTask(FRAMEWORK_INFO.id as FrameworkId, "t1" as TaskId);
    expect(await cp.readTasks()).toEqual([]);
  });

  it("removes a task's checkpoint written meanwhile: the removal waits for the write (a task that ended at once)", async () => {
    const cp = new AgentCheckpoint(workDir);
    const written = cp.writeTask({ framework: FRAMEWORK_INFO, task, executor: "shell", run: { pid: 1234 } });
    await cp.removeTask(FRAMEWORK_INFO.id as FrameworkId, "t1" as TaskId);
    await written;
    expect(await cp.readTasks()).toEqual([]);
  });

  it("skips a checkpoint file that does not parse", async () => {
    const cp = new AgentCheckpoint(workDir);
    await mkdir(path.join(cp.dir, "tasks", "fw-1"), { recursive: true });
    await writeFile(path.join(cp.dir, "tasks", "fw-1", "broken.json"), "{not json");
    await writeFile(path.join(cp.dir, "agent.json"), '{"agentId":"no/slashes"}');
    expect(await cp.readTasks()).toEqual([]);
    expect(await cp.readAgentId()).toBeUndefined();
  });
});

/** A sync the test lets return when it chooses; `isDir`: of a directory. */
interface HeldSync {
  isDir: boolean;
  release(): void;
}

/** An fsync hook that holds every sync until the test releases it (the real fsync runs on release). */
function heldSyncs(): { fsync: Fsync; held: HeldSync[] } {
  const held: HeldSync[] = [];
  const fsyncHook: Fsync = (fd) =>
    new Promise((resolve, reject) => {
      const isDir = fstatSync(fd).isDirectory();
      held.push({ isDir, release: () => fsync(fd, (err) => (err ? reject(err) : resolve())) });
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

describe("AgentCheckpoint durability (syncs observed through an injected fsync)", () => {
  const saved = { framework: FRAMEWORK_INFO, task, executor: "shell", run: { pid: 1234 } };
  const file = () => path.join(workDir, "meta", "tasks", FRAMEWORK_INFO.id!, "t1.json");

  it("asks for a new task checkpoint's file and directory syncs together, and resolves only once every one returned", async () => {
    const { fsync: hook, held } = heldSyncs();
    const cp = new AgentCheckpoint(workDir, { fsync: hook });
    const written = settledFlag(cp.writeTask(saved));
    // The file's sync, its directory's, and those of the directories made for it (tasks/<fw>, tasks, meta, the work dir).
    await waitFor(() => held.length === 5, "every sync asked for before any returned");
    expect(held.filter((h) => !h.isDir)).toHaveLength(1);
    for (const h of held) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(written.settled).toBe(false);
      h.release();
    }
    await waitFor(() => written.settled, "the write to resolve once its syncs returned");
    expect(await cp.readTasks()).toEqual([saved]);
  });

  it("replaces an existing checkpoint atomically: the new data synced before the rename, the directory after it", async () => {
    await new AgentCheckpoint(workDir).writeTask(saved);
    const { fsync: hook, held } = heldSyncs();
    const cp = new AgentCheckpoint(workDir, { fsync: hook });
    const replaced = { ...saved, run: { pid: 4321, startTime: 7 } };
    const written = settledFlag(cp.writeTask(replaced));
    await waitFor(() => held.length === 1, "the temporary file's sync");
    expect(held[0]!.isDir).toBe(false);
    expect(JSON.parse(readFileSync(file(), "utf8"))).toEqual(saved);
    held[0]!.release();
    await waitFor(() => held.length === 2, "the directory's sync after the rename");
    expect(held[1]!.isDir).toBe(true);
    expect(JSON.parse(readFileSync(file(), "utf8"))).toEqual(replaced);
    expect(written.settled).toBe(false);
    held[1]!.release();
    await waitFor(() => written.settled, "the write to resolve");
  });

  it("shares one directory sync among the checkpoints written in the same turn (group commit)", async () => {
    let files = 0;
    let dirs = 0;
    const counting: Fsync = (fd) => {
      if (fstatSync(fd).isDirectory()) dirs++;
      else files++;
      return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
    };
    const cp = new AgentCheckpoint(workDir, { fsync: counting });
    await cp.writeTask(saved);
    files = 0;
    dirs = 0;
    await Promise.all(
      ["t2", "t3", "t4"].map((id) =>
        cp.writeTask({ ...saved, task: { ...task, taskId: id as TaskId, name: id } }),
      ),
    );
    expect({ files, dirs }).toEqual({ files: 3, dirs: 1 });
    expect(await cp.readTasks()).toHaveLength(4);
  });
});

describe("AgentCheckpoint run records", () => {
  const record = { framework: FRAMEWORK_INFO, task, executor: "shell", run: {} };
  const runFile = (cp: AgentCheckpoint) => path.join(cp.dir, "tasks", FRAMEWORK_INFO.id!, "t1.json.run");

  it("records a task's process beside its checkpoint without a sync, reads it back with the task and removes both", async () => {
    let syncs = 0;
    const cp = new AgentCheckpoint(workDir, {
      fsync: (fd) => {
        syncs++;
        return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
      },
    });
    await cp.writeTask(record);
    expect(await cp.readTasks()).toEqual([record]);
    const before = syncs;
    cp.recordRun(FRAMEWORK_INFO.id as FrameworkId, "t1" as TaskId, { pid: 1234, startTime: 99 });
    expect(syncs).toBe(before);
    expect(await cp.readTasks()).toEqual([{ ...record, run: { pid: 1234, startTime: 99 } }]);
    // A torn record of the process is no record: the task is still known.
    await writeFile(runFile(cp), '{"pid":');
    expect(await cp.readTasks()).toEqual([record]);
    await cp.removeTask(FRAMEWORK_INFO.id as FrameworkId, "t1" as TaskId);
    expect(await readdir(path.dirname(runFile(cp)))).toEqual([]);
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
