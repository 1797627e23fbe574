import { Scheduler } from "@agora/framework-sdk";
import type { Bus, Clock, StateStore } from "@agora/transport";
import type { Logger } from "pino";
import type { MarathonInfo } from "../service.js";
import { MAX_RUNNING_DEPLOYMENTS } from "./deployment-admission.js";
import type { ReadinessProbe } from "./readiness.js";

export interface MarathonRuntimeOptions {
  bus: Bus;
  /** Where apps, versions, deployments and instances live (file store in dev mode, JetStream KV in a cluster). */
  store: StateStore;
  /** Subject namespace of the Agora cluster. Default "agora". */
  cluster?: string;
  logger?: Logger;
  clock?: Clock;
  /** Marathon's `--mesos_role`: the role it subscribes in. Default `*`. */
  role?: string;
  /** Default "marathon". */
  frameworkName?: string;
  /** The principal it subscribes as, with its secret when the master authenticates frameworks (`--principal`, `--secret-file`); default: none. */
  credential?: { principal: string; secret?: string | undefined };
  /** Seconds the master keeps Marathon's tasks while it is away (Marathon's default: one week). */
  failoverTimeoutSeconds?: number;
  /** How long declined offers stay away (Marathon's `--decline_offer_duration`, 120 s). */
  declineOfferSeconds?: number;
  /** This Marathon's HTTP port and host, for `/v2/info` and the framework's web UI URL. */
  httpPort?: number;
  hostname?: string;
  /** The scheme of the `webuiUrl` it registers: `https` when the API serves TLS (default http). */
  webuiScheme?: "http" | "https";
  /** Marathon's `--max_running_deployments`: more deployments at once are refused (403). Default 100. */
  maxRunningDeployments?: number;
  /** Who leads, from the leader election; default: this one, always. */
  leadership?: () => { elected: boolean; leader: string | undefined };
  /** Flags to show under `marathon_config` in `/v2/info`. */
  config?: Record<string, unknown>;
  /** DELETE /v2/leader: step down (close the candidacy); absent: abdication is not supported. */
  onAbdicate?: () => Promise<void>;
  newId?: () => string;
  /** How readiness checks reach instances (default: HTTP with `fetch`). */
  readinessProbe?: ReadinessProbe;
}

/** Marathon's `--failover_timeout` default: one week. */
export const ONE_WEEK_SECONDS = 7 * 24 * 3600;
/** Marathon's `--decline_offer_duration` default. */
export const DECLINE_OFFER_SECONDS = 120;

/** `/v2/info` from the options: who leads (this one, unless an election says otherwise) and the flags. */
export function marathonInfo(
  opts: MarathonRuntimeOptions,
  frameworkId: string | undefined,
  httpPort: number,
): MarathonInfo {
  const lead = opts.leadership?.() ?? {
    elected: true,
    leader: `${opts.hostname ?? "localhost"}:${httpPort}`,
  };
  return {
    name: "marathon",
    version: "1.10.0-agora",
    frameworkId,
    leader: lead.leader,
    elected: lead.elected,
    config: {
      mesos_role: opts.role ?? "*",
      failover_timeout: opts.failoverTimeoutSeconds ?? ONE_WEEK_SECONDS,
      decline_offer_duration: (opts.declineOfferSeconds ?? DECLINE_OFFER_SECONDS) * 1000,
      max_running_deployments: opts.maxRunningDeployments ?? MAX_RUNNING_DEPLOYMENTS,
      checkpoint: true,
      ...opts.config,
    },
    httpPort,
  };
}

/** The SDK client Marathon subscribes with: a checkpointing framework in its role, failing over to `frameworkId`. */
export function frameworkScheduler(
  opts: MarathonRuntimeOptions,
  frameworkId: string | undefined,
  httpPort: number,
  logger: Logger,
  clock: Clock,
): Scheduler {
  return new Scheduler({
    bus: opts.bus,
    ...(opts.credential ? { credential: opts.credential } : {}),
    ...(opts.cluster ? { cluster: opts.cluster } : {}),
    logger,
    clock,
    framework: {
      name: opts.frameworkName ?? "marathon",
      roles: [opts.role ?? "*"],
      checkpoint: true,
      failoverTimeout: opts.failoverTimeoutSeconds ?? ONE_WEEK_SECONDS,
      ...(frameworkId ? { id: frameworkId } : {}),
      ...(opts.hostname
        ? {
            hostname: opts.hostname,
            webuiUrl: `${opts.webuiScheme ?? "http"}://${opts.hostname}:${httpPort}`,
          }
        : {}),
    },
  });
}
