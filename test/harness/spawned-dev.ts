import path from "node:path";
import { freePortRun, freePorts } from "./ports.js";
import { type Spawned, spawnAgora } from "./processes.js";

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
 * off, quiet logs; `args` adds flags (credentials, ACLs, resources …).
 */
export async function spawnDev(dir: string, args: readonly string[]): Promise<SpawnedDev> {
  const port = await freePortRun(2);
  const [mPort, cPort] = (await freePorts(4)).filter((p) => p !== port && p !== port + 1);
  const dev = spawnAgora(
    [
      "dev",
      ...["--port", String(port), "--marathon-port", String(mPort), "--chronos-port", String(cPort)],
      ...["--data-dir", path.join(dir, "data"), "--docker", "off"],
      ...args,
    ],
    { AGORA_LOG_LEVEL: "warn" },
  );
  return {
    dev,
    master: `http://127.0.0.1:${port}`,
    agent: `http://127.0.0.1:${port + 1}`,
    marathon: `http://127.0.0.1:${mPort}`,
    chronos: `http://127.0.0.1:${cPort}`,
  };
}
