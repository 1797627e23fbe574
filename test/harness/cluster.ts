import { freePort } from "./ports.js";
import { httpJson, type Spawned, spawnAgora } from "./processes.js";
import { waitFor } from "./wait.js";

/** Starts `agora master` on loopback at a free port and waits until it leads; `extra` flags are appended. */
export async function startMaster(
  natsUrl: string,
  extra: string[] = [],
): Promise<{ proc: Spawned; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnAgora([
    "master",
    "--nats",
    natsUrl,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    ...extra,
  ]);
  // /health answers before the master leads; /master/state only once it does (503 until then).
  await waitFor("the master to lead", async () => (await fetch(`${url}/master/state`)).ok);
  return { proc, url };
}

export interface AgentSpec {
  workDir: string;
  port: number;
  resources: string;
  hostname?: string;
  attributes?: string;
  /** More flags, appended (e.g. `--credential FILE`). */
  extra?: string[];
}

/** Spawns `agora agent` on loopback; each test waits for its registration as it needs. */
export function spawnAgent(natsUrl: string, a: AgentSpec): Spawned {
  return spawnAgora([
    "agent",
    "--nats",
    natsUrl,
    "--host",
    "127.0.0.1",
    "--port",
    String(a.port),
    "--work-dir",
    a.workDir,
    "--resources",
    a.resources,
    ...(a.hostname ? ["--hostname", a.hostname] : []),
    ...(a.attributes ? ["--attributes", a.attributes] : []),
    ...(a.extra ?? []),
  ]);
}

/** Waits until the master at `masterUrl` lists `count` registered agents in /master/state. */
export async function waitForAgents(masterUrl: string, count: number): Promise<void> {
  await waitFor(
    `${count} agent(s) registered`,
    async () => (await httpJson<{ slaves: unknown[] }>(`${masterUrl}/master/state`)).slaves.length === count,
  );
}
