import { randomUUID } from "node:crypto";
import os from "node:os";
import { httpScheme } from "@agora/security";
import { JetStreamStateStore, type NatsBus, openJetStreamLeaderElection } from "@agora/transport";
import { z } from "zod";
import { aclOptions, authorizerFrom } from "../acl-flags.js";
import {
  masterAuthentication,
  masterAuthenticationOptions,
  natsIdentity,
  natsIdentityOptions,
} from "../bus-identity.js";
import { cluster, duration, host, masterTiming, masterTimingOptions, natsUrl, port } from "../flags.js";
import { httpSecurityFrom, httpSecurityOptions } from "../http-flags.js";
import { createLogger } from "../logger.js";
import { type FlagValues, parseOptions } from "../options.js";
import { masterFlags } from "../role-flags.js";
import { startMasterRole } from "../roles.js";
import { openBus, stopOnSignal } from "../runtime.js";

const MasterOptions = z.object({
  nats: natsUrl,
  ...httpSecurityOptions,
  ...aclOptions,
  ...natsIdentityOptions,
  ...masterAuthenticationOptions,
  port: port(5050),
  host: host("0.0.0.0"),
  cluster,
  registryReplicas: z.coerce.number().int().min(1).max(5).default(1),
  advertiseIp: z.string().min(1).optional(),
  advertisePort: z.coerce.number().int().min(1).max(65535).optional(),
  leaderLeaseTtl: duration.optional(),
  ...masterTiming,
});

/**
 * `agora master`: one of the cluster's masters. Every master contends for the leader lease in
 * JetStream KV; the one elected acts, the others stand by (HTTP redirects to the leader). A master
 * that loses its lease exits with status 1 (as a Mesos master aborts), to be restarted as a standby.
 */
export async function runMaster(values: FlagValues): Promise<void> {
  const o = parseOptions("master", values, process.env, masterFlags, MasterOptions);
  const security = await httpSecurityFrom("master", o);
  const authorizer = await authorizerFrom("master", o);
  const authentication = await masterAuthentication("master", o);
  const identity = await natsIdentity("master", o);
  const logger = createLogger("master");
  const bus = (await openBus(o.nats, "agora-master", logger, identity)) as NatsBus;
  const store = await JetStreamStateStore.open(bus.connection, {
    bucket: `agora_${o.cluster}_registry`,
    replicas: o.registryReplicas,
  });
  const advertisedHost = o.advertiseIp ?? (isWildcard(o.host) ? os.hostname() : o.host);
  // The lease on a connection of its own: on the master's, nats-server held 21 MB of status updates
  // ahead of a renewal's answer in a 5,000-agent launch burst, and a healthy master lost its lease.
  const leaseBus = (await openBus(o.nats, "agora-master-lease", logger, identity)) as NatsBus;
  const election = await openJetStreamLeaderElection(leaseBus, {
    name: `agora_${o.cluster}_master`,
    id: `${os.hostname()}-${o.port}-${randomUUID().slice(0, 8)}`,
    address: `${httpScheme(security)}://${advertisedHost}:${o.advertisePort ?? o.port}`,
    replicas: o.registryReplicas,
    ...(o.leaderLeaseTtl === undefined ? {} : { ttlMs: o.leaderLeaseTtl }),
    logger,
  });
  const role = await startMasterRole({
    bus,
    store,
    cluster: o.cluster,
    host: o.host,
    port: o.port,
    logger,
    security,
    ...(authorizer ? { authorizer } : {}),
    authentication,
    timing: masterTimingOptions(o),
    election,
    onDeposed: (reason) => {
      logger.fatal({ reason }, "this master lost its leadership; exiting so it restarts as a standby");
      process.exit(1);
    },
  });
  stopOnSignal(logger, async () => {
    await role.stop();
    await store.close();
    await bus.close();
    await leaseBus.close();
  });
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::";
}
