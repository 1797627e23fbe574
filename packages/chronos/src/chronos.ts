import { randomUUID } from "node:crypto";
import os from "node:os";
import { type Authorizer, type HttpSecurity, httpScheme } from "@agora/security";
import { AlwaysLeader, type Bus, type Clock, type LeaderElection, type StateStore } from "@agora/transport";
import type { FastifyInstance } from "fastify";
import { type Logger, pino } from "pino";
import { createChronosHttp } from "./http/server.js";
import { DEFAULT_JOB_RESOURCES, type JobDefaults } from "./model/job.js";
import { ChronosRuntime } from "./runtime/runtime.js";

export interface ChronosOptions {
  bus: Bus;
  /** Chronos' state: a `FileStateStore` in dev mode, a `JetStreamStateStore` in a cluster. */
  store: StateStore;
  /** Subject namespace of the Agora cluster. Default "agora". */
  cluster?: string;
  logger?: Logger;
  clock?: Clock;
  /** Address the API binds to. Default 0.0.0.0. */
  host?: string;
  /** API port. Default 4400 (0 picks a free one). */
  port?: number;
  /** The name other Chronos instances and clients reach this one by. Default: this machine's hostname. */
  hostname?: string;
  /** Chronos' `--mesos_role`. Default `*`. */
  role?: string;
  failoverTimeoutSeconds?: number;
  /** `--mesos_task_cpu/mem/disk` and `--user`. */
  jobDefaults?: JobDefaults;
  /** `--failure_retry` in ms (default 60 s). */
  failureRetryMs?: number;
  /** `--disable_after_failures` (0: never). */
  disableAfterFailures?: number;
  /** Finished runs kept per job (default 100). */
  historySize?: number;
  /** The principal it subscribes as, with its secret when the master authenticates frameworks (`--principal`, `--secret-file`); default: none. */
  credential?: { principal: string; secret?: string | undefined };
  /**
   * Builds this Chronos' candidacy once its address (`http://host:port`) is known. Default: it leads
   * alone (`AlwaysLeader`). In a cluster: `openJetStreamLeaderElection`.
   */
  election?: (address: string) => LeaderElection | Promise<LeaderElection>;
  /** Leadership lost: default logs; the CLI exits, as Chronos does. */
  onDeposed?: (reason: string) => void;
  /** HTTP authentication, TLS and CORS of the API (default: none). */
  security?: HttpSecurity;
  /** Mesos' ACLs (`--acls`) for the API's writes: `update_jobs` by job name (default: none, all allowed). */
  authorizer?: Authorizer;
  /** Flags to show in the API's config views. */
  config?: Record<string, unknown>;
}

export interface RunningChronos {
  readonly runtime: ChronosRuntime;
  readonly http: FastifyInstance;
  /** `http://host:port` of the API. */
  readonly url: string;
  readonly election: LeaderElection;
  /** Stops the API, the framework client (tasks keep running) and the candidacy; not the bus or store. */
  close(): Promise<void>;
}

/**
 * Starts a Chronos: the API at once (a standby forwards to the leader), then its candidacy; once
 * elected, the runtime loads jobs, state and runs, subscribes as the `chronos` framework and resumes.
 *
 * @example
 * ```ts
 * const chronos = await startChronos({ bus, store: await FileStateStore.open(".agora/chronos"), port: 4400 });
 * // curl -X POST localhost:4400/v1/scheduler/iso8601 -d '{"name":"hi","command":"echo hi","schedule":"R//PT1M"}'
 * await chronos.close();
 * ```
 */
export async function startChronos(o: ChronosOptions): Promise<RunningChronos> {
  const logger = o.logger ?? pino({ level: "silent" });
  const hostname = o.hostname ?? os.hostname();
  const jobDefaults = o.jobDefaults ?? DEFAULT_JOB_RESOURCES;
  let election: LeaderElection | undefined;
  let deposed = false;
  const runtime = new ChronosRuntime({
    bus: o.bus,
    store: o.store,
    logger,
    role: o.role ?? "*",
    hostname,
    webuiScheme: httpScheme(o.security),
    jobDefaults,
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.failoverTimeoutSeconds === undefined ? {} : { failoverTimeoutSeconds: o.failoverTimeoutSeconds }),
    ...(o.failureRetryMs === undefined ? {} : { failureRetryMs: o.failureRetryMs }),
    ...(o.disableAfterFailures === undefined ? {} : { disableAfterFailures: o.disableAfterFailures }),
    ...(o.historySize === undefined ? {} : { historySize: o.historySize }),
    ...(o.config ? { config: o.config } : {}),
    ...(o.credential ? { credential: o.credential } : {}),
    leadership: () => ({
      elected: (election?.isLeader ?? false) && !deposed,
      leader: election?.leader()?.address?.replace(/^[a-z]+:\/\//, ""),
    }),
  });
  const http = createChronosHttp(runtime, {
    logger: logger.child({ component: "chronos-http" }),
    jobDefaults,
    ...(o.security ? { security: o.security } : {}),
    ...(o.authorizer ? { authorizer: o.authorizer } : {}),
  });
  await http.listen({ host: o.host ?? "0.0.0.0", port: o.port ?? 4400 });
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : (o.port ?? 4400);
  runtime.advertise(port);
  const url = `${httpScheme(o.security)}://${hostname}:${port}`;
  try {
    election = await (
      o.election ?? ((a) => new AlwaysLeader({ name: "chronos", id: randomUUID(), address: a }))
    )(url);
    await election.start({
      onElected: () => {
        runtime.start().catch((err: unknown) => logger.error({ err }, "chronos failed to start leading"));
      },
      onDeposed: (reason) => {
        deposed = true;
        logger.warn({ reason }, "chronos is no longer the leader");
        void runtime.stop().finally(() => o.onDeposed?.(reason));
      },
    });
  } catch (err) {
    await http.close();
    throw err;
  }
  logger.info({ url }, "chronos listening");
  const chosen = election;
  return {
    runtime,
    http,
    url,
    election: chosen,
    async close() {
      await http.close();
      await runtime.stop();
      await chosen.close();
    },
  };
}
