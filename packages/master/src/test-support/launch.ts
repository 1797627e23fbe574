import type { AgentCommandOf } from "@agora/protocol";
import type { MasterOptions } from "../options.js";
import { type FakeAgent, type FakeFramework, MasterHarness, task } from "./harness.js";

/** A master with one agent and one framework that has launched `taskIds` (STAGING on the agent). */
export async function withLaunchedTasks(
  taskIds: string[],
  resources = "cpus:1;mem:128",
  options: Partial<MasterOptions> = {},
) {
  const h = await MasterHarness.start(options);
  const agent: FakeAgent = await h.agent();
  const fw: FakeFramework = await h.framework();
  const [offer] = await fw.offers();
  await fw.call({
    type: "accept",
    offerIds: [offer!.id],
    operations: [{ type: "launch", tasks: taskIds.map((id) => task(id, agent.id, resources)) }],
    filters: { refuseSeconds: 0 },
  });
  const run = (await agent.commands.take(
    (c) => c.type === "runTask",
    "runTask",
  )) as AgentCommandOf<"runTask">;
  return { h, agent, fw, run };
}
