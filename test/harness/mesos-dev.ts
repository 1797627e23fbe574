import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type DevCluster, type DevClusterOptions, startDevCluster } from "@agora/cli";
import { pino } from "pino";
import { MesosSchedulerClient } from "./mesos-scheduler.js";
import { expectNoOrphans } from "./processes.js";

/** `agora dev` in this process for the Mesos v1 tests, and the raw Mesos scheduler clients they open. */
export interface MesosDev {
  readonly dev: DevCluster;
  readonly dir: string;
  readonly url: string;
  /** SUBSCRIBEs a raw Mesos framework (user root), waits for SUBSCRIBED; closed by `stop`. */
  subscribe(
    frameworkInfo: Record<string, unknown>,
    extra?: Record<string, unknown>,
  ): Promise<MesosSchedulerClient>;
  /** Has `client` (an operator stream, say) closed by `stop` too. */
  own(client: MesosSchedulerClient): MesosSchedulerClient;
  /** Closes the clients, stops the cluster, checks nothing it started outlives it, removes its directory. */
  stop(): Promise<void>;
}

/** One agent, fast allocation and heartbeats; `options` adds or overrides (resources, Docker, frameworks). */
export async function startMesosDev(
  cluster: string,
  options: Partial<Omit<DevClusterOptions, "cluster" | "dataDir">> = {},
): Promise<MesosDev> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `agora-${cluster}-`));
  const clients: MesosSchedulerClient[] = [];
  const stop = async () => {
    for (const c of clients) c.close();
    await dev?.stop();
    await expectNoOrphans(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  let dev: DevCluster | undefined;
  try {
    dev = await startDevCluster({
      port: 0,
      host: "127.0.0.1",
      agents: 1,
      agentResources: "cpus:2;mem:1024",
      logger: pino({ level: "silent" }),
      timing: { allocationIntervalMs: 100, heartbeatIntervalSeconds: 1 },
      docker: false,
      ...options,
      cluster,
      dataDir: path.join(dir, "agora"),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const url = dev.masterUrl;
  return {
    dev,
    dir,
    url,
    async subscribe(frameworkInfo, extra = {}) {
      const client = await MesosSchedulerClient.subscribe(url, {
        type: "SUBSCRIBE",
        subscribe: { framework_info: { user: "root", ...frameworkInfo } },
        ...extra,
      });
      clients.push(client);
      await client.next("SUBSCRIBED");
      return client;
    },
    own(client) {
      clients.push(client);
      return client;
    },
    stop,
  };
}
