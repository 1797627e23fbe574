import { DEFAULT_CLUSTER } from "@agora/protocol";
import type { Authorizer } from "@agora/security";
import { type Bus, type Clock, type LeaderElection, type StateStore, systemClock } from "@agora/transport";
import { type Logger, pino } from "pino";
import type { Allocator } from "./allocator/drf-allocator.js";
import type { AuthenticationOptions } from "./authentication.js";

/** What a master needs to run; everything but `bus` and `store` has a Mesos-like default. */
export interface MasterOptions {
  bus: Bus;
  store: StateStore;
  /** Cluster name, the subject namespace (default `agora`). */
  cluster?: string;
  /** Reported in MasterInfo and `/master/state` (default: the OS hostname). */
  hostname?: string;
  logger?: Logger;
  clock?: Clock;
  /** Batch allocation period (Mesos `allocation_interval`, default 1000 ms). */
  allocationIntervalMs?: number;
  /** Offers are rescinded after this long; undefined means never, as in Mesos. */
  offerTimeoutMs?: number;
  /** Ping period and per-ping timeout (Mesos `agent_ping_timeout`, default 15000 ms). */
  agentPingTimeoutMs?: number;
  /** Consecutive missed pings before an agent is removed (Mesos default 5). */
  maxAgentPingTimeouts?: number;
  /** Period of heartbeat events to frameworks (default 15 s). */
  heartbeatIntervalSeconds?: number;
  /**
   * A framework no call (its heartbeats included) came from for this long is disconnected; its
   * tasks run on for its `failoverTimeout` (default 3 heartbeat intervals).
   */
  frameworkTimeoutMs?: number;
  /** Size of each framework's completed-tasks ring (default 1000, as Mesos). */
  maxCompletedTasksPerFramework?: number;
  /** Size of the completed-frameworks ring (default 50, as Mesos). */
  maxCompletedFrameworks?: number;
  /** The allocation policy (default: `DrfAllocator`). */
  allocator?: Allocator;
  /**
   * How this master becomes the leader (default: `AlwaysLeader`, a lone master). With a lease
   * election (cluster mode) the master stands by until elected; the election's candidate address is
   * where standbys redirect HTTP requests.
   */
  election?: LeaderElection;
  /**
   * After taking over, agents known from the registry that have not reregistered within this long
   * are marked unreachable (Mesos `agent_reregister_timeout`, default 10 min).
   */
  agentReregisterTimeoutMs?: number;
  /**
   * How long a newly elected master keeps retrying its registry reads while it holds the lease
   * (Mesos `registry_fetch_timeout`, default 1 min). Past it the master resigns through `onDeposed`.
   * Retrying, not resigning at the first timeout, is what lets a takeover ride out a JetStream
   * re-election after a NATS node died: otherwise every standby wins the lease, times out and exits in turn.
   */
  registryFetchTimeoutMs?: number;
  /**
   * An agent unreachable for this long is marked gone, as the operator's `/master/agents/:id/gone`
   * does: its tasks become GONE and its id is refused. Default 2 weeks, Mesos' `registry_max_agent_age`
   * (after which Mesos prunes an unreachable agent from its registry); `undefined` or 0: never.
   */
  agentGoneTimeoutMs?: number | undefined;
  /**
   * Called once the master lost its leadership and stopped acting (Mesos aborts the process here;
   * `agora master` exits). Default: log only.
   */
  onDeposed?: (reason: string) => void;
  /**
   * Mesos' local authorizer over `--acls`: who may register in which role, launch as which user,
   * tear down, reserve, set quota and weights, and see which frameworks and tasks (docs/security.md).
   * Default: none, every call and request is allowed and nothing is filtered.
   */
  authorizer?: Authorizer;
  /**
   * Mesos' `--authenticate_frameworks`, `--authenticate_agents` and `--credentials`: which peers must
   * present their principal's secret on the bus (docs/security.md, "Bus identity"). Default: none
   * required; a peer that presents a secret is checked all the same.
   */
  authentication?: AuthenticationOptions;
}

/** The options `resolveOptions` gives a default; the others may stay unset once resolved. */
type Defaulted =
  | "cluster"
  | "hostname"
  | "logger"
  | "clock"
  | "allocationIntervalMs"
  | "agentPingTimeoutMs"
  | "maxAgentPingTimeouts"
  | "heartbeatIntervalSeconds"
  | "frameworkTimeoutMs"
  | "maxCompletedTasksPerFramework"
  | "maxCompletedFrameworks"
  | "agentReregisterTimeoutMs"
  | "registryFetchTimeoutMs";

/**
 * The options as the master reads them, derived from `MasterOptions` so a field is declared (and
 * documented) once. `agentGoneTimeoutMs` undefined: unreachable agents are never marked gone by time.
 */
export type ResolvedMasterOptions = Readonly<Required<Pick<MasterOptions, Defaulted>>> & {
  readonly [K in "offerTimeoutMs" | "agentGoneTimeoutMs"]-?: MasterOptions[K];
};

/** Mesos' `registry_max_agent_age`: two weeks. */
export const DEFAULT_AGENT_GONE_TIMEOUT_MS = 14 * 24 * 3_600_000;

export function resolveOptions(o: MasterOptions, defaultHostname: string): ResolvedMasterOptions {
  return {
    cluster: o.cluster ?? DEFAULT_CLUSTER,
    hostname: o.hostname ?? defaultHostname,
    logger: o.logger ?? pino({ level: "silent" }),
    clock: o.clock ?? systemClock,
    allocationIntervalMs: o.allocationIntervalMs ?? 1000,
    offerTimeoutMs: o.offerTimeoutMs,
    agentPingTimeoutMs: o.agentPingTimeoutMs ?? 15_000,
    maxAgentPingTimeouts: o.maxAgentPingTimeouts ?? 5,
    heartbeatIntervalSeconds: o.heartbeatIntervalSeconds ?? 15,
    frameworkTimeoutMs: o.frameworkTimeoutMs ?? 3 * (o.heartbeatIntervalSeconds ?? 15) * 1000,
    maxCompletedTasksPerFramework: o.maxCompletedTasksPerFramework ?? 1000,
    maxCompletedFrameworks: o.maxCompletedFrameworks ?? 50,
    agentReregisterTimeoutMs: o.agentReregisterTimeoutMs ?? 10 * 60_000,
    registryFetchTimeoutMs: o.registryFetchTimeoutMs ?? 60_000,
    agentGoneTimeoutMs: agentGoneTimeout(o),
  };
}

function agentGoneTimeout(o: MasterOptions): number | undefined {
  if (!("agentGoneTimeoutMs" in o)) return DEFAULT_AGENT_GONE_TIMEOUT_MS;
  return o.agentGoneTimeoutMs === undefined || o.agentGoneTimeoutMs <= 0 ? undefined : o.agentGoneTimeoutMs;
}
