import { stateLabel } from "./format";

const tone: Record<string, string> = {
  TASK_RUNNING: "ok",
  TASK_FINISHED: "done",
  TASK_STAGING: "pending",
  TASK_STARTING: "pending",
  TASK_KILLING: "pending",
  TASK_FAILED: "bad",
  TASK_ERROR: "bad",
  TASK_LOST: "bad",
  TASK_DROPPED: "bad",
  TASK_GONE: "bad",
  TASK_GONE_BY_OPERATOR: "bad",
  TASK_UNREACHABLE: "warn",
  TASK_KILLED: "done",
  active: "ok",
  connected: "ok",
  inactive: "warn",
  disconnected: "warn",
  unreachable: "bad",
  DRAINING: "warn",
  DOWN: "bad",
};

export function StatusBadge({ state }: { state: string }) {
  return <span className={`badge badge-${tone[state] ?? "neutral"}`}>{stateLabel(state)}</span>;
}
