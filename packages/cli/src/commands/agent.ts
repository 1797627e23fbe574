import path from "node:path";
import type { Agent } from "@agora/agent";
import type { Bus } from "@agora/transport";
import { z } from "zod";
import { aclOptions, authorizerFrom } from "../acl-flags.js";
import {
  agentCredential,
  agentCredentialOptions,
  natsIdentity,
  natsIdentityOptions,
} from "../bus-identity.js";
import { attributesText, cluster, host, natsUrl, port, resourcesText } from "../flags.js";
import { httpSecurityFrom, httpSecurityOptions } from "../http-flags.js";
import { createLogger } from "../logger.js";
import { type FlagValues, parseOptions } from "../options.js";
import { agentFlags } from "../role-flags.js";
import { startAgentRole } from "../roles.js";
import { openBus, stopOnSignal } from "../runtime.js";

const AgentOptions = z.object({
  nats: natsUrl,
  port: port(5051),
  host: host("0.0.0.0"),
  workDir: z.string().min(1).default(".agora/agent"),
  resources: resourcesText.optional(),
  attributes: attributesText.optional(),
  hostname: z.string().min(1).optional(),
  cluster,
  ...httpSecurityOptions,
  ...aclOptions,
  ...natsIdentityOptions,
  ...agentCredentialOptions,
  // --switch-user and --no-switch-user are one switch (commander sets `switchUser` from either);
  // `noSwitchUser` comes only from AGORA_NO_SWITCH_USER.
  switchUser: z.boolean().optional(),
  noSwitchUser: z.boolean().optional(),
  allowPrivilegedContainers: z.boolean().default(false),
  allowHostVolumes: z.boolean().default(false),
});

export async function runAgent(values: FlagValues): Promise<void> {
  const o = parseOptions("agent", values, process.env, agentFlags, AgentOptions);
  const security = await httpSecurityFrom("agent", o);
  const authorizer = await authorizerFrom("agent", o);
  const credential = await agentCredential("agent", o.credential);
  const identity = await natsIdentity("agent", o);
  const logger = createLogger("agent");
  // SIGUSR1 shuts the agent down with its tasks, as Mesos' agent does on SIGUSR1. Listened for first:
  // without a listener Node takes SIGUSR1 as "start the inspector", so an agent still starting
  // (recovering, or registering while no master answers) ran on with its tasks until SIGKILLed.
  let agent: Agent | undefined;
  let openedBus: Bus | undefined;
  process.once("SIGUSR1", () => {
    logger.info({ signal: "SIGUSR1" }, "shutting down and killing every task");
    (agent?.stop({ killTasks: true }) ?? Promise.resolve())
      .then(() => openedBus?.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
  });
  const bus = await openBus(o.nats, "agora-agent", logger, identity);
  openedBus = bus;
  const role = await startAgentRole({
    bus,
    cluster: o.cluster,
    host: o.host,
    port: o.port,
    workDir: path.resolve(o.workDir),
    resources: o.resources,
    attributes: o.attributes ?? [],
    hostname: o.hostname,
    logger,
    // Containers and checkpointed tasks outlive the agent process; a restarted agent recovers them.
    security,
    ...(authorizer ? { authorizer } : {}),
    credential,
    docker: true,
    checkpoint: true,
    cgroups: true,
    switchUser: o.switchUser ?? !(o.noSwitchUser ?? false),
    containerPolicy: { allowPrivileged: o.allowPrivilegedContainers, allowHostVolumes: o.allowHostVolumes },
    onAgent: (created) => {
      agent = created;
    },
  });
  // SIGTERM/SIGINT leave the (checkpointed) tasks running for the next agent process.
  stopOnSignal(logger, async () => {
    await role.stop();
    await bus.close();
  });
}
