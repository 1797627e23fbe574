import type { FlagSpec } from "../options.js";

/**
 * `agora simulate`'s flags (values validated by `SimulateOptions`), with their help lines. Apart from
 * the command, so `agora --help` and completion do not load the simulator.
 */
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
  "load-nice": {
    type: "string",
    description:
      "niceness of the simulated agents and frameworks, so the master and nats-server on the same machine go first (default 10)",
  },
  "accept-window": {
    type: "string",
    description:
      "most accepts a simulated framework has unanswered, the SDK's maxAcceptsInFlight; offers wait meanwhile (default 1000; 0: no bound)",
  },
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
  "chronos-jobs": {
    type: "string",
    description: "Chronos jobs posted to an agora chronos process, ISO 8601 schedules (default 0)",
  },
  "chronos-repeats": { type: "string", description: "runs of each Chronos job (default 3)" },
  "chronos-interval": {
    type: "string",
    description: "period of the Chronos jobs; the first slot is one period away (default 10secs)",
  },
  "chronos-dependents": {
    type: "string",
    description: "share of the Chronos jobs that depend on a scheduled one instead (default 0)",
  },
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
  "cpu-prof": {
    type: "boolean",
    description:
      "write V8 CPU profiles of the master, each worker, Chronos and the simulator into the report directory",
  },
};
