import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type DevCluster, startDevCluster } from "@agora/cli";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNoOrphans } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

/**
 * "An existing Mesos framework library from the npm registry, unchanged, runs a framework to
 * completion on agora dev": mesos-framework (github.com/tobilg/mesos-framework, Apache-2.0), a
 * JavaScript wrapper of Mesos' scheduler and executor HTTP APIs. It is installed at this exact version
 * into a temporary directory (never into the repository), and the test skips when the registry
 * cannot be reached, unless AGORA_REQUIRE_NPM=1 (then it fails).
 */
const PACKAGE = "mesos-framework@0.5.3";
const FRAMEWORK_SCRIPT = fileURLToPath(new URL("./harness/mesos-npm-framework.cjs", import.meta.url));
const run = promisify(execFile);

async function registryAnswers(): Promise<boolean> {
  try {
    await run("npm", ["view", PACKAGE, "version"], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

const reachable = await registryAnswers();
if (!reachable && process.env.AGORA_REQUIRE_NPM === "1")
  throw new Error(`the npm registry did not answer 'npm view ${PACKAGE}' and AGORA_REQUIRE_NPM=1`);

describe.skipIf(!reachable)(`an unchanged Mesos framework library from npm (${PACKAGE}) on agora dev`, () => {
  let dir: string;
  let prefix: string;
  let dev: DevCluster;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-mesos-npm-"));
    prefix = path.join(dir, "lib");
    // --ignore-scripts: nothing of the package runs but what the framework calls.
    await run(
      "npm",
      ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts", PACKAGE],
      {
        timeout: 180_000,
      },
    );
    dev = await startDevCluster({
      port: 0,
      host: "127.0.0.1",
      agents: 1,
      dataDir: path.join(dir, "agora"),
      cluster: "mesosnpm",
      agentResources: "cpus:2;mem:1024;ports:[31000-32000]",
      logger: pino({ level: "silent" }),
      timing: { allocationIntervalMs: 100, heartbeatIntervalSeconds: 1 },
      docker: false,
    });
  }, 240_000);

  afterAll(async () => {
    await dev?.stop();
    if (dir) {
      await expectNoOrphans(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("subscribes, launches its tasks, sees them FINISHED, acknowledges and tears down", async () => {
    // The library logs to ./logs under its working directory and fails without it.
    const cwd = path.join(dir, "framework");
    mkdirSync(path.join(cwd, "logs"), { recursive: true });
    const child = spawn(process.execPath, [FRAMEWORK_SCRIPT], {
      cwd,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        MESOS_FRAMEWORK_PREFIX: prefix,
        MASTER_PORT: new URL(dev.masterUrl).port,
        TASKS: "2",
        DEADLINE_MS: "50000",
      },
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    const updates = output.split("\n").filter((l) => l.startsWith("UPDATE "));
    expect(code, output).toBe(0);
    expect(output).toContain("ALL FINISHED");
    expect(updates.filter((l) => l.endsWith(" TASK_RUNNING"))).toHaveLength(2);
    expect(updates.filter((l) => l.endsWith(" TASK_FINISHED"))).toHaveLength(2);

    // Agora's side: the framework ran two tasks to TASK_FINISHED and was torn down, and the library's
    // ACKNOWLEDGE calls reached the agent (no update left to resend).
    const state = (await (await fetch(`${dev.masterUrl}/master/state`)).json()) as {
      completed_frameworks: Array<{ name: string; completed_tasks: Array<{ state: string }> }>;
    };
    const framework = state.completed_frameworks.find((f) => f.name === "mesos-framework-npm");
    expect(framework?.completed_tasks.map((t) => t.state)).toEqual(["TASK_FINISHED", "TASK_FINISHED"]);
    await waitFor(
      "the agent to hold no unacknowledged update",
      () => dev.agents[0]!.agent.pendingUpdates === 0,
    );
  }, 90_000);
});
