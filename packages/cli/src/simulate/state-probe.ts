import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { type StateProbeCommand, type StateProbeConfig, StateProbeReport } from "./state-probe-ipc.js";

const HOST = fileURLToPath(new URL("./state-probe-host.js", import.meta.url));
/** A request in flight is given its own timeout (30 s) and a little more to end. */
const STOP_TIMEOUT_MS = 40_000;

/**
 * Times `/master/state` one request after another, `intervalMs` apart, from a forked process, so the
 * figures are the master's and the network's, not the simulator's busy loop's.
 */
export class StateProbe {
  /** Until each whole answer was read, ms. */
  readonly latencies: number[] = [];
  /** When each of those requests was sent, ms since the epoch (`performance.timeOrigin` based). */
  readonly sentAt: number[] = [];
  /** Until each answer's headers came, ms. */
  readonly firstBytes: number[] = [];
  /** The last answer's size. */
  bytes = 0;
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;

  /** The probe's process, for its CPU. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  constructor(config: StateProbeConfig) {
    this.child = fork(HOST, [JSON.stringify(config)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.exited = once(this.child, "exit");
    this.child.on("message", (raw) => {
      const parsed = StateProbeReport.safeParse(raw);
      if (!parsed.success || parsed.data.type !== "state") return;
      this.latencies.push(parsed.data.ms);
      this.sentAt.push(parsed.data.sentAt);
      this.firstBytes.push(parsed.data.firstByteMs);
      this.bytes = parsed.data.bytes;
    });
  }

  /** Lets the request in flight finish, then ends the probe (SIGKILL if it does not end in time). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    if (this.child.connected) this.child.send({ type: "stop" } satisfies StateProbeCommand);
    else this.child.kill("SIGTERM");
    await this.exited;
    clearTimeout(timer);
  }
}
