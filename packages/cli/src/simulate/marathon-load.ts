import { z } from "zod";
import { startFrameworkProcess } from "./cluster.js";
import { SIM_LABELS } from "./workload.js";

/** Marathon's tasks run "forever" in the simulation: a service is up until it is scaled down. */
const SERVICE_RUN_MS = 24 * 3_600_000;

const AppsAnswer = z.object({ apps: z.array(z.object({ id: z.string(), tasksRunning: z.number() })) });

/** Marathon apps deployed by the simulator through a real `agora marathon` process. */
export interface MarathonLoad {
  readonly wanted: number;
  /** The `agora marathon` process, for its CPU. */
  readonly pid: number;
  /** Instances running at the last poll (polled in the background). */
  running(): number;
  settled(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts `agora marathon` on the cluster's NATS and POSTs `apps` apps of `instances` no-op
 * instances each (0.1 cpu, 32 MB) to its `/v2/apps`, as a Marathon user would; then polls
 * `/v2/apps` for how many run.
 */
export async function deployMarathonApps(o: {
  nats: string;
  cluster: string;
  apps: number;
  instances: number;
  stateDir: string;
}): Promise<MarathonLoad> {
  const marathon = await startFrameworkProcess("marathon", o);
  try {
    for (let i = 0; i < o.apps; i++) {
      const r = await fetch(`${marathon.url}/v2/apps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          id: `/simulate/app-${i}`,
          cmd: "true",
          cpus: 0.1,
          mem: 32,
          instances: o.instances,
          labels: { [SIM_LABELS.runMs]: String(SERVICE_RUN_MS) },
        }),
      });
      if (!r.ok) throw new Error(`POST ${marathon.url}/v2/apps answered ${r.status}: ${await r.text()}`);
    }
  } catch (err) {
    await marathon.stop();
    throw err;
  }
  const wanted = o.apps * o.instances;
  let running = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      try {
        const r = await fetch(`${marathon.url}/v2/apps`, { signal: AbortSignal.timeout(30_000) });
        const parsed = AppsAnswer.safeParse(await r.json());
        if (parsed.success) running = parsed.data.apps.reduce((s, a) => s + a.tasksRunning, 0);
      } catch {
        // Marathon busy: the next poll tells.
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return {
    wanted,
    pid: marathon.pid,
    running: () => running,
    settled: () => running >= wanted,
    async stop() {
      polling = false;
      await poll;
      await marathon.stop();
    },
  };
}
