import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { AgentId, FrameworkId, TaskId, TaskInfo } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { TaskExit } from "../executor.js";
import { ShellExecutor } from "./shell-executor.js";
import { EXIT_STATUS_FILE, recordedExit } from "./shell-recovery.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function task(command: string): TaskInfo {
  return {
    taskId: "t1" as TaskId,
    name: "t1",
    agentId: "agent-1" as AgentId,
    resources: [{ name: "cpus", scalar: 0.1 }],
    command: { value: command, shell: true },
  };
}

/** Launches `command` with the exit status wrapper and resolves its exit and its sandbox. */
async function run(command: string) {
  const sandbox = await mkdtemp(path.join(os.tmpdir(), "agora-shell-recovery-"));
  dirs.push(sandbox);
  const executor = new ShellExecutor({ recordExitStatus: true });
  let onExit!: (exit: TaskExit) => void;
  const exited = new Promise<TaskExit>((resolve) => {
    onExit = resolve;
  });
  const handle = await executor.launch(task(command), {
    frameworkId: "fw-1" as FrameworkId,
    agentId: "agent-1" as AgentId,
    sandbox,
    env: {},
    onExit,
  });
  expect(handle.pid).toBeGreaterThan(0);
  return { exit: await exited, sandbox };
}

describe("shell tasks' exit status record", () => {
  it("records the command's exit code and reports it unchanged", async () => {
    const { exit, sandbox } = await run("exit 3");
    expect(exit).toEqual({ kind: "exited", exitCode: 3 });
    expect((await readFile(path.join(sandbox, EXIT_STATUS_FILE), "utf8")).trim()).toBe("3");
    expect(await recordedExit(sandbox)).toEqual({ kind: "exited", exitCode: 3 });
  });

  it("reports a command killed by a signal as signaled, live and from the record", async () => {
    // The command (not the wrapper) dies of SIGTERM.
    const { exit, sandbox } = await run("kill -TERM $$");
    expect(exit).toEqual({ kind: "signaled", signal: "SIGTERM" });
    expect(await recordedExit(sandbox)).toEqual({ kind: "signaled", signal: "SIGTERM" });
  });

  it("knows nothing of an exit that left no record", async () => {
    const sandbox = await mkdtemp(path.join(os.tmpdir(), "agora-shell-recovery-"));
    dirs.push(sandbox);
    expect(await recordedExit(sandbox)).toEqual({ kind: "unknown" });
  });
});
