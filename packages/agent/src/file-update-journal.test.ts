import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AgentId, FrameworkId, StatusUpdate, TaskId } from "@agora/protocol";
import { waitFor } from "@agora/transport/testing";
import { afterEach, describe, expect, it } from "vitest";
import { TASK_LOG } from "./checkpoint.js";
import { FileUpdateJournal, JOURNAL_FILE, journalledUpdates, unacknowledged } from "./file-update-journal.js";

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "agora-journal-"));
  dirs.push(d);
  return path.join(d, "updates");
}

/** Update uuids are UUIDs; the tests name them by the last group. */
const uuidOf = (name: string) => `00000000-0000-4000-8000-${name.padStart(12, "0")}`;

function update(taskId: string, uuid: string, state: "TASK_RUNNING" | "TASK_FINISHED" = "TASK_RUNNING") {
  return {
    frameworkId: "fw-1" as FrameworkId,
    status: {
      taskId: taskId as TaskId,
      state,
      source: "SOURCE_EXECUTOR",
      agentId: "agent-1" as AgentId,
      timestamp: 1,
      uuid: uuidOf(uuid),
    },
  } satisfies StatusUpdate;
}

const uuids = (updates: StatusUpdate[]) => updates.map((u) => u.status.uuid);

const root = path.resolve(import.meta.dirname, "../../..");
const child = path.join(import.meta.dirname, "test-support/journal-child.ts");
const hasStrace = (() => {
  try {
    execFileSync("strace", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Runs test-support/journal-child.ts (through tsx), optionally under strace; lines of its stdout come to `onLine`. */
function runChild(args: string[], onLine: (line: string) => void, straceTo?: string): ChildProcess {
  const node = [process.execPath, "--import", "tsx", "--conditions=source", child, ...args];
  const [file, ...argv] = straceTo
    ? [
        "strace",
        "-f",
        "-qq",
        "-e",
        "trace=fsync,fdatasync,rename,renameat,renameat2",
        "-o",
        straceTo,
        ...node,
      ]
    : node;
  const proc = spawn(file!, argv, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  children.push(proc);
  let buffered = "";
  proc.stdout!.on("data", (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) onLine(line);
  });
  return proc;
}

describe("FileUpdateJournal", () => {
  it("keeps unacknowledged updates on disk for a new journal over the same directory, in append order", async () => {
    const dir = await tempDir();
    const first = new FileUpdateJournal(dir);
    const [a, b, c] = [update("t1", "a"), update("t2", "b"), update("t1", "c")];
    await Promise.all([first.append(a), first.append(b), first.append(c)]);
    first.acknowledge(b);
    const second = new FileUpdateJournal(dir);
    expect(uuids(second.recover())).toEqual([uuidOf("a"), uuidOf("c")]);
  });

  it("forgets an acknowledged update, also one recovered from an earlier process, and empties the log when nothing is left", async () => {
    const dir = await tempDir();
    await new FileUpdateJournal(dir).append(update("t1", "a"));
    const second = new FileUpdateJournal(dir);
    const [recovered] = second.recover();
    second.acknowledge(recovered!);
    expect(new FileUpdateJournal(dir).recover()).toEqual([]);
    expect(await readFile(path.join(dir, JOURNAL_FILE), "utf8")).toBe("");
  });

  it("reads what a running agent's journal holds unacknowledged without changing the file", async () => {
    const dir = await tempDir();
    expect(journalledUpdates(dir)).toEqual([]);
    const journal = new FileUpdateJournal(dir);
    const [a, b] = [update("t1", "a"), update("t2", "b")];
    await Promise.all([journal.append(a), journal.append(b)]);
    journal.acknowledge(a);
    const before = await readFile(path.join(dir, JOURNAL_FILE), "utf8");
    expect(uuids(journalledUpdates(dir))).toEqual([uuidOf("b")]);
    expect(await readFile(path.join(dir, JOURNAL_FILE), "utf8")).toBe(before);
    journal.acknowledge(b);
    expect(journalledUpdates(dir)).toEqual([]);
  });

  it("appends after the recovered updates, so order holds across restarts", async () => {
    const dir = await tempDir();
    await new FileUpdateJournal(dir).append(update("t1", "01d"));
    const second = new FileUpdateJournal(dir);
    second.recover();
    await second.append(update("t1", "2e4"));
    expect(uuids(new FileUpdateJournal(dir).recover())).toEqual([uuidOf("01d"), uuidOf("2e4")]);
  });

  it("skips a torn last line instead of failing recovery", async () => {
    const dir = await tempDir();
    await new FileUpdateJournal(dir).append(update("t1", "a"));
    await appendFile(path.join(dir, JOURNAL_FILE), '{"update":{"frameworkId":');
    expect(uuids(new FileUpdateJournal(dir).recover())).toEqual([uuidOf("a")]);
    // Recovery rewrote the log without the torn line.
    expect(uuids(new FileUpdateJournal(dir).recover())).toEqual([uuidOf("a")]);
  });

  it("recovers the one-file-per-update journal of an older agent into the log and removes its files", async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `000000000001-${uuidOf("a")}.json`), JSON.stringify(update("t1", "a")));
    await writeFile(path.join(dir, `000000000002-${uuidOf("b")}.json`), JSON.stringify(update("t2", "b")));
    await writeFile(path.join(dir, "000000000003-torn.json"), '{"frameworkId":');
    expect(uuids(new FileUpdateJournal(dir).recover())).toEqual([uuidOf("a"), uuidOf("b")]);
    expect(await readdir(dir)).toEqual([JOURNAL_FILE]);
    expect(uuids(new FileUpdateJournal(dir).recover())).toEqual([uuidOf("a"), uuidOf("b")]);
  });

  it("keeps an update it sent through a kill -9 of the agent process", async () => {
    const dir = await tempDir();
    const sent: string[] = [];
    const proc = runChild([dir, "send", "3"], (line) => {
      if (line.startsWith("sent ")) sent.push(line.slice(5));
    });
    await waitFor(() => sent.length === 3, "the child to send its updates");
    proc.kill("SIGKILL");
    await new Promise((resolve) => proc.once("exit", resolve));
    expect(uuids(new FileUpdateJournal(dir).recover())).toEqual(sent);
  });

  /** Runs the child sending `count` updates of `state` under strace; its fdatasync calls once all were sent. */
  async function syncsToSend(dir: string, count: number, state: string): Promise<string[]> {
    const trace = path.join(path.dirname(dir), "strace.txt");
    let sent = 0;
    const proc = runChild(
      [dir, "send", String(count), state],
      (line) => line.startsWith("sent ") && sent++,
      trace,
    );
    await waitFor(() => sent === count, "the child to send its updates");
    proc.kill("SIGKILL");
    await new Promise((resolve) => proc.once("exit", resolve));
    return (await readFile(trace, "utf8")).split("\n").filter((l) => /\bfdatasync\(/.test(l));
  }

  it.skipIf(!hasStrace)(
    "makes a burst of terminal updates durable with a shared fdatasync before any is sent (group commit)",
    async () => {
      const dir = await tempDir();
      // One for the turn that enqueued all 200 (the recovery's rewrite uses fsync, not counted here).
      expect(await syncsToSend(dir, 200, "TASK_FINISHED")).toHaveLength(1);
      expect(uuids(new FileUpdateJournal(dir).recover())).toHaveLength(200);
    },
  );

  it.skipIf(!hasStrace)(
    "sends a non-terminal update once written, without waiting for a sync, and keeps it through a kill -9",
    async () => {
      const dir = await tempDir();
      expect(await syncsToSend(dir, 3, "TASK_RUNNING")).toEqual([]);
      expect(uuids(new FileUpdateJournal(dir).recover())).toHaveLength(3);
    },
  );
});

describe("AgentCheckpoint durability", () => {
  /** The child's sync and rename calls, in order, for `mode`; `file` must exist afterwards. */
  async function traced(mode: string, file: string): Promise<string[]> {
    const dir = await tempDir();
    const trace = path.join(path.dirname(dir), "strace.txt");
    let written = false;
    const proc = runChild([dir, mode], (line) => (written ||= line === "written"), trace);
    await waitFor(() => written, `the child's ${mode} to be written`);
    await new Promise((resolve) => proc.once("exit", resolve));
    expect(existsSync(path.join(dir, "meta", file))).toBe(true);
    return (await readFile(trace, "utf8"))
      .split("\n")
      .map((l) => /(fsync|fdatasync|rename\w*)\(/.exec(l)?.[1])
      .filter((c) => c !== undefined);
  }
  // Node itself syncs nothing. First, the directories made for `meta`: `<dir>` and the one holding it.
  const madeDirs = ["fsync", "fsync"];

  it.skipIf(!hasStrace)(
    "writes the agent's id to a synced temporary file, renamed over the old, then syncs `meta`",
    async () => {
      const replaced = ["fsync", expect.stringMatching(/^rename/), "fsync"];
      expect(await traced("checkpoint", "agent.json")).toEqual([...madeDirs, ...replaced, ...replaced]);
    },
  );

  it.skipIf(!hasStrace)(
    "records a task with one fdatasync of the task log, and syncs `meta` only when the log is created",
    async () => {
      expect(await traced("task", TASK_LOG)).toEqual([...madeDirs, "fsync", "fdatasync", "fdatasync"]);
    },
  );
});

describe("unacknowledged", () => {
  it("takes an acknowledgement as settling every earlier update of its task (only the oldest is ever in flight)", () => {
    const running = update("t1", "a");
    const finished = update("t1", "b", "TASK_FINISHED");
    const other = update("t2", "c");
    // RUNNING's own acknowledgement was lost in a crash, FINISHED's was not.
    expect(
      uuids(
        unacknowledged([{ update: running }, { update: other }, { update: finished }, { ack: uuidOf("b") }]),
      ),
    ).toEqual([uuidOf("c")]);
    expect(uuids(unacknowledged([{ update: running }, { update: finished }, { ack: uuidOf("a") }]))).toEqual([
      uuidOf("b"),
    ]);
  });
});
