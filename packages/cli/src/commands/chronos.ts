import { randomUUID } from "node:crypto";
import path from "node:path";
import { startChronos } from "@agora/chronos";
import {
  FileStateStore,
  JetStreamStateStore,
  type NatsBus,
  openJetStreamLeaderElection,
  type StateStore,
} from "@agora/transport";
import { z } from "zod";
import { aclOptions, authorizerFrom } from "../acl-flags.js";
import {
  frameworkCredential,
  frameworkCredentialOptions,
  natsIdentity,
  natsIdentityOptions,
} from "../bus-identity.js";
import { chronosJobOptions, cluster, duration, host, natsUrl, port } from "../flags.js";
import { httpSecurityFrom, httpSecurityOptions } from "../http-flags.js";
import { createLogger } from "../logger.js";
import { type FlagValues, parseOptions } from "../options.js";
import { chronosFlags } from "../role-flags.js";
import { openBus, stopOnSignal } from "../runtime.js";

const ChronosCliOptions = z.object({
  nats: natsUrl,
  ...httpSecurityOptions,
  ...aclOptions,
  ...natsIdentityOptions,
  ...frameworkCredentialOptions,
  httpPort: port(4400),
  host: host("0.0.0.0"),
  hostname: z.string().min(1).optional(),
  cluster,
  mesosRole: z.string().min(1).default("*"),
  stateDir: z.string().min(1).optional(),
  registryReplicas: z.coerce.number().int().min(1).max(5).default(1),
  failoverTimeout: z.coerce.number().nonnegative().default(604_800),
  leaderLease: duration.default(5_000),
  ...chronosJobOptions,
});

/**
 * Chronos as its own process: state in JetStream KV and a leader elected among every `agora
 * chronos` of the cluster (standbys forward the API to the leader), or with `--state-dir` a single
 * Chronos with a file store. Losing leadership ends the process, as Chronos does.
 */
export async function runChronos(values: FlagValues): Promise<void> {
  const o = parseOptions("chronos", values, process.env, chronosFlags, ChronosCliOptions);
  const security = await httpSecurityFrom("chronos", o);
  const authorizer = await authorizerFrom("chronos", o);
  const credential = await frameworkCredential("chronos", o);
  const identity = await natsIdentity("chronos", o);
  const logger = createLogger("chronos");
  const bus = await openBus(o.nats, "agora-chronos", logger, identity);
  const store: StateStore = o.stateDir
    ? await FileStateStore.open(path.resolve(o.stateDir), { logger })
    : await JetStreamStateStore.open((bus as NatsBus).connection, {
        bucket: `agora_${o.cluster}_chronos`,
        replicas: o.registryReplicas,
      });
  const chronos = await startChronos({
    security,
    ...(authorizer ? { authorizer } : {}),
    ...(credential ? { credential } : {}),
    bus,
    store,
    cluster: o.cluster,
    logger,
    host: o.host,
    port: o.httpPort,
    ...(o.hostname ? { hostname: o.hostname } : {}),
    role: o.mesosRole,
    failoverTimeoutSeconds: o.failoverTimeout,
    jobDefaults: { cpus: o.mesosTaskCpu, mem: o.mesosTaskMem, disk: o.mesosTaskDisk, user: o.user },
    failureRetryMs: o.failureRetry,
    disableAfterFailures: o.disableAfterFailures,
    historySize: o.historySize,
    config: { master: o.nats, mesos_role: o.mesosRole, http_port: o.httpPort, zk_hosts: null },
    ...(o.stateDir
      ? {}
      : {
          election: (address: string) =>
            openJetStreamLeaderElection(bus as NatsBus, {
              name: `agora-${o.cluster}-chronos`,
              id: `chronos-${randomUUID()}`,
              address,
              ttlMs: o.leaderLease,
              replicas: o.registryReplicas,
              logger,
            }),
        }),
    onDeposed: (reason) => {
      // As Chronos: a deposed leader exits and its supervisor starts it again as a standby.
      logger.warn({ reason }, "leadership lost: exiting");
      void store.close().finally(() => bus.close().finally(() => process.exit(1)));
    },
  });
  process.stdout.write(`Chronos on ${chronos.url}\n`);
  stopOnSignal(logger, async () => {
    await chronos.close();
    await store.close();
    await bus.close();
  });
}
