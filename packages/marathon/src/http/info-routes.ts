import type { FastifyInstance } from "fastify";
import { MarathonError } from "../errors.js";
import type { MarathonInfo } from "../service.js";
import type { HttpContext } from "./context.js";

/**
 * The keys of `/v2/info`'s objects exactly as Marathon 1.x's InfoResource.scala writes them
 * (mesosphere/marathon, src/main/scala/mesosphere/marathon/api/v2/InfoResource.scala): every key is
 * always there, `null` when the flag is unset, as Play JSON writes an empty `Option`.
 */
export const MARATHON_CONFIG_KEYS = [
  "access_control_allow_origin",
  "checkpoint",
  "decline_offer_duration",
  "default_network_name",
  "env_vars_prefix",
  "executor",
  "failover_timeout",
  "features",
  "framework_name",
  "ha",
  "hostname",
  "launch_token",
  "launch_token_refresh_interval",
  "leader_proxy_connection_timeout_ms",
  "leader_proxy_read_timeout_ms",
  "local_port_max",
  "local_port_min",
  "master",
  "max_instances_per_offer",
  "mesos_bridge_name",
  "mesos_heartbeat_failure_threshold",
  "mesos_heartbeat_interval",
  "mesos_leader_ui_url",
  "mesos_role",
  "mesos_user",
  "new_group_enforce_role",
  "min_revive_offers_interval",
  "offer_matching_timeout",
  "on_elected_prepare_timeout",
  "reconciliation_initial_delay",
  "reconciliation_interval",
  "scale_apps_initial_delay",
  "scale_apps_interval",
  "store_cache",
  "task_launch_confirm_timeout",
  "task_launch_timeout",
  "task_lost_expunge_initial_delay",
  "task_lost_expunge_interval",
  "task_reservation_timeout",
  "webui_url",
  "maintenance_mode",
] as const;

export const ZOOKEEPER_CONFIG_KEYS = [
  "zk",
  "zk_compression",
  "zk_compression_threshold",
  "zk_connection_timeout",
  "zk_max_node_size",
  "zk_max_versions",
  "zk_session_timeout",
  "zk_timeout",
] as const;

export const HTTP_CONFIG_KEYS = ["http_port", "https_port"] as const;

/**
 * What Marathon shows where we have no setting of our own: the non-optional flags' defaults
 * (ZookeeperConf, StorageConf: they are never null in Marathon) and the ones our runtime fixes.
 */
const marathonDefaults: Record<string, unknown> = {
  features: [],
  framework_name: "marathon",
  new_group_enforce_role: "off",
  zk_connection_timeout: 10_000,
  zk_max_versions: 50,
  zk_session_timeout: 10_000,
  zk_timeout: 10_000,
  https_port: 8443,
};

function pick(keys: readonly string[], values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, values[k] ?? marathonDefaults[k] ?? null]));
}

/** `/v2/info` in Marathon 1.x's shape: its top-level keys and, in each config object, only its keys. */
export function marathonInfoJson(info: MarathonInfo): Record<string, unknown> {
  const values = { ...info.config, http_port: info.httpPort };
  return {
    name: info.name,
    version: info.version,
    buildref: "agora",
    elected: info.elected,
    leader: info.leader ?? null,
    frameworkId: info.frameworkId ?? null,
    marathon_config: pick(MARATHON_CONFIG_KEYS, values),
    zookeeper_config: pick(ZOOKEEPER_CONFIG_KEYS, values),
    http_config: pick(HTTP_CONFIG_KEYS, values),
  };
}

/** The settings `/v2/info` leaves out (Marathon has no place for them there), e.g. `max_running_deployments`. */
export function agoraInfoJson(info: MarathonInfo): { config: Record<string, unknown> } {
  const shown = new Set<string>([...MARATHON_CONFIG_KEYS, ...ZOOKEEPER_CONFIG_KEYS, ...HTTP_CONFIG_KEYS]);
  return { config: Object.fromEntries(Object.entries(info.config).filter(([k]) => !shown.has(k))) };
}

/** `/ping`, `/v2/info` and `/v2/leader` (GET; DELETE abdicates where the service can). */
export async function infoRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  const { service } = ctx;

  app.get("/ping", async (_request, reply) =>
    reply.type("text/plain").header("Cache-Control", "must-revalidate,no-cache,no-store").send("pong"),
  );

  app.get("/v2/info", async () => marathonInfoJson(service.info()));

  // Agora's own settings (those Marathon 1.x does not show in /v2/info), kept out of /v2/info so
  // clients that map its objects to fixed classes do not meet unknown keys.
  app.get("/agora/info", async () => agoraInfoJson(service.info()));

  app.get("/v2/leader", async () => {
    const leader = service.info().leader;
    if (leader === undefined) throw new MarathonError("NO_LEADER", "There is no leader");
    return { leader };
  });

  app.delete("/v2/leader", async () => {
    if (!service.info().elected || service.abdicate === undefined)
      throw new MarathonError("NO_LEADER", "There is no leader");
    await service.abdicate();
    return { message: "Leadership abdicated" };
  });
}
