import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChurnFramework } from "./harness/churn-framework.js";
import { HA_MASTER_FLAGS, HaCluster, settleAfter } from "./harness/ha-cluster.js";
import { waitFor } from "./harness/wait.js";

/**
 * Issue 4, acceptance 4: one NATS server of three is killed (SIGKILL). Masters, agents and the
 * framework reconnect to the other two; the R3 buckets keep the registry and the lease.
 */
describe("NATS node failure (3 masters, 3 NATS nodes, R3)", () => {
  let cluster: HaCluster;
  let fw: ChurnFramework;

  beforeAll(async () => {
    cluster = await HaCluster.start({ masterFlags: HA_MASTER_FLAGS });
    // The framework starts on the node that will die, as do master 0 and agent 0.
    fw = await ChurnFramework.start(cluster.natsUrls(0), { longTasks: 20, shortInFlight: 4 });
  }, 120_000);

  afterAll(async () => {
    await fw?.close();
    await cluster?.stop();
  }, 120_000);

  it("masters, agents and frameworks carry on: one leader, tasks keep running, more tasks launch and finish", async () => {
    await fw.churning(4);

    const killedAt = Date.now();
    cluster.nats.nodes[0]!.kill("SIGKILL");

    const launchedShorts = await settleAfter(cluster, fw, killedAt, "the node loss");

    // Still one leader among the three masters (a deposed leader is restarted as a standby, as a
    // supervisor does), which knows both agents and the 20 long tasks.
    let statuses: number[] = [];
    await waitFor("one master leading and two redirecting to it", async () => {
      statuses = await cluster.stateStatuses();
      return statuses.filter((s) => s === 200).length === 1 && statuses.filter((s) => s === 307).length === 2;
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}; /master/state statuses: ${statuses.join(", ")}`);
    });
    const state = await cluster.leaderState();
    expect(state.slaves).toHaveLength(2);
    expect(state.frameworks[0]?.tasks.filter((t) => t.state === "TASK_RUNNING")).toHaveLength(20);
    expect(fw.longIds.filter((id) => fw.states.get(id) !== "TASK_RUNNING")).toEqual([]);
    const counts = fw.agentUpdateCounts();
    expect(
      [...counts].filter(([, n]) => n !== 1),
      `failed launches: ${fw.refusedLaunches.join("; ")}`,
    ).toEqual([]);
    for (const id of launchedShorts) expect(counts.get(`${id}/TASK_FINISHED`)).toBe(1);
  }, 400_000);
});
