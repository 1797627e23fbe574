import type { TaskState, TaskStatus } from "@agora/protocol";
import type { TaskExit } from "./executor.js";

/** The terminal state of a task whose process ended: the part of its status update an exit decides. */
export type TerminalOutcome = Pick<TaskStatus, "state" | "message" | "containerStatus" | "reason"> & {
  readonly state: Extract<TaskState, "TASK_FINISHED" | "TASK_FAILED" | "TASK_KILLED">;
};

/**
 * Mesos' command executor rules: exit 0 → FINISHED, another code → FAILED with the code, killed on
 * request → KILLED, killed by a signal nobody asked for → FAILED; over a limit → FAILED with the
 * limitation's reason (e.g. REASON_CONTAINER_LIMITATION_MEMORY); an exit nobody saw and nothing
 * recorded → FAILED.
 */
export function terminalOutcome(exit: TaskExit): TerminalOutcome {
  switch (exit.kind) {
    case "exited":
      return {
        state: exit.exitCode === 0 ? "TASK_FINISHED" : "TASK_FAILED",
        message: `Command exited with status ${exit.exitCode}`,
        containerStatus: { exitCode: exit.exitCode },
      };
    case "signaled":
      return { state: "TASK_FAILED", message: `Command terminated with signal ${exit.signal}` };
    case "unknown":
      return {
        state: "TASK_FAILED",
        message: "The task ended while the agent was down and left no exit status",
      };
    case "executorTerminated":
      return { state: "TASK_FAILED", reason: "REASON_EXECUTOR_TERMINATED", message: exit.message };
    case "killed":
      return { state: "TASK_KILLED", message: "Command killed on request" };
    case "limited":
      return { state: "TASK_FAILED", reason: exit.reason, message: exit.message };
  }
}
