import { type AgentId, type FrameworkId, type TaskId, TaskState } from "@agora/protocol";
import { AgentCheckpoint, TaskCheckpoint } from "../checkpoint.js";
import { FileUpdateJournal } from "../file-update-journal.js";
import { StatusUpdateManager } from "../status-update-manager.js";

/**
 * A process the journal and checkpoint tests run (through tsx) to kill or trace it:
 * `journal-child.ts <dir> send <count> [state]` enqueues `count` updates (of `state`, default
 * TASK_RUNNING) in one turn through a status update manager over a `FileUpdateJournal` in `<dir>` and
 * prints `sent <uuid>` for each update it sends, then waits to be killed; `journal-child.ts <dir> checkpoint` writes the agent's id under
 * `<dir>` (a new file), prints `created`, writes it again (a replacement) and prints `written`;
 * `journal-child.ts <dir> task` records a task in the agent's task log under `<dir>`, prints
 * `created`, records another and prints `written`.
 */
const [dir, mode, count, state = "TASK_RUNNING"] = process.argv.slice(2);

if (mode === "send") {
  const manager = new StatusUpdateManager({
    journal: new FileUpdateJournal(dir!),
    send: (updates) => {
      for (const u of updates) process.stdout.write(`sent ${u.status.uuid}\n`);
    },
  });
  for (let i = 0; i < Number(count ?? 1); i++) {
    manager.enqueue("fw-1" as FrameworkId, {
      taskId: `t${i}` as TaskId,
      state: TaskState.parse(state),
      source: "SOURCE_EXECUTOR",
      agentId: "agent-1" as AgentId,
      timestamp: 1,
    });
  }
  // Kept alive until killed: what was sent must survive a SIGKILL.
  setInterval(() => {}, 1000);
} else if (mode === "checkpoint") {
  const checkpoint = new AgentCheckpoint(dir!);
  await checkpoint.writeAgentId("agent-1" as AgentId);
  process.stdout.write("created\n");
  await checkpoint.writeAgentId("agent-2" as AgentId);
  process.stdout.write("written\n");
} else if (mode === "task") {
  const checkpoint = new AgentCheckpoint(dir!);
  const task = (taskId: string) =>
    TaskCheckpoint.parse({
      framework: { id: "fw-1", name: "fw", user: "root" },
      task: {
        taskId,
        name: taskId,
        agentId: "agent-1",
        resources: [{ name: "cpus", scalar: 0.1 }],
        command: { value: "true" },
      },
      executor: "shell",
      run: {},
    });
  await checkpoint.writeTask(task("t1"));
  process.stdout.write("created\n");
  await checkpoint.writeTask(task("t2"));
  process.stdout.write("written\n");
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
