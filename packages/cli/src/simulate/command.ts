import path from "node:path";
import { CliError } from "../errors.js";
import { type FlagSpec, type FlagValues, parseOptions } from "../options.js";
import { SimulateOptions } from "./options.js";
import { Progress } from "./progress.js";
import { simulate } from "./run.js";

/** `agora simulate`'s flags (values validated by `SimulateOptions`), with their help lines. */
export const simulateFlags: FlagSpec = {
  agents: { type: "string", description: "simulated agents (default 500)" },
  tasks: { type: "string", description: "tasks the SDK frameworks launch in all (default 5000)" },
  nats: {
    type: "string",
    description: "an existing cluster's NATS URL; without it a nats-server and a master are started",
  },
  master: {
    type: "string",
    description: "with --nats: the master's HTTP API (default http://127.0.0.1:5050)",
  },
  report: {
    type: "string",
    description: "directory for report.json and report.html (default simulate-report)",
  },
  "agents-per-worker": {
    type: "string",
    description: "agents per worker process, one NATS connection each (default 5000)",
  },
  "agent-resources": {
    type: "string",
    description: "each agent's resources (default cpus:8;mem:16384;disk:100000;ports:[31000-32000])",
  },
  frameworks: {
    type: "string",
    description: "name:role:weight:share,… (default sim-web:web:2:1,sim-batch:batch:1:1)",
  },
  "task-cpus": { type: "string", description: "cpus per task (default 1)" },
  "task-mem": { type: "string", description: "mem per task in MB (default 128)" },
  "task-run-time": {
    type: "string",
    description: "mean synthetic run time, exponential (default 2secs; 0 = at once)",
  },
  "failure-rate": { type: "string", description: "share of tasks that end TASK_FAILED (default 0.01)" },
  churn: {
    type: "string",
    description: "share of agents killed and replaced once a third of the tasks ran (default 0)",
  },
  "marathon-apps": {
    type: "string",
    description: "Marathon apps deployed through an agora marathon process (default 0)",
  },
  "marathon-instances": { type: "string", description: "instances per Marathon app (default 10)" },
  hold: {
    type: "string",
    description: "end this long after every task runs or ended (default 0: once every task ended)",
  },
  timeout: { type: "string", description: "give up after this long (default 10mins)" },
  "sample-interval": { type: "string", description: "how often the master is sampled (default 1secs)" },
  seed: { type: "string", description: "seed of run times, failures and churn (default 1)" },
  "master-cpu-prof": {
    type: "boolean",
    description: "write the started master's V8 CPU profile into the report directory",
  },
};

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
