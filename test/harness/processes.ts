import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { waitFor } from "./wait.js";

const root = path.resolve(import.meta.dirname, "../..");
export const agoraBin = path.join(root, "packages/cli/bin/agora.js");

/** A process the test started, in its own process group, with its output kept for assertions. */
export interface Spawned {
  readonly pid: number;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal number) once the process has exited. */
  exited(): Promise<number>;
  /** Signals the process group, then SIGKILLs it after `graceMs` if still alive; waits for exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
  signal(signal: NodeJS.Signals): void;
}

const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Every process this test file started, named, for `failure-output.ts` to show when a test fails. */
export const startedProcesses: Array<{ readonly name: string; readonly spawned: Spawned }> = [];

export function spawnProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  defaultStopSignal: NodeJS.Signals = "SIGTERM",
): Spawned {
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AGORA_LOG_LEVEL: process.env.AGORA_LOG_LEVEL ?? "info", ...env },
  });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exit = new Promise<number>((resolve) => {
    child.once("exit", (code, sig) => resolve(code ?? 128 + (signals[sig ?? ""] ?? 0)));
  });
  const pid = child.pid!;
  const group = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  const spawned: Spawned = {
    pid,
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    signal: group,
    async stop(sig = defaultStopSignal, graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exit;
      group(sig);
      const timer = setTimeout(() => group("SIGKILL"), graceMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
  const name = command === process.execPath ? `agora ${args[1] ?? ""}` : path.basename(command);
  startedProcesses.push({ name, spawned });
  return spawned;
}

/**
 * Awaits `ready` (what a setup hook waits for after starting `spawned`) and fails at once if the
 * process exits first, or when `ready` fails, with the end of what the process wrote: a failed
 * `beforeAll` shows no process output otherwise (failure-output.ts reports failed tests only), and
 * a process that died at startup (a port taken meanwhile) was waited for until the hook timed out.
 */
export async function readyOrDied<T>(spawned: Spawned, ready: Promise<T>): Promise<T> {
  const died = spawned
    .exited()
    .then((code) => Promise.reject(new Error(`exited ${code} before it was ready`)));
  died.catch(() => undefined);
  try {
    return await Promise.race([ready, died]);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- its stderr:\n${spawned.stderr().slice(-4000)}`, {
      cause: err,
    });
  }
}

/**
 * Runs the built `agora` CLI. An agent is stopped with SIGUSR1, which ends its tasks too: on SIGTERM
 * a checkpointing agent leaves them running for its next incarnation, as Mesos agents do.
 */
export function spawnAgora(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  return spawnProcess(
    process.execPath,
    [agoraBin, ...args],
    env,
    args[0] === "agent" ? "SIGUSR1" : "SIGTERM",
  );
}

/** Runs `agora …` to completion and returns its exit code and output. */
export async function runAgora(args: string[], env: NodeJS.ProcessEnv = {}) {
  const p = spawnAgora(args, env);
  const code = await p.exited();
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/**
 * Pids of live processes whose working directory lies under `dir`. Tasks run in their sandboxes,
 * so after a test this finds any task process that outlived its agent.
 */
export function processesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

/** The running children of `parentPid` whose command line (NUL-separated argv) contains `text`. */
export function childrenOf(parentPid: number, text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/status`, "utf8").includes(`\nPPid:\t${parentPid}\n`) &&
          readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Alive and not a zombie (one whose parent died stays until init reaps it). */
export function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Fails when any process still runs under `dir`, after giving stragglers a moment to exit. */
export async function expectNoOrphans(dir: string): Promise<void> {
  await waitFor(`no processes left under ${dir}`, () => processesUnder(dir).length === 0, {
    timeoutMs: 10_000,
  }).catch(() => {
    throw new Error(`orphaned processes under ${dir}: ${processesUnder(dir).join(", ")}`);
  });
}

export async function httpJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
