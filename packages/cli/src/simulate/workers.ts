import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { SERVER_NODE_FLAGS } from "../node-flags.js";
import {
  type PendingUpdate,
  type WorkerCommand,
  type WorkerConfig,
  type WorkerCounters,
  WorkerReport,
} from "./ipc.js";

const HOST = fileURLToPath(new URL("./agent-host.js", import.meta.url));
const STOP_TIMEOUT_MS = 30_000;

/** One forked agent-host process, seen from the simulator. */
export class Worker {
  /** Agents of this worker registered so far. */
  registered = 0;
  private stopping = false;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, Array<(report: WorkerReport) => void>>();
  private readonly exited: Promise<unknown>;

  constructor(
    readonly config: WorkerConfig,
    /** Writes the worker's V8 CPU profile here, as `name`, when it exits. */
    cpuProf?: { dir: string; name: string },
  ) {
    // Thousands of agents' task books and timers: more heap than Node's default on a small machine.
    // The agents' own flags too, so that a simulated agent allocates and collects as `agora agent` does.
    this.child = fork(HOST, [JSON.stringify(config)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: [
        ...SERVER_NODE_FLAGS,
        "--max-old-space-size=4096",
        ...(cpuProf ? ["--cpu-prof", "--cpu-prof-dir", cpuProf.dir, "--cpu-prof-name", cpuProf.name] : []),
      ],
    });
    this.exited = once(this.child, "exit");
    this.child.on("message", (raw) => {
      const parsed = WorkerReport.safeParse(raw);
      if (!parsed.success) return;
      const report = parsed.data;
      if (report.type === "registered") this.registered = report.count;
      const key = report.type === "done" ? `done:${report.command}` : report.type;
      const list = this.waiting.get(key);
      const first = list?.shift();
      if (list?.length === 0) this.waiting.delete(key);
      first?.(report);
    });
  }

  /** The worker process, for its CPU. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Why the worker process ended, if it did before being stopped. */
  died(): string | undefined {
    if (this.stopping) return undefined;
    const { exitCode, signalCode } = this.child;
    if (exitCode !== null) return `an agent host exited (code ${exitCode})`;
    return signalCode === null ? undefined : `an agent host exited (${signalCode})`;
  }

  /** Resolves once every agent of this worker registered; rejects if the worker dies first. */
  ready(): Promise<void> {
    return this.next("ready").then(() => undefined);
  }

  async kill(agents: number[]): Promise<void> {
    await this.ask({ type: "kill", agents }, "done:kill");
  }

  async restart(agents: number[]): Promise<void> {
    await this.ask({ type: "restart", agents }, "done:restart");
  }

  /** `overdue` counts the updates pending since before `producedBefore` (ms since the epoch). */
  async counters(producedBefore: number): Promise<WorkerCounters> {
    const report = await this.ask({ type: "counters", producedBefore }, "counters");
    return (report as Extract<WorkerReport, { type: "counters" }>).counters;
  }

  /** The live agents' updates unacknowledged since before `producedBefore`, oldest first, at most `limit`. */
  async unacknowledged(producedBefore: number, limit: number): Promise<PendingUpdate[]> {
    const report = await this.ask({ type: "unacknowledged", producedBefore, limit }, "unacknowledged");
    return (report as Extract<WorkerReport, { type: "unacknowledged" }>).updates;
  }

  /** Stops every agent (their tasks killed) and waits for the process to end; SIGKILL after 30 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    if (this.child.connected) this.child.send({ type: "stop" } satisfies WorkerCommand);
    else this.child.kill("SIGTERM");
    await this.exited;
    clearTimeout(timer);
  }

  private ask(command: WorkerCommand, answer: string): Promise<WorkerReport> {
    const reply = this.next(answer);
    this.child.send(command);
    return reply;
  }

  private next(key: string): Promise<WorkerReport> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(key) ?? [];
      list.push(resolve);
      this.waiting.set(key, list);
      this.exited.then(() =>
        reject(new Error(`agent host ${this.config.offset}… exited with code ${this.child.exitCode}`)),
      );
    });
  }
}
