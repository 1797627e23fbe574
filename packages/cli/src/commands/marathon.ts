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
import { aclOptions, authorizerFrom } from "../acl-flags.js";
import {
  frameworkCredential,
  frameworkCredentialOptions,
  natsIdentity,
  natsIdentityOptions,
} from "../bus-identity.js";
import { cluster, duration, host, natsUrl, port } from "../flags.js";
import { httpSecurityFrom, httpSecurityOptions } from "../http-flags.js";
import { createLogger } from "../logger.js";
import { type FlagValues, parseOptions } from "../options.js";
import { marathonFlags } from "../role-flags.js";
import { openBus, stopOnSignal } from "../runtime.js";

const MarathonOptions = z.object({
  nats: natsUrl,
  ...httpSecurityOptions,
  ...aclOptions,
  ...natsIdentityOptions,
  ...frameworkCredentialOptions,
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
  const security = await httpSecurityFrom("marathon", o);
  const authorizer = await authorizerFrom("marathon", o);
  const credential = await frameworkCredential("marathon", o);
  const identity = await natsIdentity("marathon", o);
  const logger = createLogger("marathon");
  const bus = await openBus(o.nats, "agora-marathon", logger, identity);
  const store: StateStore = o.stateDir
    ? await FileStateStore.open(path.resolve(o.stateDir), { logger })
    : await JetStreamStateStore.open((bus as NatsBus).connection, {
        bucket: `agora_${o.cluster}_marathon`,
        replicas: o.registryReplicas,
      });
  const marathon = await startMarathon({
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
