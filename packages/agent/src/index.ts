/**
 * @agora/agent — runs the tasks the master sends it, in per-task sandboxes, through its executors,
 * and reports their status updates until acknowledged; serves the agent's HTTP API. Its API, by
 * name (pinned by test/repo/public-surfaces.test.ts): what embedding an agent takes (the agent, its
 * HTTP API, resource and cgroup detection, the executors and the `Executor` seam to write one).
 */
export { Agent, type AgentCounters, type AgentOptions } from "./agent.js";
export type { AgentView, FrameworkView, TaskView } from "./agent-view.js";
export { type CgroupMode, type Cgroups, detectCgroups } from "./cgroups/cgroups.js";
export { AgentError, type AgentErrorCode, agentErrorCodes, isAgentError } from "./errors.js";
export type {
  Executor,
  ExecutorHandle,
  ExecutorReportedStatus,
  LaunchContext,
  RecoverContext,
  TaskExit,
  TaskUsage,
} from "./executor.js";
export { DockerExecutor, type DockerExecutorOptions } from "./executors/docker-executor.js";
export { type DockerProbeOptions, probeDockerExecutor } from "./executors/docker-probe.js";
export { ShellExecutor, type ShellExecutorOptions } from "./executors/shell-executor.js";
export { Fetcher, type FetcherOptions } from "./fetcher.js";
export { buildAgentHttp } from "./http/app.js";
export { type DetectResourcesOptions, detectResources } from "./resources.js";
export type { RetryPolicy, UnacknowledgedUpdate } from "./status-update-manager.js";
