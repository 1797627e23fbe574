import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import {
  childrenOf,
  expectNoOrphans,
  httpJson,
  processesUnder,
  running,
  type Spawned,
  spawnAgora,
} from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface MasterState {
  slaves: Array<{ id: string; reregistered_time?: number }>;
  frameworks: Array<{ name: string; tasks: Array<{ id: string; state: string }> }>;
}

/**
 * Agent faults with real processes: a master and an `agora agent` over a real nats-server, tasks
 * launched by `agora execute` (the framework, whose printed updates are its view).
 */
describe("agent faults", () => {
  let nats: Awaited<ReturnType<typeof startNatsServer>>;
  let dir: string;
  let masterUrl: string;
  let agentPort: number;
  let agent: Spawned;
  const procs: Spawned[] = [];

  const startAgent = () => {
    const p = spawnAgent(nats.url, {
      port: agentPort,
      hostname: "fault-agent",
      workDir: path.join(dir, "agent"),
      resources: "cpus:8;mem:4096;disk:1024;ports:[31000-31100]",
    });
    procs.push(p);
    return p;
  };

  const execute = (name: string, instances: number, command: string) => {
    const p = spawnAgora([
      "execute",
      "--nats",
      nats.url,
      "--name",
      name,
      "--instances",
      String(instances),
      "--cpus",
      "0.1",
      "--mem",
      "16",
      "--timeout",
      "0",
      "--command",
      command,
    ]);
    procs.push(p);
    return p;
  };

  const masterTasks = async (name: string) =>
    (await httpJson<MasterState>(`${masterUrl}/master/state`)).frameworks.find((f) => f.name === name)
      ?.tasks ?? [];

  const printed = (p: Spawned, state: string) =>
    p.stdout().match(new RegExp(`^\\S+ \\S+ ${state}\\b`, "gm"))?.length ?? 0;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-agent-faults-"));
    nats = await startNatsServer({ jetstream: true });
    const master = await startMaster(nats.url, [
      "--agent-ping-timeout",
      "300ms",
      "--max-agent-ping-timeouts",
      "3",
    ]);
    procs.push(master.proc);
    masterUrl = master.url;
    agentPort = await freePort();
    agent = startAgent();
    await waitForAgents(masterUrl, 1);
  });

  afterEach(async () => {
    // Frameworks first (SIGTERM kills their tasks through the agent), then the agent, the master.
    for (const p of procs.reverse()) {
      p.signal("SIGCONT");
      await p.stop();
    }
    procs.length = 0;
    await expectNoOrphans(dir);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("kill -9 of an agent with 20 running tasks: after its restart all 20 run and are RUNNING; tasks that finished meanwhile are FINISHED", async () => {
    const go = path.join(dir, "go");
    const long = execute("long", 20, "sleep 300");
    const short = execute("short", 5, `while [ ! -e ${go} ]; do sleep 0.1; done`);
    await waitFor(
      "25 tasks RUNNING",
      () => printed(long, "TASK_RUNNING") === 20 && printed(short, "TASK_RUNNING") === 5,
    );
    // RUNNING follows the spawn of the task's shell (as Mesos' command executor's); the shell then execs sleep.
    await waitFor("the 20 sleeps to run", () => commandsUnder(dir, "sleep\u0000300").length === 20);

    // The shells the agent started ahead of its next tasks go with it: they read end-of-file and exit.
    const readyShells = readyShellsOf(agent.pid);
    expect(readyShells.length).toBeGreaterThan(0);
    await agent.stop("SIGKILL");
    await waitFor("the killed agent's ready shells to exit", () => readyShells.every((pid) => !running(pid)));
    // The short tasks end while no agent runs; the long ones must not have died with the agent.
    writeFileSync(go, "");
    await waitFor("the short tasks to exit", () => commandsUnder(dir, go).length === 0);
    expect(commandsUnder(dir, "sleep\u0000300")).toHaveLength(20);

    agent = startAgent();
    await waitFor(
      "the framework to see the 5 short tasks FINISHED",
      () => printed(short, "TASK_FINISHED") === 5,
    );
    expect(short.stdout()).not.toMatch(/TASK_(LOST|FAILED|GONE)/);
    await waitFor("the master to show the 20 long tasks RUNNING after reregistration", async () => {
      const state = await httpJson<MasterState>(`${masterUrl}/master/state`);
      const tasks = state.frameworks.find((f) => f.name === "long")?.tasks ?? [];
      return (
        state.slaves[0]?.reregistered_time !== undefined &&
        tasks.length === 20 &&
        tasks.every((t) => t.state === "TASK_RUNNING")
      );
    });
    // In the framework's view each is RUNNING: again, if it had seen it UNREACHABLE meanwhile.
    await waitFor(
      "the framework to see the 20 long tasks RUNNING",
      () => printed(long, "TASK_RUNNING") === 20 + printed(long, "TASK_UNREACHABLE"),
    );
    expect(long.stdout()).not.toMatch(/TASK_(LOST|FAILED|GONE|KILLED|FINISHED)/);
    expect(commandsUnder(dir, "sleep\u0000300")).toHaveLength(20);
  });

  it("SIGSTOP of an agent past the ping timeouts: its tasks go UNREACHABLE; SIGCONT: it reregisters and they are RUNNING again", async () => {
    const fw = execute("paused", 3, "sleep 300");
    await waitFor("3 tasks RUNNING", () => printed(fw, "TASK_RUNNING") === 3);

    agent.signal("SIGSTOP");
    await waitFor("the framework to see its tasks UNREACHABLE", () => printed(fw, "TASK_UNREACHABLE") === 3);
    agent.signal("SIGCONT");
    await waitFor("the framework to see its tasks RUNNING again", () => printed(fw, "TASK_RUNNING") === 6);
    expect((await masterTasks("paused")).map((t) => t.state)).toEqual([
      "TASK_RUNNING",
      "TASK_RUNNING",
      "TASK_RUNNING",
    ]);
  });
});

/** Pids of processes under `dir` whose command line (NUL-separated argv) contains `text`. */
/** The shells `agentPid` started ahead of tasks, waiting for one (a task's has moved to its sandbox). */
function readyShellsOf(agentPid: number): number[] {
  return childrenOf(agentPid, "AGORA_NL=").filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === "/";
    } catch {
      return false;
    }
  });
}

function commandsUnder(dir: string, text: string): number[] {
  return processesUnder(dir).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
    } catch {
      return false;
    }
  });
}
