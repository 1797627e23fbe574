import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AgentId, FrameworkId, TaskId } from "@agora/protocol";
import { waitFor } from "@agora/transport/testing";
import { afterEach, describe, expect, it } from "vitest";
import { childrenOf, running } from "../../../../test/harness/processes.js";
import type { TaskExit } from "../executor.js";
import { startAgent } from "../test-support/agent-fixture.js";
import { READY_SHELL_PROGRAM, ReadyShells, readyShellLine } from "./ready-shells.js";
import { ShellExecutor } from "./shell-executor.js";
import { EXIT_STATUS_FILE } from "./shell-recovery.js";

const dirs: string[] = [];
const pools: ReadyShells[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sandbox(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-ready-shells-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "stdout"), "");
  writeFileSync(path.join(dir, "stderr"), "");
  return dir;
}

function pool(size: number): ReadyShells {
  const p = new ReadyShells(size);
  pools.push(p);
  return p;
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

/** Prints its arguments one per line, its environment sorted on one line, its directory and its pid. */
const REPORT =
  'for a in "$0" "$@"; do printf "[%s]\\n" "$a"; done; env -0 | sort -z | tr "\\0" "|"; pwd; echo "pid $$"; echo oops >&2';
const ARGS = ["zero", `it's "quoted", $HOME \`id\` \\ *`, "two\nlines", ""];
const ENV = { PATH: "/usr/bin:/bin", FOO: "a'b", MULTI: "x\ny\n", EMPTY: "", IFS: "x" };

describe("ReadyShells", () => {
  it("runs a task as a spawn with the same argv, environment and directory would, in the task's pid", async () => {
    const shells = pool(1);
    shells.refill();
    const viaShell = sandbox();
    const line = readyShellLine({
      sandbox: viaShell,
      env: ENV,
      args: ["/bin/sh", "-c", REPORT, ...ARGS],
      wrapper: 'exec "$@"',
    });
    const child = shells.run(line!)!;
    expect(await exitCode(child)).toBe(0);

    const viaSpawn = sandbox();
    const output = ["stdout", "stderr"].map((f) => openSync(path.join(viaSpawn, f), "a"));
    const spawned = spawn("/bin/sh", ["-c", REPORT, ...ARGS], {
      cwd: viaSpawn,
      env: ENV,
      detached: true,
      stdio: ["ignore", ...output],
    });
    for (const fd of output) closeSync(fd);
    expect(await exitCode(spawned)).toBe(0);

    const read = (dir: string, file: string, pid: number | undefined) =>
      readFileSync(path.join(dir, file), "utf8").replaceAll(dir, "SANDBOX").replace(`pid ${pid}`, "pid TASK");
    const expected = read(viaSpawn, "stdout", spawned.pid);
    expect(expected).toContain("[two\nlines]");
    expect(expected).toContain("|MULTI=x\ny\n|");
    expect(expected).toContain("pid TASK");
    expect(read(viaShell, "stdout", child.pid)).toBe(expected);
    expect(read(viaShell, "stderr", child.pid)).toBe(read(viaSpawn, "stderr", spawned.pid));
  });

  it("cannot build a line for an environment variable no shell exports, nor for a wrapper of several lines", () => {
    const launch = { sandbox: "/tmp", env: { PATH: "/bin" }, args: ["true"], wrapper: 'exec "$@"' };
    expect(readyShellLine(launch)).toContain("cd '/tmp'");
    expect(readyShellLine({ ...launch, env: { "NOT-A-NAME": "x" } })).toBeUndefined();
    expect(readyShellLine({ ...launch, wrapper: 'true\nexec "$@"' })).toBeUndefined();
  });

  it("keeps `size` shells waiting, skips one that died, and ends them on stop", async () => {
    const waiting = () => childrenOf(process.pid, READY_SHELL_PROGRAM);
    const shells = pool(2);
    expect(shells.run("exit 0")).toBeUndefined();
    shells.refill();
    expect(waiting()).toHaveLength(2);
    const [dead, alive] = waiting();
    process.kill(dead!, "SIGKILL");
    // Node reaps it and emits its exit in one turn: once it has left /proc, the pool knows.
    await waitFor(() => !existsSync(`/proc/${dead}`), "the killed shell to be reaped");
    expect(waiting()).toEqual([alive]);
    const child = shells.run("exit 7")!;
    expect(child.pid).toBe(alive);
    expect(await exitCode(child)).toBe(7);

    shells.refill();
    const refilled = waiting();
    expect(refilled).toHaveLength(2);
    await shells.stop();
    expect(refilled.filter(running)).toEqual([]);
    shells.refill();
    expect(waiting()).toEqual([]);
  });

  it("leaves no shell behind when its agent's process dies: each reads end-of-file and exits", async () => {
    // The agent's end of each shell's stdin closes with the agent: here, a process that starts
    // shells in detached groups of their own (as the agent does), prints their pids and is killed.
    const agent = spawn(
      process.execPath,
      [
        "-e",
        `const { spawn } = require("node:child_process");
         const pids = [1, 2].map(() => spawn("/bin/sh", ["-c", ${JSON.stringify(READY_SHELL_PROGRAM)}], { detached: true, env: {}, stdio: ["pipe", "ignore", "ignore"] }).pid);
         console.log(pids.join(" "));
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const [printed] = (await once(agent.stdout!, "data")) as [Buffer];
    const shells = printed.toString().trim().split(" ").map(Number);
    expect(shells.filter(running)).toHaveLength(2);
    agent.kill("SIGKILL");
    await waitFor(() => shells.filter(running).length === 0, "the orphaned shells to exit");
  });
});

describe("the shell executor's ready shells", () => {
  it("launch a wrapped task in a shell started ahead once prepared, and spawn one when none waits", async () => {
    const executor = new ShellExecutor({ recordExitStatus: true, readyShells: 1 });
    try {
      executor.prepare();
      const [waiting] = childrenOf(process.pid, READY_SHELL_PROGRAM);
      expect(waiting).toBeGreaterThan(0);
      const launch = async (taskId: string) => {
        const dir = sandbox();
        let onExit!: (exit: TaskExit) => void;
        const exited = new Promise<TaskExit>((resolve) => {
          onExit = resolve;
        });
        const handle = await executor.launch(
          {
            taskId: taskId as TaskId,
            name: taskId,
            agentId: "agent-1" as AgentId,
            resources: [],
            command: { value: 'echo "$AGORA_TASK_ID in $(pwd)"; exit 3', shell: true },
          },
          {
            frameworkId: "fw-1" as FrameworkId,
            agentId: "agent-1" as AgentId,
            sandbox: dir,
            env: { AGORA_TASK_ID: taskId },
            onExit,
          },
        );
        expect(await exited).toEqual({ kind: "exited", exitCode: 3 });
        expect(readFileSync(path.join(dir, "stdout"), "utf8")).toBe(`${taskId} in ${dir}\n`);
        expect(readFileSync(path.join(dir, EXIT_STATUS_FILE), "utf8").trim()).toBe("3");
        return handle.pid;
      };
      expect(await launch("t1")).toBe(waiting);
      const spawned = await launch("t2");
      expect(spawned).not.toBe(waiting);
      expect(childrenOf(process.pid, READY_SHELL_PROGRAM)).toEqual([]);
    } finally {
      await executor.stop();
    }
  });

  it("are started by an agent once it registered, and ended by its stop", async () => {
    const fx = await startAgent({ executors: { shell: new ShellExecutor({ recordExitStatus: true }) } });
    try {
      const waiting = () => childrenOf(process.pid, READY_SHELL_PROGRAM);
      await waitFor(() => waiting().length === 2, "the agent's two ready shells");
      const shells = waiting();
      await fx.agent.stop({ killTasks: false });
      expect(shells.filter(running)).toEqual([]);
    } finally {
      await fx.close();
    }
  });

  it("are not started by an executor that wraps no task (no cgroups, no exit status to record)", async () => {
    const executor = new ShellExecutor({ recordExitStatus: false });
    try {
      executor.prepare();
      expect(childrenOf(process.pid, READY_SHELL_PROGRAM)).toEqual([]);
    } finally {
      await executor.stop();
    }
  });
});
