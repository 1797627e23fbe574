import type { Agent } from "../agent.js";
import { type FakeMaster, shellTask } from "./fake-master.js";

/**
 * Starts `agent`, runs `sleep 300` on it through `master`, then stops the agent without killing the
 * task, as after kill -9: the task's process group runs on for the next agent to recover.
 * `onPid` gets the task's pid first, so the test can kill it should the test fail.
 */
export async function orphanShellTask(
  master: FakeMaster,
  agent: Agent,
  onPid: (pid: number) => void,
): Promise<{ taskId: string; pid: number }> {
  await agent.start({ httpPort: 5051 });
  const task = shellTask("sleep 300");
  master.runTasks([task]);
  const running = await master.waitForState(task.taskId, "TASK_RUNNING");
  const pid = running.status.containerStatus!.executorPid!;
  onPid(pid);
  await agent.stop({ killTasks: false });
  return { taskId: task.taskId, pid };
}
