import { isTerminalState, type TaskStatus } from "@agora/protocol";
import type { Bus } from "@agora/transport";
import { packTasks, Scheduler, type TaskSpec } from "../index.js";

/** Runs each shell command once on the cluster behind `bus`; resolves with every task's final status. */
export async function runToCompletion(bus: Bus, commands: string[]): Promise<TaskStatus[]> {
  const scheduler = new Scheduler({ bus, framework: { name: "run-to-completion" } });
  let pending: TaskSpec[] = commands.map((value, i) => ({
    name: `job-${i}`,
    resources: { cpus: 0.1, mem: 32 },
    command: { value },
  }));

  scheduler.on("offers", async (offers) => {
    const { launches, unplaced, unused } = packTasks(offers, pending);
    pending = unplaced;
    for (const { offer, tasks } of launches) await scheduler.launch(offer, tasks);
    await scheduler.decline(unused.map((o) => o.id));
    if (pending.length === 0) await scheduler.suppress(); // no more offers needed
  });

  const updates = scheduler.updates(); // before subscribe(), so no update slips past
  await scheduler.subscribe();

  const finished = new Map<string, TaskStatus>();
  for await (const status of updates) {
    // The SDK acknowledges each update once it is buffered for this loop.
    if (isTerminalState(status.state)) finished.set(status.taskId, status);
    if (finished.size === commands.length) break;
  }
  await scheduler.teardown(); // kills nothing here: every task has ended
  return [...finished.values()];
}
