import { randomUUID } from "node:crypto";
import os from "node:os";
import { type Authorizer, type HttpSecurity, httpScheme } from "@agora/security";
import { AlwaysLeader, type Bus, type Clock, type LeaderElection, type StateStore } from "@agora/transport";
import type { FastifyInstance } from "fastify";
import { type Logger, pino } from "pino";
import { createMarathonHttp } from "./http/server.js";
import { MarathonRuntime } from "./runtime/runtime.js";

export interface MarathonOptions {
  bus: Bus;
  /** Marathon's state: a `FileStateStore` in dev mode, a `JetStreamStateStore` in a cluster. */
  store: StateStore;
  /** Subject namespace of the Agora cluster. Default "agora". */
  cluster?: string;
  logger?: Logger;
  clock?: Clock;
  /** Address the REST API binds to. Default 0.0.0.0. */
  host?: string;
  /** REST API port. Default 8080 (0 picks a free one). */
  port?: number;
  /** The name other Marathons and clients reach this one by. Default: this machine's hostname. */
  hostname?: string;
  /** Marathon's `--mesos_role`. Default `*`. */
  role?: string;
  failoverTimeoutSeconds?: number;
  declineOfferSeconds?: number;
  /** Marathon's `--max_running_deployments` (default 100). */
  maxRunningDeployments?: number;
  /**
   * Builds this Marathon's candidacy once its address (`http://host:port`) is known. Default: it
   * leads alone (`AlwaysLeader`). In a cluster: `openJetStreamLeaderElection`.
   */
  election?: (address: string) => LeaderElection | Promise<LeaderElection>;
  /** Leadership lost (or abdicated): default logs; the CLI exits, as Marathon does. */
  onDeposed?: (reason: string) => void;
  /** HTTP authentication, TLS and CORS of the API (default: none). */
  security?: HttpSecurity;
  /** Mesos' ACLs (`--acls`) for the API's writes: `update_apps` by app id (default: none, all allowed). */
  authorizer?: Authorizer;
  /** Flags to show under `marathon_config`. */
  config?: Record<string, unknown>;
  /** The principal it subscribes as, with its secret when the master authenticates frameworks (`--principal`, `--secret-file`); default: none. */
  credential?: { principal: string; secret?: string | undefined };
}

export interface RunningMarathon {
  readonly runtime: MarathonRuntime;
  readonly http: FastifyInstance;
  /** `http://host:port` of the REST API. */
  readonly url: string;
  readonly election: LeaderElection;
  /** Stops the REST API, the framework client (tasks keep running) and the candidacy; not the bus or store. */
  close(): Promise<void>;
}

/**
 * Starts a Marathon: the REST API at once (a standby proxies to the leader), then its candidacy;
 * once elected, the runtime loads its state, subscribes as the `marathon` framework and resumes.
 *
 * @example
 * ```ts
 * const marathon = await startMarathon({ bus, store: await FileStateStore.open(".agora/marathon"), port: 8080 });
 * // curl -X POST localhost:8080/v2/apps -d '{"id": "/web", "cmd": "python3 -m http.server $PORT0"}'
 * await marathon.close();
 * ```
 */
export async function startMarathon(o: MarathonOptions): Promise<RunningMarathon> {
  const logger = o.logger ?? pino({ level: "silent" });
  const hostname = o.hostname ?? os.hostname();
  let election: LeaderElection | undefined;
  let deposed = false;
  const onDeposed = (reason: string) => {
    deposed = true;
    logger.warn({ reason }, "marathon is no longer the leader");
    void runtime.stop().finally(() => o.onDeposed?.(reason));
  };
  const runtime = new MarathonRuntime({
    bus: o.bus,
    store: o.store,
    logger,
    role: o.role ?? "*",
    hostname,
    webuiScheme: httpScheme(o.security),
    ...(o.cluster ? { cluster: o.cluster } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.failoverTimeoutSeconds === undefined ? {} : { failoverTimeoutSeconds: o.failoverTimeoutSeconds }),
    ...(o.declineOfferSeconds === undefined ? {} : { declineOfferSeconds: o.declineOfferSeconds }),
    ...(o.maxRunningDeployments === undefined ? {} : { maxRunningDeployments: o.maxRunningDeployments }),
    ...(o.config ? { config: o.config } : {}),
    ...(o.credential ? { credential: o.credential } : {}),
    leadership: () => ({
      elected: (election?.isLeader ?? false) && !deposed,
      leader: hostPort(election?.leader()?.address),
    }),
    // Alone (dev mode, --state-dir) there is nobody to hand over to: abdication is refused.
    ...(o.election
      ? {
          onAbdicate: async () => {
            await election?.close();
            onDeposed("abdicated");
          },
        }
      : {}),
  });
  const http = createMarathonHttp(runtime, {
    logger: logger.child({ component: "marathon-http" }),
    ...(o.security ? { security: o.security } : {}),
    ...(o.authorizer ? { authorizer: o.authorizer } : {}),
  });
  await http.listen({ host: o.host ?? "0.0.0.0", port: o.port ?? 8080 });
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : (o.port ?? 8080);
  runtime.advertise(port);
  const url = `${httpScheme(o.security)}://${hostname}:${port}`;
  try {
    election = await (
      o.election ?? ((a) => new AlwaysLeader({ name: "marathon", id: randomUUID(), address: a }))
    )(url);
    await election.start({
      onElected: () => {
        runtime.start().catch((err: unknown) => logger.error({ err }, "marathon failed to start leading"));
      },
      onDeposed,
    });
  } catch (err) {
    await http.close();
    throw err;
  }
  logger.info({ url }, "marathon listening");
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

/** `http://host:port` → `host:port`, the form `/v2/leader` shows. */
function hostPort(address: string | undefined): string | undefined {
  return address?.replace(/^[a-z]+:\/\//, "");
}
