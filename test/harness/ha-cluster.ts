import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { journalledUpdates } from "@agora/agent/internal";
import type { ChurnFramework } from "./churn-framework.js";
import { spawnAgent, startMaster } from "./cluster.js";
import { type NatsClusterHandle, startNatsCluster } from "./nats-server.js";
import { freePort } from "./ports.js";
import { expectNoOrphans, type Spawned, spawnAgora } from "./processes.js";
import { waitFor } from "./wait.js";

/** Shortened timeouts for fault tests: heartbeats and pings every second; the lease keeps its 5 s default. */
export const HA_MASTER_FLAGS = [
  "--heartbeat-interval",
  "1secs",
  "--framework-timeout",
  "10secs",
  "--agent-ping-timeout",
  "1secs",
  "--agent-reregister-timeout",
  "60secs",
  "--allocation-interval",
  "200ms",
];

/** One `agora master` of an HA cluster: its process (replaced on restart) and HTTP URL. */
export interface HaMaster {
  proc: Spawned;
  readonly url: string;
}

export interface HaAgent {
  proc: Spawned;
  readonly workDir: string;
  readonly port: number;
}

export interface HaClusterOptions {
  masters?: number;
  agents?: number;
  agentResources?: string;
  /** Extra `agora master` flags (e.g. `HA_MASTER_FLAGS`). */
  masterFlags?: string[];
}

/**
 * Cluster mode as in production, on loopback: a three-node NATS cluster with JetStream, several
 * `agora master` processes on R3 buckets contending for the lease, and `agora agent` processes.
 * Every process gets all NATS URLs, each starting with a different node.
 */
export class HaCluster {
  readonly masters: HaMaster[] = [];
  readonly agents: HaAgent[] = [];
  private masterFlags: string[] = [];
  private stopping = false;

  private constructor(
    readonly nats: NatsClusterHandle,
    readonly dir: string,
  ) {}

  static async start(o: HaClusterOptions = {}): Promise<HaCluster> {
    const nats = await startNatsCluster(3, { jetstream: true });
    const cluster = new HaCluster(nats, mkdtempSync(path.join(os.tmpdir(), "agora-ha-")));
    try {
      cluster.masterFlags = ["--registry-replicas", "3", ...(o.masterFlags ?? [])];
      const masters = await Promise.all(
        Array.from({ length: o.masters ?? 3 }, (_, i) =>
          startMaster(cluster.natsUrls(i), cluster.masterFlags),
        ),
      );
      cluster.masters.push(...masters);
      for (const m of cluster.masters) cluster.supervise(m);
      await cluster.leader();
      for (let i = 0; i < (o.agents ?? 2); i++) {
        const workDir = path.join(cluster.dir, `agent-${i}`);
        const port = await freePort();
        const resources = o.agentResources ?? "cpus:8;mem:4096;disk:4096;ports:[31000-31100]";
        const proc = spawnAgent(cluster.natsUrls(i), { workDir, port, resources, hostname: `agent-${i}` });
        cluster.agents.push({ proc, workDir, port });
      }
      await waitFor("every agent registered", async () => {
        const state = await cluster.leaderState();
        return state.slaves.length === cluster.agents.length;
      });
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** All NATS URLs, comma-separated, starting with node `i % 3`. */
  natsUrls(i = 0): string {
    const urls = this.nats.urls;
    const k = i % urls.length;
    return [...urls.slice(k), ...urls.slice(0, k)].join(",");
  }

  /** Resolves with the index of the master that answers `/master/state` itself (not by redirect). */
  async leader(timeoutMs = 60_000): Promise<number> {
    return waitFor(
      "a leading master",
      async () => {
        for (const [i, m] of this.masters.entries()) {
          if (m.proc.child.exitCode !== null || m.proc.child.signalCode !== null) continue;
          const res = await fetch(`${m.url}/master/state`, { redirect: "manual" }).catch(() => undefined);
          if (res?.status === 200) return i + 1;
        }
        return undefined;
      },
      { timeoutMs, intervalMs: 20 },
    ).then((i) => i - 1);
  }

  /** Starts master `i` again (after a kill) on its port, as a standby joining the election. */
  async restartMaster(i: number): Promise<void> {
    const m = this.masters[i]!;
    await m.proc.stop("SIGKILL");
    this.respawn(m, i);
    await waitFor(`master ${i} /health`, async () => (await fetch(`${m.url}/health`)).ok);
  }

  private respawn(m: HaMaster, i: number): void {
    m.proc = spawnAgora([
      "master",
      "--nats",
      this.natsUrls(i),
      "--host",
      "127.0.0.1",
      "--port",
      new URL(m.url).port,
      ...this.masterFlags,
    ]);
    this.supervise(m);
  }

  /**
   * Restarts a master that exits with status 1, as the supervisor (systemd, Kubernetes) a production
   * master runs under does: a leader that could not renew its lease for 90% of the TTL (on a loaded
   * machine, the lease's stream can take that long to elect a new leader after a NATS node died)
   * deposes itself and exits, to come back as a standby. A kill by a test (a signal) is not restarted.
   */
  private supervise(m: HaMaster): void {
    const proc = m.proc;
    void proc.exited().then((code) => {
      if (code !== 1 || this.stopping || m.proc !== proc) return;
      this.respawn(m, this.masters.indexOf(m));
    });
  }

  /** `/master/state`'s status from each master: 200 from the leader, 307 from a standby, 0 from one not listening. */
  async stateStatuses(): Promise<number[]> {
    return Promise.all(
      this.masters.map((m) =>
        fetch(`${m.url}/master/state`, { redirect: "manual" }).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
  }

  /** `/master/state` of the leader, through any live master (standbys redirect). */
  async leaderState(): Promise<MesosState> {
    // Between a leader's loss and the next election no master answers: wait that gap out.
    return waitFor(
      "a master to answer /master/state",
      async () => {
        for (const m of this.masters) {
          if (m.proc.child.exitCode !== null || m.proc.child.signalCode !== null) continue;
          const res = await fetch(`${m.url}/master/state`, { signal: AbortSignal.timeout(5_000) }).catch(
            () => undefined,
          );
          if (res?.ok) return (await res.json()) as MesosState;
        }
        return undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
  }

  /** Status updates an agent's journal still holds unacknowledged. */
  unacknowledged(agent: HaAgent): number {
    return journalledUpdates(path.join(agent.workDir, "meta/updates")).length;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const a of this.agents) await a.proc.stop();
    for (const m of this.masters) await m.proc.stop();
    await this.nats.stop();
    try {
      await expectNoOrphans(this.dir);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

export interface MesosState {
  id: string;
  leader: string;
  leader_info: { id: string; port: number };
  slaves: Array<{ id: string; hostname: string }>;
  frameworks: Array<{ id: string; connected: boolean; tasks: Array<{ id: string; state: string }> }>;
}

/**
 * After a fault at `since`: 8 short tasks launched since then finish (the framework goes on
 * launching), launching stops, every launched short task ends FINISHED, and the agents' journals of
 * unacknowledged updates run empty. Returns the short tasks launched. A stuck task is named in the
 * failure with the leader's view of it.
 */
export async function settleAfter(
  cluster: HaCluster,
  fw: ChurnFramework,
  since: number,
  fault: string,
): Promise<string[]> {
  await waitFor(
    `8 short tasks launched after ${fault} to finish`,
    () => fw.finishedShorts().filter((id) => fw.launchedAt.get(id)! > since).length >= 8,
    { timeoutMs: 120_000 },
  );
  await fw.stopLaunching();
  await waitFor(
    "every launched short task FINISHED",
    () => fw.notIn(fw.launchedShorts(), "TASK_FINISHED").length === 0,
    { timeoutMs: 90_000 },
  ).catch(async (err: unknown) => {
    // The leader's view names where each stuck task is; without a leader, say that instead of hiding `err`.
    const view = await cluster.leaderState().then(
      (s) => s.frameworks[0]?.tasks ?? [],
      (e: unknown) => String(e),
    );
    const stuck = fw.notIn(fw.launchedShorts(), "TASK_FINISHED");
    const seen =
      typeof view === "string"
        ? [...stuck, `(no leader view: ${view})`]
        : stuck.map((s) => `${s} master=${view.find((t) => t.id === s.split("=")[0])?.state}`);
    throw new Error(
      `${String(err)}; not finished: ${seen.join(", ")}; failed launches: ${fw.refusedLaunches.join("; ") || "none"}; SDK errors: ${fw.errors.join("; ") || "none"}`,
    );
  });
  await waitFor(
    "every update acknowledged",
    () => cluster.agents.every((a) => cluster.unacknowledged(a) === 0),
    {
      timeoutMs: 90_000,
    },
  );
  return fw.launchedShorts();
}
