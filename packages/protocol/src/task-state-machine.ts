import type { TaskState } from "./task.js";

/** Final states: nothing follows them. LOST, UNREACHABLE and UNKNOWN are not final: a task can come back. */
const TERMINAL: ReadonlySet<TaskState> = new Set([
  "TASK_FINISHED",
  "TASK_FAILED",
  "TASK_KILLED",
  "TASK_ERROR",
  "TASK_DROPPED",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
]);

const ACTIVE: ReadonlySet<TaskState> = new Set([
  "TASK_STAGING",
  "TASK_STARTING",
  "TASK_RUNNING",
  "TASK_KILLING",
]);

/** Where a task may go from each state; a same-state update (e.g. a health change) is always allowed. */
const NEXT: Readonly<Record<TaskState, ReadonlySet<TaskState>>> = (() => {
  const terminal = [...TERMINAL];
  const adrift: TaskState[] = ["TASK_LOST", "TASK_UNREACHABLE", "TASK_UNKNOWN"];
  const set = (...s: TaskState[]) => new Set<TaskState>(s);
  return {
    TASK_STAGING: set("TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", ...terminal, ...adrift),
    TASK_STARTING: set("TASK_RUNNING", "TASK_KILLING", ...terminal, ...adrift),
    TASK_RUNNING: set("TASK_KILLING", ...terminal, ...adrift),
    TASK_KILLING: set(...terminal, ...adrift),
    // A task that was adrift reappears in whatever state its agent reports when it comes back.
    TASK_LOST: set("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", ...terminal, ...adrift),
    TASK_UNREACHABLE: set(
      "TASK_STAGING",
      "TASK_STARTING",
      "TASK_RUNNING",
      "TASK_KILLING",
      ...terminal,
      ...adrift,
    ),
    TASK_UNKNOWN: set(
      "TASK_STAGING",
      "TASK_STARTING",
      "TASK_RUNNING",
      "TASK_KILLING",
      ...terminal,
      ...adrift,
    ),
    TASK_FINISHED: set(),
    TASK_FAILED: set(),
    TASK_KILLED: set(),
    TASK_ERROR: set(),
    TASK_DROPPED: set(),
    TASK_GONE: set(),
    TASK_GONE_BY_OPERATOR: set(),
  };
})();

export function isTerminalState(state: TaskState): boolean {
  return TERMINAL.has(state);
}

/** STAGING, STARTING, RUNNING or KILLING: the task holds its resources on its agent. */
export function isActiveState(state: TaskState): boolean {
  return ACTIVE.has(state);
}

export function canTransition(from: TaskState, to: TaskState): boolean {
  if (from === to) return !TERMINAL.has(from);
  return NEXT[from].has(to);
}
