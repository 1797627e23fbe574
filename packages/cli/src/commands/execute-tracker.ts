import { isTerminalState, type TaskState } from "@agora/protocol";

/**
 * What `agora execute` knows about its tasks: which are waiting for an offer, which run, how each
 * ended. Pure, so the exit rules are tested without a cluster.
 */
export class ExecuteTracker {
  private readonly states = new Map<string, TaskState | "PENDING">();

  constructor(taskIds: readonly string[]) {
    for (const id of taskIds) this.states.set(id, "PENDING");
  }

  get pending(): string[] {
    return this.ids((s) => s === "PENDING");
  }

  /** Launched and not yet in a terminal state. */
  get live(): string[] {
    return this.ids((s) => s !== "PENDING" && !isTerminalState(s));
  }

  launched(taskId: string): void {
    if (this.states.get(taskId) === "PENDING") this.states.set(taskId, "TASK_STAGING");
  }

  /** Records a state; returns false for an unknown task or a repeat of the same state. */
  update(taskId: string, state: TaskState): boolean {
    const before = this.states.get(taskId);
    if (before === undefined || before === state) return false;
    if (before !== "PENDING" && isTerminalState(before)) return false;
    this.states.set(taskId, state);
    return true;
  }

  get done(): boolean {
    return [...this.states.values()].every((s) => s !== "PENDING" && isTerminalState(s));
  }

  get allFinished(): boolean {
    return [...this.states.values()].every((s) => s === "TASK_FINISHED");
  }

  /** `{ TASK_FINISHED: 18, TASK_FAILED: 2 }`, for the closing summary. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.states.values()) out[s] = (out[s] ?? 0) + 1;
    return out;
  }

  private ids(pred: (s: TaskState | "PENDING") => boolean): string[] {
    return [...this.states].filter(([, s]) => pred(s)).map(([id]) => id);
  }
}
