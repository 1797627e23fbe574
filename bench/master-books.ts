import type { MasterState } from "@agora/master/internal";
import {
  type AgentId,
  type FrameworkId,
  FrameworkInfo,
  type Resource,
  TaskInfo,
  TaskStatus,
} from "@agora/protocol";

/**
 * The master's books as the benchmarks build them at scale: frameworks subscribed and connected,
 * agents registered, and `sleep` tasks booked STAGING then RUNNING (healthy), as a simulated
 * framework's launches leave them.
 */
export function addFramework(state: MasterState, id: string, name: string, role: string) {
  const info = FrameworkInfo.parse({ id, name, roles: [role] });
  return state.addFramework({ ...info, id: id as FrameworkId }, 0, true);
}

export function addAgent(state: MasterState, id: AgentId, hostname: string, resources: Resource[]): void {
  state.addAgent(
    { id, hostname, port: 5051, resources, attributes: [], capabilities: ["shell"], version: "bench" },
    0,
  );
}

export function addRunningTask(
  state: MasterState,
  framework: ReturnType<typeof addFramework>,
  taskId: string,
  agentId: string,
  resources: Resource[],
): void {
  const task = TaskInfo.parse({ taskId, name: taskId, agentId, resources, command: { value: "sleep 3600" } });
  const staging = TaskStatus.parse({ taskId, state: "TASK_STAGING", source: "SOURCE_MASTER", timestamp: 1 });
  state.applyStatus(state.addTask(framework, task, staging), running(taskId, 2));
}

/** A RUNNING status from the agent, stamped `timestamp`. */
export function running(taskId: string, timestamp: number): TaskStatus {
  return TaskStatus.parse({
    taskId,
    state: "TASK_RUNNING",
    source: "SOURCE_AGENT",
    timestamp,
    healthy: true,
  });
}
