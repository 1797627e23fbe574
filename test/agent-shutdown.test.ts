import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnAgent, startMaster } from "./harness/cluster.js";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { expectNoOrphans, httpJson, processesUnder, type Spawned, spawnAgora } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

/**
 * `agora agent` on SIGUSR1 (what the harness stops agents with) kills every task and exits, also
 * while it is still starting: recovering a previous process's tasks and registering with no master
 * answering. Before, the signal arrived before the agent listened for it, Node took it as "start the
 * inspector", and the agent ran on with its tasks until the harness SIGKILLed it 10 s later.
 */
describe("agent shutdown on SIGUSR1", () => {
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  let dir: string;
  const procs: Spawned[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-agent-shutdown-"));
    nats = await startNatsServer({ jetstream: true });
  });

  afterEach(async () => {
    for (const p of procs.reverse()) await p.stop("SIGKILL");
    procs.length = 0;
    for (const pid of processesUnder(dir)) process.kill(pid, "SIGKILL");
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("kills the tasks it recovered and exits 0 while it still waits for a master", async () => {
    const master = await startMaster(nats.url);
    procs.push(master.proc);
    const agentSpec = {
      port: await freePort(),
      workDir: path.join(dir, "agent"),
      resources: "cpus:4;mem:1024;disk:1024;ports:[31000-31100]",
    };
    const first = spawnAgent(nats.url, agentSpec);
    procs.push(first);
    const framework = spawnAgora([
      "execute",
      ...["--nats", nats.url, "--name", "sleepers", "--instances", "3", "--cpus", "0.1", "--mem", "16"],
      ...["--timeout", "0", "--command", "sleep 300"],
    ]);
    procs.push(framework);
    await waitFor("3 tasks RUNNING", async () => {
      const state = await httpJson<{ frameworks: Array<{ tasks: Array<{ state: string }> }> }>(
        `${master.url}/master/state`,
      );
      return state.frameworks[0]?.tasks.filter((t) => t.state === "TASK_RUNNING").length === 3;
    });
    // The agent and the framework die without killing anything; the master goes away.
    await first.stop("SIGKILL");
    await framework.stop("SIGKILL");
    await master.proc.stop("SIGTERM");
    const tasks = processesUnder(dir);
    expect(tasks.length).toBeGreaterThanOrEqual(3);

    const second = spawnAgent(nats.url, agentSpec);
    procs.push(second);
    await waitFor("the restarted agent retrying its registration", () =>
      second.stderr().includes("no master answered"),
    );
    expect(await second.stop("SIGUSR1")).toBe(0);
    await expectNoOrphans(dir);
  });
});
