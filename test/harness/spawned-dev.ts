import { rmSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { freePortRun, freePorts } from "./ports.js";
import { expectNoOrphans, type Spawned, spawnAgora } from "./processes.js";

/** A spawned `agora dev` and where its roles listen. */
export interface SpawnedDev {
  readonly dev: Spawned;
  readonly master: string;
  /** The dev agent's HTTP API: the master's port + 1. */
  readonly agent: string;
  readonly marathon: string;
  readonly chronos: string;
}

/**
 * `agora dev` as its own process (the built CLI) on free loopback ports, its data under `dir`, Docker
 * off, quiet logs (`logLevel`); `args` adds flags (credentials, ACLs, resources …).
 */
export async function spawnDev(dir: string, args: readonly string[], logLevel = "warn"): Promise<SpawnedDev> {
  const port = await freePortRun(2);
  const [mPort, cPort] = (await freePorts(4)).filter((p) => p !== port && p !== port + 1);
  const dev = spawnAgora(
    [
      "dev",
      ...["--port", String(port), "--marathon-port", String(mPort), "--chronos-port", String(cPort)],
      ...["--data-dir", path.join(dir, "data"), "--docker", "off"],
      ...args,
    ],
    { AGORA_LOG_LEVEL: logLevel },
  );
  return {
    dev,
    master: `http://127.0.0.1:${port}`,
    agent: `http://127.0.0.1:${port + 1}`,
    marathon: `http://127.0.0.1:${mPort}`,
    chronos: `http://127.0.0.1:${cPort}`,
  };
}

/**
 * Stops `dev`, which must exit 0 (a loaded machine can take more than 10 s to stop Chronos, Marathon,
 * the agent with its tasks and the master: it gets `graceMs`), checks nothing it started outlives it
 * and removes `dir`. Either may be undefined when `beforeAll` failed early.
 */
export async function stopDev(
  dev: Spawned | undefined,
  dir: string | undefined,
  graceMs = 30_000,
): Promise<void> {
  if (dev) {
    const code = await dev.stop("SIGTERM", graceMs);
    expect(code, `agora dev's output:\n${dev.stdout().slice(-4000)}\n${dev.stderr().slice(-4000)}`).toBe(0);
  }
  if (dir) {
    await expectNoOrphans(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
