import { AgentId, AgentInfo, FrameworkId, FrameworkInfo } from "@agora/protocol";
import { z } from "zod";
import { MaintenanceState } from "../maintenance/schedule.js";
import { QuotaInfo } from "../roles/quota.js";
import { ReservationRecord } from "../roles/reservation-math.js";
import { WeightInfo } from "../roles/weights.js";

/**
 * The registry's records, key by key, each with the schema it is written and read through: admitted
 * agents, subscribed frameworks (with the failover deadline of a disconnected one), role weights and
 * quotas, agents' dynamic reservations, agents gone or unreachable, and the maintenance schedule.
 * Tasks are not persisted, as in Mesos: agents report them when they reregister. No I/O here.
 */

/** An agent admitted by a leader. */
export const AdmittedAgent = AgentInfo.extend({ id: AgentId });
/** A framework that subscribed to a leader. */
export const AdmittedFramework = FrameworkInfo.extend({ id: FrameworkId });
/** An agent the operator marked gone, and when (ms since the Unix epoch). */
export const GoneRecord = z.object({ goneAt: z.number() }).strict();
/** An agent removed after missed pings: what it was, and since when (ms since the Unix epoch). */
export const UnreachableRecord = z.object({ info: AdmittedAgent, unreachableAt: z.number() }).strict();
/** A disconnected framework's failover deadline (ms since the Unix epoch). */
export const FailoverRecord = z.object({ deadline: z.number() }).strict();

/** Key prefix → the schema of every record under it. */
export const registrySchemas = {
  "agents.": AdmittedAgent,
  "frameworks.": AdmittedFramework,
  "weights.": WeightInfo,
  "quotas.": QuotaInfo,
  "reservations.": ReservationRecord,
  /** A disconnected framework's failover deadline, so a new leader tears it down on time. */
  "failovers.": FailoverRecord,
  /** Agents the operator marked gone, refused by every later leader. */
  "gone.": GoneRecord,
  /** Agents removed after missed pings, and since when (Mesos' registry keeps an `unreachable` list). */
  "unreachable.": UnreachableRecord,
  /** The maintenance schedule and its DOWN machines, one record so they change together. */
  "maintenance.state": MaintenanceState,
} as const;
export type RegistryPrefix = keyof typeof registrySchemas;

/** The schema of the record under `key`, by its prefix (the table above). */
export function registrySchemaOf(key: string): z.ZodType | undefined {
  for (const [prefix, schema] of Object.entries(registrySchemas)) if (key.startsWith(prefix)) return schema;
  return undefined;
}

declare const recordType: unique symbol;
/**
 * A registry key that carries its record's schema, so `persist` accepts only a value of that shape
 * and recovery reads it back through the same schema.
 */
export type RegistryKey<S extends z.ZodType> = string & { readonly [recordType]: S };

function key<P extends RegistryPrefix>(prefix: P, rest = ""): RegistryKey<(typeof registrySchemas)[P]> {
  return `${prefix}${rest}` as RegistryKey<(typeof registrySchemas)[P]>;
}

/** Role names may hold `*` and `/`, which store keys may not, so they are base64url. */
function roleKey(role: string): string {
  return Buffer.from(role).toString("base64url");
}

export const registryKeys = {
  agent: (id: string) => key("agents.", id),
  framework: (id: string) => key("frameworks.", id),
  weight: (role: string) => key("weights.", roleKey(role)),
  quota: (role: string) => key("quotas.", roleKey(role)),
  reservations: (agentId: string) => key("reservations.", agentId),
  failover: (frameworkId: string) => key("failovers.", frameworkId),
  gone: (agentId: string) => key("gone.", agentId),
  unreachable: (agentId: string) => key("unreachable.", agentId),
  maintenance: key("maintenance.state"),
};
