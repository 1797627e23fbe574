import { type ChildProcess, spawn } from "node:child_process";
import type { Socket } from "node:net";
import { OUTPUT_FILES } from "../sandbox.js";

/**
 * What a ready shell runs: it waits for one line on stdin, the launch of a task, and evaluates it.
 * `AGORA_NL` holds a newline for `quote` (the line cannot carry one); a shell whose agent went away
 * reads end-of-file and exits.
 */
export const READY_SHELL_PROGRAM = "AGORA_NL='\n'; IFS= read -r line || exit 0; eval \"$line\"";

/** A name `export` takes; any other environment variable needs a spawn. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How a ready shell becomes a task: the same argv, environment and wrapper a spawn would be given. */
export interface ReadyLaunch {
  /** The sandbox: the working directory, with the task's `stdout` and `stderr` files. */
  readonly sandbox: string;
  /** The task's whole environment (the ready shell's own is empty). */
  readonly env: Readonly<Record<string, string>>;
  /** The wrapper's positional parameters (`$1`…), as `/bin/sh -c wrapper sh …args` would get them. */
  readonly args: readonly string[];
  /** Shell code run with those parameters: it ends in the task's `exec` (or waits for it). */
  readonly wrapper: string;
}

/**
 * The line a ready shell evaluates to become `launch`, or undefined when the launch needs a spawn (an
 * environment variable no shell can export). The shell goes to the sandbox, points its output at
 * the sandbox's files, takes the arguments, then the environment (every word is expanded before any
 * assignment, so no variable of the task changes how the line reads), and runs the wrapper.
 */
export function readyShellLine(launch: ReadyLaunch): string | undefined {
  const names = Object.keys(launch.env);
  if (!names.every((name) => SHELL_NAME.test(name))) return undefined;
  if (launch.wrapper.includes("\n")) return undefined;
  const exports = names.map((name) => `${name}=${quote(launch.env[name]!)}`).join(" ");
  return [
    `cd ${quote(launch.sandbox)} || exit 127`,
    // A spawned task gets neither (dash exports both once it has changed directory).
    "unset OLDPWD PWD",
    `exec >>${OUTPUT_FILES[0]} 2>>${OUTPUT_FILES[1]} </dev/null || exit 127`,
    `set -- ${launch.args.map(quote).join(" ")}`,
    ...(exports ? [`export ${exports}`] : []),
    launch.wrapper,
  ].join("; ");
}

/** `value` as one shell word on one line: single-quoted, its newlines spelled `$AGORA_NL`. */
function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`).replaceAll("\n", `'"$AGORA_NL"'`)}'`;
}

/**
 * `/bin/sh` processes started ahead of their tasks, each detached into its own process group and
 * waiting for its launch line (`readyShellLine`): a launch that takes one costs a write to a pipe
 * instead of a fork and an exec of the agent's process, which block its event loop for 1–2 ms on this
 * hardware and were the largest part of a launch's latency (BENCHMARKS.md, issue 14). The process
 * is the task's: its pid, process group and exit are the task's, as a spawn's would be.
 */
export class ReadyShells {
  private readonly ready: ChildProcess[] = [];
  private stopped = false;

  /** `size`: how many wait at most. */
  constructor(private readonly size: number) {}

  /**
   * Hands `line` (a `readyShellLine`) to a ready shell still alive and returns it, now the task's
   * process; undefined when none is ready.
   */
  run(line: string): ChildProcess | undefined {
    for (let shell = this.ready.shift(); shell; shell = this.ready.shift()) {
      if (
        shell.pid !== undefined &&
        shell.exitCode === null &&
        shell.signalCode === null &&
        shell.stdin?.writable
      ) {
        // A task's process keeps its agent's alive until released, as a spawned one does.
        shell.ref();
        shell.stdin.end(`${line}\n`);
        return shell;
      }
    }
    return undefined;
  }

  /**
   * Starts shells until `size` wait. Each start is a fork and an exec that block the event loop: call
   * it once the launches under way have sent what they had to (their RUNNING updates).
   */
  refill(): void {
    while (!this.stopped && this.ready.length < this.size) {
      const shell = spawn("/bin/sh", ["-c", READY_SHELL_PROGRAM], {
        cwd: "/",
        env: {},
        detached: true,
        stdio: ["pipe", "ignore", "ignore"],
      });
      // Its task's exit reports a write that failed; a shell that cannot start is never taken.
      shell.stdin!.on("error", () => undefined);
      shell.once("error", () => this.forget(shell));
      shell.once("exit", () => this.forget(shell));
      // Waiting shells keep no process alive: an agent that goes away leaves them end-of-file.
      shell.unref();
      (shell.stdin as Socket).unref();
      this.ready.push(shell);
    }
  }

  /** Ends the waiting shells and starts no more. */
  async stop(): Promise<void> {
    this.stopped = true;
    const waiting = this.ready.splice(0);
    await Promise.all(
      waiting.map(async (shell) => {
        if (shell.exitCode !== null || shell.signalCode !== null) return;
        const exited = new Promise((resolve) => shell.once("exit", resolve));
        shell.ref();
        shell.stdin?.destroy();
        shell.kill("SIGKILL");
        await exited;
      }),
    );
  }

  private forget(shell: ChildProcess): void {
    const at = this.ready.indexOf(shell);
    if (at >= 0) this.ready.splice(at, 1);
  }
}
