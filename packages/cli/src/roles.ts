import { mkdir } from "node:fs/promises";
import os from "node:os";
import {
  Agent,
  buildAgentHttp,
  detectCgroups,
  detectResources,
  probeDockerExecutor,
  ShellExecutor,
} from "@agora/agent";
import { type AuthenticationOptions, buildMasterHttp, Master, type MasterOptions } from "@agora/master";
import type { Attribute, Credential } from "@agora/protocol";
import { type Authorizer, type HttpSecurity, httpScheme } from "@agora/security";
import type { Bus, LeaderElection, StateStore } from "@agora/transport";
import type { Logger } from "pino";

/** A started role: where it listens and how to stop it. */
export interface RunningRole {
  readonly url: string;
  stop(): Promise<void>;
}

export interface MasterRoleOptions {
  bus: Bus;
  store: StateStore;
  cluster: string;
  host: string;
  port: number;
  logger: Logger;
  /** Timing overrides (allocation interval, offer timeout, ping timeouts); Mesos' defaults otherwise. */
  timing?: MasterTiming;
  /** Cluster mode: how this master contends for leadership (default: it leads alone). */
  election?: LeaderElection;
  /** Called when the master lost its leadership and stopped acting. */
  onDeposed?: (reason: string) => void;
  /** HTTP authentication, TLS and CORS of the operator API and the web UI (default: none). */
  security?: HttpSecurity;
  /** Mesos' ACLs (`--acls`) for the bus calls and the operator API (default: none, all allowed). */
  authorizer?: Authorizer;
  /** Which peers must authenticate on the bus, and the credentials they are checked against. */
  authentication?: AuthenticationOptions;
}

export type MasterTiming = Pick<
  MasterOptions,
  | "allocationIntervalMs"
  | "offerTimeoutMs"
  | "agentPingTimeoutMs"
  | "maxAgentPingTimeouts"
  | "heartbeatIntervalSeconds"
  | "frameworkTimeoutMs"
  | "agentReregisterTimeoutMs"
  | "registryFetchTimeoutMs"
  | "agentGoneTimeoutMs"
>;

/** HTTP first, so the master can advertise the port it really got (port 0 picks a free one). */
export async function startMasterRole(o: MasterRoleOptions): Promise<RunningRole & { master: Master }> {
  const master = new Master({
    bus: o.bus,
    store: o.store,
    cluster: o.cluster,
    hostname: os.hostname(),
    logger: o.logger,
    ...o.timing,
    ...(o.election ? { election: o.election } : {}),
    ...(o.onDeposed ? { onDeposed: o.onDeposed } : {}),
    ...(o.authorizer ? { authorizer: o.authorizer } : {}),
    ...(o.authentication ? { authentication: o.authentication } : {}),
  });
  const app = buildMasterHttp(master, {
    logger: o.logger,
    ...(o.security ? { security: o.security } : {}),
  });
  await app.listen({ host: o.host, port: o.port });
  const port = actualPort(app.server.address(), o.port);
  await master.start({ httpPort: port });
  const url = `${httpScheme(o.security)}://${displayHost(o.host)}:${port}`;
  o.logger.info({ url }, "master listening");
  return {
    master,
    url,
    async stop() {
      await master.stop();
      await app.close();
    },
  };
}

export interface AgentRoleOptions {
  bus: Bus;
  /** The principal and secret it registers with when the master authenticates agents. */
  credential?: Credential | undefined;
  cluster: string;
  host: string;
  port: number;
  workDir: string;
  resources: string | undefined;
  attributes: Attribute[];
  hostname: string | undefined;
  logger: Logger;
  /** Offer the Docker executor when a Docker daemon answers (default false). */
  docker?: boolean;
  /** Checkpoint the agent's id and tasks under the work dir and recover them on start (default false). */
  checkpoint?: boolean;
  /** Confine shell tasks in cgroups when a hierarchy is writable (default false: limits advisory). */
  cgroups?: boolean;
  /** HTTP authentication, TLS and CORS of the agent API (default: none). */
  security?: HttpSecurity;
  /** Mesos' ACLs (`--acls`): who may read which sandboxes (`access_sandboxes`; default: everyone). */
  authorizer?: Authorizer;
  /** Called with the agent before it starts, so a shutdown can reach it while it recovers or registers. */
  onAgent?: (agent: Agent) => void;
  /** Mesos' `--switch_user`: tasks run as their `command.user` (default true; needs root). */
  switchUser?: boolean;
  /** Whether containers may be privileged or bind host paths (default: neither, as on cluster agents). */
  containerPolicy?: { allowPrivileged: boolean; allowHostVolumes: boolean };
}

/** A running agent: `stop` kills its tasks by default only without checkpointing. */
export interface RunningAgentRole extends RunningRole {
  readonly agent: Agent;
  /** True when a Docker daemon answered and the agent offers the Docker executor. */
  readonly docker: boolean;
  stop(options?: { killTasks?: boolean }): Promise<void>;
}

export async function startAgentRole(o: AgentRoleOptions): Promise<RunningAgentRole> {
  await mkdir(o.workDir, { recursive: true });
  const resources = await detectResources({
    workDir: o.workDir,
    ...(o.resources ? { resources: o.resources } : {}),
  });
  const switchUser = o.switchUser ?? true;
  const docker = o.docker
    ? await probeDockerExecutor({
        logger: o.logger,
        switchUser,
        ...(o.containerPolicy ? { containerPolicy: o.containerPolicy } : {}),
      })
    : undefined;
  const cgroups = o.cgroups ? await detectCgroups() : undefined;
  const agent = new Agent({
    bus: o.bus,
    cluster: o.cluster,
    workDir: o.workDir,
    hostname: o.hostname ?? os.hostname(),
    resources,
    attributes: o.attributes,
    logger: o.logger,
    executors: {
      shell: new ShellExecutor({
        ...(cgroups ? { cgroups } : {}),
        recordExitStatus: o.checkpoint ?? false,
        switchUser,
      }),
      ...(docker ? { docker } : {}),
    },
    checkpoint: o.checkpoint ?? false,
    executorApi: { switchUser },
    ...(o.credential ? { credential: o.credential } : {}),
  });
  o.onAgent?.(agent);
  const app = buildAgentHttp(agent, {
    logger: o.logger,
    ...(o.security ? { security: o.security } : {}),
    ...(o.authorizer ? { authorizer: o.authorizer } : {}),
  });
  await app.listen({ host: o.host, port: o.port });
  const port = actualPort(app.server.address(), o.port);
  await agent.start({ httpPort: port });
  const url = `${httpScheme(o.security)}://${displayHost(o.host)}:${port}`;
  o.logger.info({ url, agentId: agent.id }, "agent registered");
  return {
    agent,
    url,
    docker: docker !== undefined,
    async stop({ killTasks = !(o.checkpoint ?? false) }: { killTasks?: boolean } = {}) {
      // As Mesos for checkpointing frameworks: a checkpointing agent leaves its tasks running for
      // the next agent process to recover, unless told to shut everything down.
      await agent.stop({ killTasks });
      await app.close();
    },
  };
}

function actualPort(address: ReturnType<import("node:net").Server["address"]>, fallback: number): number {
  return typeof address === "object" && address ? address.port : fallback;
}

function displayHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? os.hostname() : host;
}
