import { type AgentId, type FrameworkId, rangeValues, type TaskInfo } from "@agora/protocol";

export interface TaskEnvironmentInput {
  readonly task: TaskInfo;
  readonly frameworkId: FrameworkId;
  readonly agentId: AgentId;
  readonly hostname: string;
  readonly sandbox: string;
}

/**
 * The ports a task was given, in the order its `ports` resources list them (PORT0 is the first
 * port of the first range, as Marathon users expect).
 */
export function taskPorts(task: TaskInfo): number[] {
  const ports: number[] = [];
  for (const r of task.resources) {
    if (r.name !== "ports" || !("ranges" in r)) continue;
    for (const range of r.ranges) ports.push(...rangeValues([range]));
  }
  return ports;
}

/**
 * A task's environment, the same for every executor: PORT0…PORTn, PORT (= PORT0), PORTS (comma
 * list), HOST, AGORA_TASK_ID and Mesos' MESOS_TASK_ID, MESOS_SANDBOX, MESOS_AGENT_ID,
 * MESOS_FRAMEWORK_ID. The task's own `command.environment` is applied last and wins, as in Mesos.
 */
export function taskEnvironment(input: TaskEnvironmentInput): Record<string, string> {
  const { task } = input;
  const env: Record<string, string> = {};
  const ports = taskPorts(task);
  ports.forEach((port, i) => {
    env[`PORT${i}`] = String(port);
  });
  if (ports.length > 0) {
    env.PORT = String(ports[0]);
    env.PORTS = ports.join(",");
  }
  env.HOST = input.hostname;
  env.AGORA_TASK_ID = task.taskId;
  env.MESOS_TASK_ID = task.taskId;
  env.MESOS_SANDBOX = input.sandbox;
  env.MESOS_AGENT_ID = input.agentId;
  env.MESOS_FRAMEWORK_ID = input.frameworkId;
  return { ...env, ...task.command?.environment };
}
