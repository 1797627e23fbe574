import type { Task } from "../../api/schemas";

export interface TaskFilter {
  /** Substring of id, name or agent id (case-insensitive). */
  readonly text: string;
  /** A task state (TASK_RUNNING), "active" (not terminal) or "" for all. */
  readonly state: string;
  readonly frameworkId: string;
}

const ACTIVE = new Set(["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_UNREACHABLE"]);

export function filterTasks(tasks: readonly Task[], f: TaskFilter): Task[] {
  const text = f.text.toLowerCase();
  return tasks.filter(
    (t) =>
      (!f.state || (f.state === "active" ? ACTIVE.has(t.state) : t.state === f.state)) &&
      (!f.frameworkId || t.framework_id === f.frameworkId) &&
      (!text ||
        t.id.toLowerCase().includes(text) ||
        t.name.toLowerCase().includes(text) ||
        t.slave_id.toLowerCase().includes(text)),
  );
}
