import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AgentId, FrameworkId, StatusUpdate, TaskId } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { FileUpdateJournal } from "./file-update-journal.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "agora-journal-"));
  dirs.push(d);
  return path.join(d, "updates");
}

/** Update uuids are UUIDs; the tests name them by the last group. */
const uuidOf = (name: string) => `00000000-0000-4000-8000-${name.padStart(12, "0")}`;

function update(taskId: string, uuid: string): StatusUpdate {
  return {
    frameworkId: "fw-1" as FrameworkId,
    status: {
      taskId: taskId as TaskId,
      state: "TASK_RUNNING",
      source: "SOURCE_EXECUTOR",
      agentId: "agent-1" as AgentId,
      timestamp: 1,
      uuid: uuidOf(uuid),
    },
  };
}

describe("FileUpdateJournal", () => {
  it("keeps unacknowledged updates on disk for a new journal over the same directory, in append order", async () => {
    const dir = await tempDir();
    const first = new FileUpdateJournal(dir);
    const [a, b, c] = [update("t1", "a"), update("t2", "b"), update("t1", "c")];
    first.append(a);
    first.append(b);
    first.append(c);
    first.acknowledge(b);
    const second = new FileUpdateJournal(dir);
    expect(second.recover().map((u) => u.status.uuid)).toEqual([uuidOf("a"), uuidOf("c")]);
  });

  it("removes an update's file on acknowledgement, also one recovered from an earlier process", async () => {
    const dir = await tempDir();
    new FileUpdateJournal(dir).append(update("t1", "a"));
    const second = new FileUpdateJournal(dir);
    const [recovered] = second.recover();
    second.acknowledge(recovered!);
    expect(await readdir(dir)).toEqual([]);
  });

  it("appends after the recovered updates, so order holds across restarts", async () => {
    const dir = await tempDir();
    new FileUpdateJournal(dir).append(update("t1", "01d"));
    const second = new FileUpdateJournal(dir);
    second.recover();
    second.append(update("t1", "2e4"));
    expect(new FileUpdateJournal(dir).recover().map((u) => u.status.uuid)).toEqual([
      uuidOf("01d"),
      uuidOf("2e4"),
    ]);
  });

  it("drops a torn file instead of failing recovery", async () => {
    const dir = await tempDir();
    const journal = new FileUpdateJournal(dir);
    journal.append(update("t1", "a"));
    await writeFile(path.join(dir, "000000000009-torn.json"), '{"frameworkId":');
    expect(new FileUpdateJournal(dir).recover().map((u) => u.status.uuid)).toEqual([uuidOf("a")]);
    expect(await readdir(dir)).toHaveLength(1);
  });
});
