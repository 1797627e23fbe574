import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ChurnFramework } from "../test/harness/churn-framework.js";
import { HA_MASTER_FLAGS, HaCluster } from "../test/harness/ha-cluster.js";
import { waitFor } from "../test/harness/wait.js";
import { machine } from "./machine.js";
import { type LatencySummary, summarize } from "./stats.js";

/**
 * Master failover with real processes: a three-node NATS cluster (R3 buckets), three `agora master`
 * processes, two agents and an SDK framework keeping LONG_TASKS long tasks and a few short ones in
 * flight. Each round kills the leader with SIGKILL and measures, from the kill:
 * - lead: until another master answers `/master/state` itself (elected, registry loaded, serving);
 * - resubscribed: until the framework's SDK re-subscribed to the new leader;
 * - agents: until the new leader lists every agent (all reregistered);
 * then restarts the killed master as a standby. After the rounds, launching stops and the run waits
 * for quiet: updates lost = agent updates (RUNNING of every task, FINISHED of every short task)
 * never handed to the framework; duplicates = agent updates handed to it more than once; long tasks
 * killed = long tasks not RUNNING. FAILOVER_ROUNDS (default 3) rounds per lease TTL.
 */
const rounds = Number(process.env.FAILOVER_ROUNDS ?? 3);
const longTasks = Number(process.env.LONG_TASKS ?? 50);
const leaseTtls = ["5secs", "2secs"];

interface FailoverResult {
  leaseTtl: string;
  rounds: number;
  leadMs: LatencySummary;
  resubscribedMs: LatencySummary;
  agentsMs: LatencySummary;
  tasksLaunched: number;
  updatesLost: number;
  duplicatesDelivered: number;
  longTasksKilled: number;
}

async function scenario(leaseTtl: string): Promise<FailoverResult> {
  const cluster = await HaCluster.start({
    masterFlags: [...HA_MASTER_FLAGS, "--leader-lease-ttl", leaseTtl],
  });
  const fw = await ChurnFramework.start(cluster.natsUrls(2), { longTasks, shortInFlight: 4 });
  const lead: number[] = [];
  const resubscribed: number[] = [];
  const agents: number[] = [];
  try {
    await waitFor("long tasks RUNNING", () => fw.notIn(fw.longIds, "TASK_RUNNING").length === 0, {
      timeoutMs: 120_000,
    });
    for (let round = 0; round < rounds; round++) {
      await waitFor("short tasks finishing", () => fw.finishedShorts().length >= 4 * (round + 1), {
        timeoutMs: 120_000,
      });
      const old = await cluster.leader();
      const seen = fw.reconnectedAt.length;
      const killedAt = Date.now();
      await cluster.masters[old]!.proc.stop("SIGKILL");
      await cluster.leader(60_000);
      lead.push(Date.now() - killedAt);
      await waitFor("the framework to re-subscribe", () => fw.reconnectedAt.length > seen, {
        timeoutMs: 60_000,
      }).catch((err: unknown) => {
        throw new Error(`${String(err)}; SDK errors: ${fw.errors.join("; ")}`);
      });
      resubscribed.push(fw.reconnectedAt[seen]! - killedAt);
      await waitFor(
        "every agent reregistered",
        async () => (await cluster.leaderState()).slaves.length === cluster.agents.length,
        { timeoutMs: 60_000, intervalMs: 20 },
      );
      agents.push(Date.now() - killedAt);
      process.stderr.write(
        `ttl ${leaseTtl} round ${round + 1}: lead ${lead.at(-1)} ms, resubscribed ${resubscribed.at(-1)} ms, agents ${agents.at(-1)} ms\n`,
      );
      await cluster.restartMaster(old);
    }
    await fw.stopLaunching();
    const shorts = [...fw.launchedAt.keys()].filter((id) => id.startsWith("short."));
    // Quiet: every update delivered and acknowledged, or the wait gives up and the rest count as lost.
    await waitFor(
      "every update delivered and acknowledged",
      () =>
        fw.notIn(shorts, "TASK_FINISHED").length === 0 &&
        cluster.agents.every((a) => cluster.unacknowledged(a) === 0),
      { timeoutMs: 120_000 },
    ).catch(() => undefined);
    const counts = fw.agentUpdateCounts();
    const expected = [
      ...[...fw.launchedAt.keys()].map((id) => `${id}/TASK_RUNNING`),
      ...shorts.map((id) => `${id}/TASK_FINISHED`),
    ];
    return {
      leaseTtl,
      rounds,
      leadMs: summarize(lead),
      resubscribedMs: summarize(resubscribed),
      agentsMs: summarize(agents),
      tasksLaunched: fw.launchedAt.size,
      updatesLost: expected.filter((k) => !counts.has(k)).length,
      duplicatesDelivered: [...counts.values()].filter((n) => n > 1).length,
      longTasksKilled: fw.notIn(fw.longIds, "TASK_RUNNING").length,
    };
  } finally {
    await fw.close();
    await cluster.stop();
  }
}

/** Writes bench/results/failover.json and returns its Markdown table. */
export default async function failoverBench(): Promise<string> {
  const results: FailoverResult[] = [];
  for (const ttl of leaseTtls) results.push(await scenario(ttl));
  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "failover.json"),
    `${JSON.stringify({ machine: machine(), longTasks, results }, null, 2)}\n`,
  );
  const ms = (s: LatencySummary) => `${s.p50Ms} / ${s.maxMs}`;
  const rows = results.map(
    (r) =>
      `| ${r.leaseTtl} | ${r.rounds} | ${ms(r.leadMs)} | ${ms(r.resubscribedMs)} | ${ms(r.agentsMs)} | ${r.tasksLaunched} | ${r.updatesLost} | ${r.duplicatesDelivered} | ${r.longTasksKilled} |`,
  );
  return [
    "| lease TTL | kills | → new leader serving p50 / max ms | → framework re-subscribed | → all agents reregistered | tasks launched | updates lost | duplicates delivered | long tasks killed |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
}
