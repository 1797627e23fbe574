import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import {
  expectNoOrphans,
  httpJson,
  processesUnder,
  type Spawned,
  spawnProcess,
} from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface MasterState {
  slaves: Array<{ id: string }>;
  frameworks: Array<{
    id: string;
    name: string;
    connected: boolean;
    tasks: Array<{ id: string; state: string }>;
  }>;
  completed_frameworks: Array<{ id: string; name: string }>;
}

const fixture = path.join(import.meta.dirname, "fixtures/failover-framework.mjs");

/**
 * Framework failover with real processes: a master that disconnects a framework after 1.5 s of
 * silence, an `agora agent`, and SDK framework processes killed with SIGKILL.
 */
describe("framework failover", () => {
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  let dir: string;
  let masterUrl: string;
  const procs: Spawned[] = [];

  const framework = (name: string, failoverTimeout: number, command: string, id?: string) => {
    const p = spawnProcess(process.execPath, [
      fixture,
      nats.url,
      name,
      String(failoverTimeout),
      "3",
      command,
      ...(id ? [id] : []),
    ]);
    procs.push(p);
    return p;
  };
  const state = () => httpJson<MasterState>(`${masterUrl}/master/state`);
  // Tasks seen in state `s`: one may be seen twice, its update and the answer to the SDK's
  // reconciliation on subscribe (which comes after RUNNING when the launches are quick).
  const updates = (p: Spawned, s: string) =>
    new Set(Array.from(p.stdout().matchAll(new RegExp(`^UPDATE (\\S+) ${s}$`, "gm")), (m) => m[1])).size;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-framework-failover-"));
    nats = await startNatsServer({ jetstream: true });
    const master = await startMaster(nats.url, [
      "--heartbeat-interval",
      "500ms",
      "--framework-timeout",
      "1500ms",
    ]);
    procs.push(master.proc);
    masterUrl = master.url;
    procs.push(
      spawnAgent(nats.url, {
        port: await freePort(),
        workDir: path.join(dir, "agent"),
        resources: "cpus:4;mem:1024;disk:1024;ports:[31000-31100]",
      }),
    );
    await waitForAgents(masterUrl, 1);
  });

  afterEach(async () => {
    for (const p of procs.reverse()) await p.stop();
    procs.length = 0;
    await expectNoOrphans(dir);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a framework killed and restarted within its failover timeout resumes with its tasks; one whose timeout expires has its tasks killed", async () => {
    const kept = framework("kept", 60, "sleep 300");
    const lapsed = framework("lapsed", 1, "sleep 301");
    await waitFor(
      "both frameworks' tasks RUNNING",
      () => updates(kept, "TASK_RUNNING") === 3 && updates(lapsed, "TASK_RUNNING") === 3,
    );
    const keptId = kept.stdout().match(/^SUBSCRIBED (\S+)$/m)![1]!;
    const lapsedId = lapsed.stdout().match(/^SUBSCRIBED (\S+)$/m)![1]!;

    await kept.stop("SIGKILL");
    await lapsed.stop("SIGKILL");
    await waitFor("the master to disconnect both", async () =>
      (await state()).frameworks.filter((f) => [keptId, lapsedId].includes(f.id)).every((f) => !f.connected),
    );
    // Past the lapsed framework's 1 s: torn down, its tasks killed.
    await waitFor("the lapsed framework torn down", async () =>
      (await state()).completed_frameworks.some((f) => f.id === lapsedId),
    );
    await waitFor(
      "the lapsed framework's tasks gone",
      () => commandsUnder(dir, "sleep\u0000301").length === 0,
    );
    expect(commandsUnder(dir, "sleep\u0000300")).toHaveLength(3);

    const resumed = framework("kept", 60, "sleep 300", keptId);
    await waitFor("the restarted framework to resubscribe", () =>
      resumed.stdout().includes(`SUBSCRIBED ${keptId}`),
    );
    // The SDK reconciles on subscribe: the master answers with its tasks, still running.
    await waitFor(
      "the resumed framework to see its 3 tasks RUNNING",
      () => updates(resumed, "TASK_RUNNING") === 3,
    );
    const fw = (await state()).frameworks.find((f) => f.id === keptId)!;
    expect(fw.connected).toBe(true);
    expect(fw.tasks.map((t) => t.state)).toEqual(["TASK_RUNNING", "TASK_RUNNING", "TASK_RUNNING"]);
    expect(commandsUnder(dir, "sleep\u0000300")).toHaveLength(3);
  });
});

/** Pids of processes under `dir` whose command line (NUL-separated argv) contains `text`. */
function commandsUnder(dir: string, text: string): number[] {
  return processesUnder(dir).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
    } catch {
      return false;
    }
  });
}
