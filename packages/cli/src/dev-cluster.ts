import path from "node:path";
import type { Agent } from "@agora/agent";
import { type ChronosOptions, startChronos } from "@agora/chronos";
import { startMarathon } from "@agora/marathon";
import type { Master } from "@agora/master";
import type { Authorizer, HttpSecurity } from "@agora/security";
import { type Bus, FileStateStore } from "@agora/transport";
import type { Logger } from "pino";
import type { DevBusIdentity } from "./bus-identity.js";
import { type MasterTiming, type RunningRole, startAgentRole, startMasterRole } from "./roles.js";
import { openBus } from "./runtime.js";

export interface DevClusterOptions {
  /** Master HTTP port; agents take the following ports (0: every role picks a free port). */
  port: number;
  host: string;
  agents: number;
  dataDir: string;
  /** NATS URL; the in-process bus when absent. */
  nats?: string | undefined;
  agentResources?: string | undefined;
  cluster: string;
  logger: Logger;
  timing?: MasterTiming;
  /** Marathon's REST port (0: a free one); no Marathon when absent. Its state goes to `<dataDir>/marathon`. */
  marathonPort?: number | undefined;
  /** Chronos' API port (0: a free one); no Chronos when absent. Its state goes to `<dataDir>/chronos`. */
  chronosPort?: number | undefined;
  /** Offer the Docker executor on every agent when a Docker daemon answers (default false). */
  docker?: boolean;
  /** Chronos' job flags (`--failure-retry`, `--mesos-task-cpu`, …). */
  chronos?: Pick<ChronosOptions, "jobDefaults" | "failureRetryMs" | "disableAfterFailures" | "historySize">;
  /**
   * Bus identity (docs/security.md): the NATS user of the one bus every role shares, which peers the
   * master authenticates, and the credentials its agents and its Marathon and Chronos present.
   */
  busIdentity?: DevBusIdentity;
  /** HTTP authentication, TLS and CORS, the same for every role (one login session serves them all). */
  security?: HttpSecurity;
  /** Mesos' ACLs (`--acls`), the same for every role (default: none, all allowed). */
  authorizer?: Authorizer;
}

export interface DevCluster {
  readonly bus: Bus;
  readonly master: Master;
  readonly masterUrl: string;
  readonly agents: ReadonlyArray<{ agent: Agent; url: string; docker: boolean }>;
  /** True when the agents offer the Docker executor (a daemon answered and `docker` was asked for). */
  readonly docker: boolean;
  /** The data directory, resolved. */
  readonly dataDir: string;
  /** Marathon's REST API, when it runs. */
  readonly marathonUrl: string | undefined;
  /** Chronos' API, when it runs. */
  readonly chronosUrl: string | undefined;
  stop(): Promise<void>;
}

/** Dev mode: the master, N agents, Marathon and Chronos in one process, sharing one bus. */
export async function startDevCluster(o: DevClusterOptions): Promise<DevCluster> {
  const dataDir = path.resolve(o.dataDir);
  const bus = await openBus(o.nats, "agora-dev", o.logger, o.busIdentity?.nats);
  const store = await FileStateStore.open(path.join(dataDir, "master"));
  const roles: NamedRole[] = [];
  const stop = async () => {
    for (const role of roles.reverse()) await stopRole(role, o.logger);
    await store.close();
    await bus.close();
  };
  try {
    const master = await startMasterRole({
      bus,
      store,
      cluster: o.cluster,
      host: o.host,
      port: o.port,
      logger: o.logger.child({ role: "master" }),
      ...(o.busIdentity ? { authentication: o.busIdentity.authentication } : {}),
      ...(o.timing ? { timing: o.timing } : {}),
      ...(o.security ? { security: o.security } : {}),
      ...(o.authorizer ? { authorizer: o.authorizer } : {}),
    });
    roles.push({ name: "master", url: master.url, stop: () => master.stop() });
    const agents = [];
    for (let i = 0; i < o.agents; i++) {
      const agent = await startAgentRole({
        bus,
        cluster: o.cluster,
        host: o.host,
        port: o.port === 0 ? 0 : o.port + 1 + i,
        workDir: path.join(dataDir, "agents", String(i)),
        resources: o.agentResources,
        attributes: [],
        hostname: undefined,
        logger: o.logger.child({ role: "agent", index: i }),
        credential: o.busIdentity?.agentCredential,
        docker: o.docker ?? false,
        ...(o.security ? { security: o.security } : {}),
        ...(o.authorizer ? { authorizer: o.authorizer } : {}),
        // Dev mode is one person's machine with authentication off: its tasks already hold that
        // person's rights (Docker's included), so refusing privileged containers or host paths
        // would protect nothing and break common setups (mounting a checkout). A root dev agent
        // switches to each task's user as a cluster agent does; any other runs them all as itself
        // (Chronos' default user is root, which a non-root agent cannot become).
        switchUser: process.getuid?.() === 0,
        containerPolicy: { allowPrivileged: true, allowHostVolumes: true },
      });
      roles.push({ name: `agent ${i}`, url: agent.url, stop: () => agent.stop() });
      agents.push({ agent: agent.agent, url: agent.url, docker: agent.docker });
    }
    let marathonUrl: string | undefined;
    if (o.marathonPort !== undefined) {
      const marathonStore = await FileStateStore.open(path.join(dataDir, "marathon"));
      const marathon = await startMarathon({
        bus,
        store: marathonStore,
        cluster: o.cluster,
        host: o.host,
        port: o.marathonPort,
        hostname: o.host === "0.0.0.0" ? undefined : o.host,
        logger: o.logger.child({ role: "marathon" }),
        ...(o.busIdentity?.frameworkCredential ? { credential: o.busIdentity.frameworkCredential } : {}),
        ...(o.security ? { security: o.security } : {}),
        ...(o.authorizer ? { authorizer: o.authorizer } : {}),
      }).catch(async (e: unknown) => {
        await marathonStore.close();
        throw e;
      });
      marathonUrl = marathon.url;
      roles.push({
        name: "marathon",
        url: marathon.url,
        async stop() {
          await marathon.close();
          await marathonStore.close();
        },
      });
    }
    let chronosUrl: string | undefined;
    if (o.chronosPort !== undefined) {
      const chronosStore = await FileStateStore.open(path.join(dataDir, "chronos"));
      const chronos = await startChronos({
        bus,
        store: chronosStore,
        cluster: o.cluster,
        host: o.host,
        port: o.chronosPort,
        hostname: o.host === "0.0.0.0" ? undefined : o.host,
        logger: o.logger.child({ role: "chronos" }),
        ...(o.busIdentity?.frameworkCredential ? { credential: o.busIdentity.frameworkCredential } : {}),
        ...(o.security ? { security: o.security } : {}),
        ...(o.authorizer ? { authorizer: o.authorizer } : {}),
        ...o.chronos,
      }).catch(async (e: unknown) => {
        await chronosStore.close();
        throw e;
      });
      chronosUrl = chronos.url;
      roles.push({
        name: "chronos",
        url: chronos.url,
        async stop() {
          await chronos.close();
          await chronosStore.close();
        },
      });
    }
    return {
      bus,
      master: master.master,
      masterUrl: master.url,
      agents,
      docker: agents.some((a) => a.docker),
      dataDir,
      marathonUrl,
      chronosUrl,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

type NamedRole = RunningRole & { readonly name: string };

/** How often a role that has not stopped yet is named in the log, so a stuck shutdown says where. */
const STILL_STOPPING_LOG_MS = 5_000;

async function stopRole(role: NamedRole, logger: Logger): Promise<void> {
  const started = Date.now();
  const timer = setInterval(
    () => logger.warn({ role: role.name, waitedMs: Date.now() - started }, "still stopping"),
    STILL_STOPPING_LOG_MS,
  );
  try {
    await role.stop();
  } finally {
    clearInterval(timer);
  }
  logger.info({ role: role.name, tookMs: Date.now() - started }, "stopped");
}
