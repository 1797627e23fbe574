import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type AgentId, type FrameworkId, type TaskId, TaskInfo } from "@agora/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentCheckpoint, processStartTime } from "./checkpoint.js";
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

describe("processStartTime", () => {
  it("reads this process's start time and nothing for a pid that does not exist", () => {
    const mine = processStartTime(process.pid);
    expect(mine).toBeGreaterThan(0);
    expect(processStartTime(process.pid)).toBe(mine);
    expect(processStartTime(2 ** 22 + 1)).toBeUndefined();
  });
});
