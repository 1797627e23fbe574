import { JetStreamStateStore, type NatsBus } from "@agora/transport";
import { z } from "zod";
import {
  cluster,
  host,
  masterTiming,
  masterTimingFlags,
  masterTimingOptions,
  natsUrl,
  port,
} from "../flags.js";
import { createLogger } from "../logger.js";
import { type FlagSpec, parseOptions } from "../options.js";
import { startMasterRole } from "../roles.js";
import { openBus, stopOnSignal } from "../runtime.js";

export const masterFlags: FlagSpec = {
  nats: { type: "string", description: "NATS server URL(s), comma-separated (required)" },
  port: { type: "string", description: "HTTP port of the operator API (default 5050)" },
  host: { type: "string", description: "address to bind the HTTP API to (default 0.0.0.0)" },
  cluster: {
    type: "string",
    description: "cluster name, the namespace of every bus subject (default agora)",
  },
  "registry-replicas": {
    type: "string",
    description: "replicas of the JetStream KV registry bucket (default 1)",
  },
  ...masterTimingFlags,
};

const MasterOptions = z.object({
  nats: natsUrl,
  port: port(5050),
  host: host("0.0.0.0"),
  cluster,
  registryReplicas: z.coerce.number().int().min(1).max(5).default(1),
  ...masterTiming,
});

export async function runMaster(argv: string[]): Promise<void> {
  const o = parseOptions("master", argv, process.env, masterFlags, MasterOptions);
  const logger = createLogger("master");
  const bus = (await openBus(o.nats, "agora-master", logger)) as NatsBus;
  const store = await JetStreamStateStore.open(bus.connection, {
    bucket: `agora_${o.cluster}_registry`,
    replicas: o.registryReplicas,
  });
  const role = await startMasterRole({
    bus,
    store,
    cluster: o.cluster,
    host: o.host,
    port: o.port,
    logger,
    timing: masterTimingOptions(o),
  });
  stopOnSignal(logger, async () => {
    await role.stop();
    await store.close();
    await bus.close();
  });
}
