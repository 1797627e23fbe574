import {
  type AgentId,
  contains,
  formatResources,
  type Resource,
  type TaskId,
  type TaskInfo,
} from "@agora/protocol";

/**
 * Why a task of a launch cannot run, or undefined when it can. `remaining` is what is left of the
 * accepted offers after the earlier valid tasks of the same accept; `seen` holds the task ids
 * already met in this accept; `active` tells whether the framework has an active task of that id.
 */
export function launchProblem(
  task: TaskInfo,
  offersAgent: AgentId,
  remaining: readonly Resource[],
  seen: ReadonlySet<TaskId>,
  active: (id: TaskId) => boolean,
): string | undefined {
  if (seen.has(task.taskId)) return `Task id '${task.taskId}' appears more than once in this accept`;
  if (active(task.taskId))
    return `Task id '${task.taskId}' is already used by an active task of this framework`;
  if (task.agentId !== offersAgent) {
    return `Task's agentId '${task.agentId}' does not match the offers' agent '${offersAgent}'`;
  }
  if (!contains(remaining, task.resources)) {
    return `Task uses more resources (${formatResources(task.resources)}) than available in the offers (${formatResources(remaining)})`;
  }
  return undefined;
}
