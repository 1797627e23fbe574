import { firstIssue } from "@agora/protocol";
import { timeState } from "./probes.js";
import { StateProbeCommand, StateProbeConfig, type StateProbeReport } from "./state-probe-ipc.js";

/**
 * The simulator's `/master/state` probe in a process of its own. In the simulator's process its
 * timings were that process's too: a response waited for a loop busy with the frameworks' 100,000
 * updates before its headers or bytes were seen. Here the loop has nothing else to do.
 */
const now = () => performance.now();

function send(report: StateProbeReport): void {
  process.send?.(report);
}

async function main(): Promise<void> {
  const config = StateProbeConfig.parse(JSON.parse(process.argv[2] ?? "null"));
  let stopping = false;
  let wake = () => {};
  process.on("message", (raw) => {
    const parsed = StateProbeCommand.safeParse(raw);
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      process.stderr.write(`state probe: invalid command: ${field || "message"}: ${message}\n`);
      return;
    }
    stopping = true;
    wake();
  });
  // The simulator died without saying stop: the probe must not outlive it.
  process.on("disconnect", () => process.exit(0));
  while (!stopping) {
    const sentAt = performance.timeOrigin + now();
    const r = await timeState(config.masterUrl, now);
    send(r === undefined ? { type: "failed" } : { type: "state", sentAt, ...r });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.intervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  process.disconnect?.();
}

main().catch((err: unknown) => {
  process.stderr.write(`state probe failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
