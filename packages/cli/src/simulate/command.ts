import path from "node:path";
import { CliError } from "../errors.js";
import { type FlagValues, parseOptions } from "../options.js";
import { simulateFlags } from "./flags.js";
import { SimulateOptions } from "./options.js";
import { Progress } from "./progress.js";
import { simulate } from "./run.js";

/** `agora simulate [flags]`: runs the simulation and prints where its report is. */
export async function runSimulate(values: FlagValues): Promise<void> {
  const options = parseOptions("simulate", values, process.env, simulateFlags, SimulateOptions);
  // The first Ctrl-C (or SIGTERM) ends the run early: report written, everything started stopped.
  // A second one exits at once (the exit still SIGKILLs what the simulator started).
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const report = await simulate(
    options,
    ["agora", ...process.argv.slice(2)].join(" "),
    new Progress(process.stderr),
    abort.signal,
  );
  const dir = path.resolve(options.report);
  process.stdout.write(
    `${report.completed ? "completed" : `NOT COMPLETED (${report.endReason})`}: ${report.tasksLaunched} tasks on ${report.agents} agents, ` +
      `${report.launchThroughputPerSec.toFixed(0)} tasks/s, accept→RUNNING p50 ${report.launchLatencyMs.p50} ms, ` +
      `lost ${report.tasksLost} tasks / ${report.updatesLost} updates\n${dir}/report.json\n${dir}/report.html\n`,
  );
  if (abort.signal.aborted) process.exit(130);
  if (!report.completed)
    throw new CliError("TIMEOUT", `agora simulate: the workload did not settle: ${report.endReason}`);
}
