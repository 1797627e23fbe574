import { randomUUID } from "node:crypto";
import path from "node:path";
import { startMarathon } from "@agora/marathon";
import {
  FileStateStore,
  JetStreamStateStore,
  type NatsBus,
  openJetStreamLeaderElection,
  type StateStore,
} from "@agora/transport";
import { z } from "zod";
import { cluster, duration, host, natsUrl, port } from "../flags.js";
import { createLogger } from "../logger.js";
import { type FlagSpec, type FlagValues, parseOptions } from "../options.js";
import { openBus, stopOnSignal } from "../runtime.js";

export const marathonFlags: FlagSpec = {
  nats: { type: "string", description: "NATS server URL(s), comma-separated (required)" },
  "http-port": { type: "string", description: "port of the Marathon REST API (default 8080)" },
  host: { type: "string", description: "address to bind the REST API to (default 0.0.0.0)" },
  hostname: {
    type: "string",
    description: "name other Marathons and clients reach this one by (default: this machine's)",
  },
  cluster: {
    type: "string",
    description: "cluster name, the namespace of every bus subject (default agora)",
  },
  "mesos-role": { type: "string", description: "role Marathon subscribes in (default *)" },
  "state-dir": {
    type: "string",
    description:
      "keep state in a file store in this directory and lead alone (default: JetStream KV, with leader election among every Marathon of the cluster)",
  },
  "registry-replicas": {
    type: "string",
    description: "replicas of the JetStream KV buckets for state and the leader lease (default 1)",
  },
  "failover-timeout": {
    type: "string",
    description: "seconds the master keeps Marathon's tasks while no Marathon is subscribed (default 604800)",
  },
  "decline-offer-duration": {
    type: "string",
    description: "how long declined offers stay away, e.g. 120secs (default 120secs, as Marathon)",
  },
  "max-running-deployments": {
    type: "string",
    description: "deployments that may run at once; more are refused with 403 (default 100, as Marathon)",
  },
  "leader-lease": {
    type: "string",
    description:
      "how long a leader's lease outlives its last renewal, the longest failover wait (default 5secs)",
  },
};

const MarathonOptions = z.object({
  nats: natsUrl,
  httpPort: port(8080),
  host: host("0.0.0.0"),
  hostname: z.string().min(1).optional(),
  cluster,
  mesosRole: z.string().min(1).default("*"),
  stateDir: z.string().min(1).optional(),
  registryReplicas: z.coerce.number().int().min(1).max(5).default(1),
  failoverTimeout: z.coerce.number().nonnegative().default(604_800),
  declineOfferDuration: duration.default(120_000),
  leaderLease: duration.default(5_000),
  maxRunningDeployments: z.coerce.number().int().min(1).default(100),
});

/**
 * Marathon as its own process: state in JetStream KV and a leader elected among every `agora
 * marathon` of the cluster (standbys proxy the REST API to the leader), or with `--state-dir` a
 * single Marathon with a file store. Losing leadership ends the process, as Marathon does.
 */
export async function runMarathon(values: FlagValues): Promise<void> {
  const o = parseOptions("marathon", values, process.env, marathonFlags, MarathonOptions);
  const logger = createLogger("marathon");
  const bus = await openBus(o.nats, "agora-marathon", logger);
  const store: StateStore = o.stateDir
    ? await FileStateStore.open(path.resolve(o.stateDir), { logger })
    : await JetStreamStateStore.open((bus as NatsBus).connection, {
        bucket: `agora_${o.cluster}_marathon`,
        replicas: o.registryReplicas,
      });
  const marathon = await startMarathon({
    bus,
    store,
    cluster: o.cluster,
    logger,
    host: o.host,
    port: o.httpPort,
    ...(o.hostname ? { hostname: o.hostname } : {}),
    role: o.mesosRole,
    failoverTimeoutSeconds: o.failoverTimeout,
    declineOfferSeconds: o.declineOfferDuration / 1000,
    maxRunningDeployments: o.maxRunningDeployments,
    config: { master: o.nats, mesos_role: o.mesosRole, http_port: o.httpPort, zk: null },
    ...(o.stateDir
      ? {}
      : {
          election: (address: string) =>
            openJetStreamLeaderElection(bus as NatsBus, {
              name: `agora-${o.cluster}-marathon`,
              id: `marathon-${randomUUID()}`,
              address,
              ttlMs: o.leaderLease,
              replicas: o.registryReplicas,
              logger,
            }),
        }),
    onDeposed: (reason) => {
      // As Marathon: a deposed leader exits and its supervisor starts it again as a standby.
      logger.warn({ reason }, "leadership lost: exiting");
      void store
        .close()
        .finally(() => bus.close().finally(() => process.exit(reason === "abdicated" ? 0 : 1)));
    },
  });
  process.stdout.write(`Marathon on ${marathon.url}\n`);
  stopOnSignal(logger, async () => {
    await marathon.close();
    await store.close();
    await bus.close();
  });
}
