import { readFileSync } from "node:fs";
import { isTerminalState } from "@agora/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChurnFramework } from "./harness/churn-framework.js";
import { HA_MASTER_FLAGS, HaCluster, settleAfter } from "./harness/ha-cluster.js";
import { processesUnder } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

/**
 * Issue 4, acceptance 1: three masters on a three-node NATS cluster with R3 state; a framework keeps
 * 50 long tasks running while launching and finishing short ones; the leading master is killed
 * with SIGKILL.
 */
describe("master failover (3 masters, 3 NATS nodes, R3)", () => {
  let cluster: HaCluster;
  let fw: ChurnFramework;

  beforeAll(async () => {
    cluster = await HaCluster.start({ masterFlags: HA_MASTER_FLAGS });
    fw = await ChurnFramework.start(cluster.natsUrls(2), { longTasks: 50, shortInFlight: 4 });
  }, 120_000);

  afterAll(async () => {
    await fw?.close();
    await cluster?.stop();
  }, 120_000);

  it("a standby leads within 10 s of kill -9 of the leader; no task is killed, every update is delivered once and acknowledged, and launching goes on", async () => {
    await fw.churning(8);

    const old = await cluster.leader();
    const killedAt = Date.now();
    await cluster.masters[old]!.proc.stop("SIGKILL");
    const next = await cluster.leader(30_000);
    const leadMs = Date.now() - killedAt;
    expect(next).not.toBe(old);
    await waitFor("the framework to re-subscribe", () => fw.reconnectedAt.some((t) => t > killedAt), {
      timeoutMs: 60_000,
    });
    const resubscribedMs = fw.reconnectedAt.find((t) => t > killedAt)! - killedAt;
    await waitFor(
      "both agents reregistered with the new leader",
      async () => (await cluster.leaderState()).slaves.length === 2,
      {
        timeoutMs: 60_000,
      },
    );
    const agentsMs = Date.now() - killedAt;

    // The framework goes on launching: short tasks launched after the kill finish.
    const launchedShorts = await settleAfter(cluster, fw, killedAt, "the failover");

    process.stdout.write(
      `FAILOVER lead=${leadMs}ms resubscribed=${resubscribedMs}ms agents=${agentsMs}ms shorts=${launchedShorts.length} dropped=${fw.dropped().length} refusedLaunches=${fw.refusedLaunches.length}\n`,
    );
    expect(leadMs).toBeLessThan(10_000);

    // No running task was killed: every long task is still RUNNING, in the framework's view and as a process.
    expect(fw.longIds.filter((id) => fw.states.get(id) !== "TASK_RUNNING")).toEqual([]);
    // (A reconciliation may answer TASK_STAGING: the SDK's first implicit reconcile can reach the master
    // after the framework's first launch. Only a terminal state would mean a killed task.)
    const longTerminal = fw.delivered.filter(
      (d) => d.status.taskId.startsWith("long.") && isTerminalState(d.status.state),
    );
    expect(longTerminal).toEqual([]);
    expect(sleepers(cluster.dir, "sleep 3600")).toHaveLength(50);

    // Every agent update reached the handler exactly once (after the SDK's dedup by uuid).
    const counts = fw.agentUpdateCounts();
    expect(
      [...counts].filter(([, n]) => n !== 1),
      `failed launches: ${fw.refusedLaunches.join("; ")}`,
    ).toEqual([]);
    for (const id of [...fw.longIds, ...launchedShorts]) expect(counts.get(`${id}/TASK_RUNNING`)).toBe(1);
    for (const id of launchedShorts) expect(counts.get(`${id}/TASK_FINISHED`)).toBe(1);
    const state = await cluster.leaderState();
    expect(state.frameworks[0]?.tasks.filter((t) => t.state === "TASK_RUNNING")).toHaveLength(50);
  }, 400_000);
});

/** Pids of processes under `dir` whose command line contains `command` (argv joined by NUL). */
function sleepers(dir: string, command: string): number[] {
  const needle = command.replaceAll(" ", "\u0000");
  return processesUnder(dir).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(needle);
    } catch {
      return false;
    }
  });
}
