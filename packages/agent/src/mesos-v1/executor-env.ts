import type { AgentId, ExecutorInfo, FrameworkId } from "@agora/protocol";

export interface ExecutorEnvironmentInput {
  readonly executor: ExecutorInfo;
  readonly frameworkId: FrameworkId;
  readonly agentId: AgentId;
  /** `ip:port` of the agent's HTTP API, where the executor finds `/api/v1/executor`. */
  readonly agentEndpoint: string;
  readonly sandbox: string;
  /** The framework asked for checkpointing (Mesos then tells the executor to ride out agent restarts). */
  readonly checkpoint: boolean;
  readonly shutdownGracePeriodSeconds: number;
  /** Mesos' `recovery_timeout` (15 min): how long a checkpointing executor waits for its agent. */
  readonly recoveryTimeoutSeconds?: number;
  /** Mesos' `executor_reregistration_timeout` (2 s): a checkpointing executor's longest backoff. */
  readonly subscriptionBackoffMaxSeconds?: number;
}

/** A duration the way Mesos' `stringify(Duration)` writes it: `5secs`, `15mins`, `500ms`. */
export function mesosDuration(seconds: number): string {
  if (seconds === 0) return "0ns";
  const units: [number, string][] = [
    [604800, "weeks"],
    [86400, "days"],
    [3600, "hrs"],
    [60, "mins"],
    [1, "secs"],
    [1e-3, "ms"],
    [1e-6, "us"],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size) return `${Number((seconds / size).toFixed(6))}${unit}`;
  }
  return `${Math.round(seconds * 1e9)}ns`;
}

/**
 * A custom executor's environment, as Mesos' agent builds it (src/slave/slave.cpp,
 * `executorEnvironment`, and the containerizer's MESOS_SANDBOX): the variables executor libraries
 * read to find their agent and themselves, then the executor command's own variables, which win.
 */
export function executorEnvironment(input: ExecutorEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {
    LIBPROCESS_PORT: "0",
    MESOS_FRAMEWORK_ID: input.frameworkId,
    MESOS_EXECUTOR_ID: input.executor.executorId,
    MESOS_DIRECTORY: input.sandbox,
    MESOS_SANDBOX: input.sandbox,
    MESOS_SLAVE_ID: input.agentId,
    MESOS_SLAVE_PID: `slave(1)@${input.agentEndpoint}`,
    MESOS_AGENT_ENDPOINT: input.agentEndpoint,
    MESOS_CHECKPOINT: input.checkpoint ? "1" : "0",
    MESOS_HTTP_COMMAND_EXECUTOR: "0",
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: mesosDuration(input.shutdownGracePeriodSeconds),
  };
  if (input.checkpoint) {
    env.MESOS_RECOVERY_TIMEOUT = mesosDuration(input.recoveryTimeoutSeconds ?? 900);
    env.MESOS_SUBSCRIPTION_BACKOFF_MAX = mesosDuration(input.subscriptionBackoffMaxSeconds ?? 2);
  }
  return { ...env, ...input.executor.command.environment };
}
