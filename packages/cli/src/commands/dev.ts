import { z } from "zod";
import { startDevCluster } from "../dev-cluster.js";
import {
  chronosJobFlags,
  chronosJobOptions,
  cluster,
  host,
  masterTiming,
  masterTimingFlags,
  masterTimingOptions,
  natsUrl,
  port,
  resourcesText,
} from "../flags.js";
import { createLogger } from "../logger.js";
import { type FlagSpec, parseOptions } from "../options.js";
import { stopOnSignal } from "../runtime.js";

export const devFlags: FlagSpec = {
  port: {
    type: "string",
    description: "HTTP port of the master and web UI (default 5050); agents use the next ports",
  },
  host: { type: "string", description: "address to bind to (default 127.0.0.1)" },
  agents: { type: "string", description: "number of agents to run (default 1)" },
  "data-dir": {
    type: "string",
    description: "where the master's registry and the agents' sandboxes live (default ./.agora)",
  },
  nats: { type: "string", description: "use this NATS server instead of the in-process bus" },
  "agent-resources": {
    type: "string",
    description: "resources of each agent (default: detected from this machine)",
  },
  cluster: { type: "string", description: "cluster name (default agora)" },
  "marathon-port": {
    type: "string",
    description: "port of Marathon's REST API (default 8080; 0 picks a free one; 'off' runs no Marathon)",
  },
  "chronos-port": {
    type: "string",
    description: "port of Chronos' API (default 4400; 0 picks a free one; 'off' runs no Chronos)",
  },
  ...chronosJobFlags,
  ...masterTimingFlags,
};

const DevOptions = z.object({
  port: port(5050),
  host: host("127.0.0.1"),
  agents: z.coerce.number().int().min(0).max(64).default(1),
  dataDir: z.string().min(1).default(".agora"),
  nats: natsUrl.optional(),
  agentResources: resourcesText.optional(),
  cluster,
  marathonPort: z.union([z.literal("off"), port(8080)]).default(8080),
  chronosPort: z.union([z.literal("off"), port(4400)]).default(4400),
  ...chronosJobOptions,
  ...masterTiming,
});

export async function runDev(argv: string[]): Promise<void> {
  const o = parseOptions("dev", argv, process.env, devFlags, DevOptions);
  const logger = createLogger("agora-dev");
  const {
    marathonPort,
    chronosPort,
    mesosTaskCpu,
    mesosTaskMem,
    mesosTaskDisk,
    user,
    failureRetry,
    disableAfterFailures,
    historySize,
    ...rest
  } = o;
  const dev = await startDevCluster({
    ...rest,
    timing: masterTimingOptions(o),
    logger,
    ...(marathonPort === "off" ? {} : { marathonPort }),
    ...(chronosPort === "off" ? {} : { chronosPort }),
    chronos: {
      jobDefaults: { cpus: mesosTaskCpu, mem: mesosTaskMem, disk: mesosTaskDisk, user },
      failureRetryMs: failureRetry,
      disableAfterFailures,
      historySize,
    },
  });
  logger.info(
    {
      master: dev.masterUrl,
      agents: dev.agents.map((a) => a.url),
      marathon: dev.marathonUrl,
      chronos: dev.chronosUrl,
    },
    "Agora dev mode is up",
  );
  const frameworks = [
    dev.marathonUrl ? `Marathon on ${dev.marathonUrl}` : undefined,
    dev.chronosUrl ? `Chronos on ${dev.chronosUrl}` : undefined,
  ].filter((f) => f !== undefined);
  process.stdout.write(
    `Agora dev mode: master on ${dev.masterUrl}, ${dev.agents.length} agent(s)${frameworks.map((f) => `, ${f}`).join("")}. Ctrl-C stops.\n`,
  );
  stopOnSignal(logger, dev.stop);
}
