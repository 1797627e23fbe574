import { realpath } from "node:fs/promises";
import path from "node:path";
import type { FrameworkInfo, TaskInfo } from "@agora/protocol";
import type { Authorization, Principal } from "@agora/security";
import type { AgentView, FrameworkView, TaskView } from "../agent-view.js";
import type { CustomExecutorView } from "../executors/custom-executor.js";

/** What the check needs to know of the agent: where sandboxes live and whose tasks they hold. */
export interface SandboxOwners {
  readonly sandboxRoot: string;
  frameworks(): readonly OwnerFramework[];
  completedFrameworks(): readonly OwnerFramework[];
}

interface OwnerFramework {
  readonly info: Pick<FrameworkInfo, "id" | "user">;
  readonly tasks: readonly OwnerTask[];
  readonly completedTasks: readonly OwnerTask[];
}

interface OwnerTask {
  readonly frameworkId: string;
  readonly task: Pick<TaskInfo, "taskId" | "command" | "executor">;
}

/**
 * The agent as `principal` may see it (`view_frameworks` and `view_tasks`, by the framework's user, as
 * on the master; `view_executors`, by the executor's user): frameworks it may not view left out, those
 * whose tasks it may not view shown without them, and executors it may not view left out with their
 * tasks (the agent lists tasks only under their executors, as Mesos' does). The agent itself without
 * ACLs. Everything else reads through to the agent.
 */
export function visibleAgent(
  agent: AgentView,
  authz: Authorization | undefined,
  principal: Principal,
): AgentView {
  if (!authz) return agent;
  const executorShown = (f: FrameworkView) => (t: TaskView) =>
    authz.visible("view_executors", principal, executorUser(t, f));
  const shown = (frameworks: FrameworkView[]): FrameworkView[] =>
    frameworks.flatMap((f) => {
      if (!authz.visible("view_frameworks", principal, f.info.user)) return [];
      if (!authz.visible("view_tasks", principal, f.info.user))
        return [{ ...f, tasks: [], completedTasks: [] }];
      const visible = executorShown(f);
      return [{ ...f, tasks: f.tasks.filter(visible), completedTasks: f.completedTasks.filter(visible) }];
    });
  const view: AgentView = Object.create(agent);
  return Object.assign(view, {
    frameworks: () => shown(agent.frameworks()),
    completedFrameworks: () => shown(agent.completedFrameworks()),
  });
}

/** Which containers a principal may see, and their usage: a task's (its own) and a custom executor's. */
export interface ContainerViewer {
  task(task: TaskView): boolean;
  executor(executor: Pick<CustomExecutorView, "frameworkId" | "info">): boolean;
}

/**
 * What `principal` may see of containers (`view_containers`, by the executor's user, as Mesos' agent
 * filters `/monitor/statistics` and GET_CONTAINERS). Everything without ACLs.
 */
export function containerViewer(
  agent: AgentView,
  authz: Authorization | undefined,
  principal: Principal,
): ContainerViewer {
  if (!authz) return { task: () => true, executor: () => true };
  const frameworks = new Map(agent.frameworks().map((f) => [f.info.id, f]));
  const visible = (user: string | undefined) => authz.visible("view_containers", principal, user);
  return {
    task: (task) => {
      const framework = frameworks.get(task.frameworkId);
      return visible(framework ? executorUser(task, framework) : task.task.command?.user);
    },
    executor: (e) => visible(e.info.command.user || frameworks.get(e.frameworkId)?.info.user),
  };
}

/**
 * Mesos' object of `view_executors`: the executor's command user, else its framework's. A task under
 * the agent's own executor has that executor's user, which Mesos' agent takes from the task's command.
 */
export function executorUser(task: TaskView, framework: FrameworkView): string | undefined {
  return task.task.executor?.command.user || task.task.command?.user || framework.info.user;
}

/**
 * Throws FORBIDDEN unless `principal` may `access_sandboxes` of the user whose sandbox the path is in
 * (Mesos' object: the task's user). Both the path as asked and the file it really is are checked, so a
 * symlink in one task's sandbox cannot open another user's. A path in no task's sandbox (the root, a
 * framework's directory) has no user: only rules with ANY objects decide it.
 */
export async function authorizeSandbox(
  agent: SandboxOwners,
  authz: Authorization | undefined,
  principal: Principal,
  requested: string,
  real: string,
): Promise<void> {
  if (!authz) return;
  const root = path.resolve(agent.sandboxRoot);
  const realRoot = await realpath(root).catch(() => root);
  const users = new Set([
    sandboxUser(agent, path.relative(root, path.resolve(requested))),
    sandboxUser(agent, path.relative(realRoot, real)),
  ]);
  for (const user of users) authz.check("access_sandboxes", principal, user);
}

/**
 * Whose sandbox a path relative to the sandboxes root is in: `<frameworkId>/<taskId>/…` is the task's
 * (its command's user, else its framework's), `<frameworkId>/executors/<id>/…` the framework's.
 */
export function sandboxUser(agent: SandboxOwners, relative: string): string | undefined {
  const [frameworkId, taskId] = relative.split(path.sep);
  if (!frameworkId || frameworkId.startsWith("..")) return undefined;
  const framework = [...agent.frameworks(), ...agent.completedFrameworks()].find(
    (f) => f.info.id === frameworkId || tasksOf(f).some((t) => t.frameworkId === frameworkId),
  );
  if (!framework) return undefined;
  if (taskId === undefined || taskId === "executors") return framework.info.user;
  const task = tasksOf(framework).find((t) => t.task.taskId === taskId);
  return task?.task.command?.user || task?.task.executor?.command.user || framework.info.user;
}

function tasksOf(framework: OwnerFramework) {
  return [...framework.tasks, ...framework.completedTasks];
}
