export { Agent, type AgentCounters, type AgentOptions } from "./agent.js";
export type { AgentView, FrameworkView, TaskView } from "./agent-view.js";
export {
  type CgroupLimits,
  type CgroupMode,
  type Cgroups,
  type CgroupUsage,
  detectCgroups,
  type TaskCgroup,
} from "./cgroups/cgroups.js";
export {
  AgentCheckpoint,
  processStartTime,
  RunCheckpoint,
  TaskCheckpoint,
} from "./checkpoint.js";
export { AgentError, type AgentErrorCode, agentErrorCodes, isAgentError } from "./errors.js";
export type {
  Executor,
  ExecutorHandle,
  LaunchContext,
  RecoverContext,
  TaskExit,
  TaskUsage,
} from "./executor.js";
export { DockerExecutor, type DockerExecutorOptions } from "./executors/docker-executor.js";
export { type DockerProbeOptions, probeDockerExecutor } from "./executors/docker-probe.js";
export { dockerCreateOptions, LABELS, SANDBOX_MOUNT } from "./executors/docker-spec.js";
export { NoopExecutor, type NoopExecutorOptions } from "./executors/noop-executor.js";
export { ShellExecutor, type ShellExecutorOptions } from "./executors/shell-executor.js";
export {
  archiveKindOf,
  type CommandUri,
  DEFAULT_FETCH_MAX_BYTES,
  DEFAULT_FETCH_STALL_TIMEOUT_MS,
  DEFAULT_FETCH_TIMEOUT_MS,
  Fetcher,
  type FetcherOptions,
  type FetchSource,
  type FetchStep,
  planFetch,
} from "./fetcher.js";
export { FileUpdateJournal } from "./file-update-journal.js";
export { HealthMonitor, type HealthMonitorOptions } from "./health/health-monitor.js";
export { HealthPolicy, type HealthVerdict } from "./health/health-policy.js";
export { type CommandRunner, type HealthProbe, hostCommandRunner, probeFor } from "./health/probes.js";
export { buildAgentHttp, type ErrorBody } from "./http/app.js";
export { type TaskStatistics, taskStatistics } from "./http/monitor-routes.js";
export { MISSED_PINGS_BEFORE_REREGISTER, REGISTRATION_BACKOFF } from "./master-link.js";
export {
  DEFAULT_PORTS,
  type DetectResourcesOptions,
  defaultDiskMb,
  defaultMemMb,
  detectResources,
  type HostFacts,
} from "./resources.js";
export { Sandboxes } from "./sandbox.js";
export {
  DEFAULT_STATUS_UPDATE_RETRY,
  type RetryPolicy,
  StatusUpdateManager,
  type StatusUpdateManagerOptions,
} from "./status-update-manager.js";
export { taskEnvironment, taskPorts } from "./task-env.js";
export { terminalOutcome } from "./task-exit.js";
export { DEFAULT_KILL_GRACE_MS } from "./task-supervisor.js";
export { InMemoryUpdateJournal, type UpdateJournal } from "./update-journal.js";
