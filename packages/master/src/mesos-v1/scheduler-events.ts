import type { AgentId, Event, MasterInfo, Offer } from "@agora/protocol";
import { toMesosTaskStatus } from "@agora/protocol/mesos-v1";
import { type ReservationFormat, toMesosAttribute, toMesosResources } from "./resources.js";

export { toMesosTaskStatus } from "@agora/protocol/mesos-v1";

const NANOS_PER_SECOND = 1e9;

/** How events are written for one framework (from its SUBSCRIBE's capabilities). */
export interface EventFormat {
  reservations: ReservationFormat;
  /** The HTTP port of an agent, for the `url` of offers on it (none when the agent is unknown). */
  agentPort?: (agentId: AgentId) => number | undefined;
}

/** Mesos' `MasterInfo`; `ip` is the IPv4 address as Mesos packs it (network order in a uint32). */
export function toMesosMasterInfo(m: MasterInfo): Record<string, unknown> {
  return {
    id: m.id,
    ip: packIpv4(m.hostname),
    port: m.port,
    hostname: m.hostname,
    version: m.version,
    address: { hostname: m.hostname, port: m.port },
  };
}

function packIpv4(host: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m) return 0;
  // The bytes in network order, read as a little-endian uint32 (what Mesos writes on x86).
  return ((+m[4]! << 24) >>> 0) + (+m[3]! << 16) + (+m[2]! << 8) + +m[1]!;
}

/**
 * The offer's `url`, where the agent answers (Mesos always sets it, and frameworks read
 * `url.address.ip` for the tasks' HOST). `ip` carries what the agent advertises: its hostname
 * unless that is an address.
 */
function agentUrl(o: Offer, format: EventFormat): { url?: Record<string, unknown> } {
  const port = format.agentPort?.(o.agentId);
  if (port === undefined) return {};
  return {
    url: { scheme: "http", address: { hostname: o.hostname, ip: o.hostname, port }, path: "/slave(1)" },
  };
}

export function toMesosOffer(o: Offer, format: EventFormat): Record<string, unknown> {
  return {
    id: { value: o.id },
    framework_id: { value: o.frameworkId },
    agent_id: { value: o.agentId },
    hostname: o.hostname,
    ...agentUrl(o, format),
    resources: toMesosResources(o.resources, format.reservations, o.role),
    attributes: o.attributes.map(toMesosAttribute),
    executor_ids: [],
    allocation_info: { role: o.role },
    ...(o.unavailability ? { unavailability: { ...o.unavailability } } : {}),
  };
}

/** An event Mesos has one of: `updates` has no Mesos counterpart and is sent as its UPDATEs. */
export type MesosableEvent = Exclude<Event, { type: "updates" }>;

/** Our event as the events a Mesos framework gets: one, or one UPDATE per status of an `updates`. */
export function asMesosableEvents(e: Event): MesosableEvent[] {
  if (e.type !== "updates") return [e];
  return e.statuses.map((status) => ({ type: "update", epoch: e.epoch, status }));
}

/** One of our framework events as Mesos' `scheduler::Event` JSON. */
export function toMesosEvent(e: MesosableEvent, format: EventFormat): Record<string, unknown> {
  switch (e.type) {
    case "subscribed":
      return {
        type: "SUBSCRIBED",
        subscribed: {
          framework_id: { value: e.frameworkId },
          heartbeat_interval_seconds: e.heartbeatIntervalSeconds,
          master_info: toMesosMasterInfo(e.masterInfo),
        },
      };
    case "offers":
      return { type: "OFFERS", offers: { offers: e.offers.map((o) => toMesosOffer(o, format)) } };
    case "rescind":
      return { type: "RESCIND", rescind: { offer_id: { value: e.offerId } } };
    case "update":
      return { type: "UPDATE", update: { status: toMesosTaskStatus(e.status) } };
    case "message":
      return {
        type: "MESSAGE",
        message: {
          agent_id: { value: e.agentId },
          executor_id: { value: e.executorId ?? "" },
          data: Buffer.from(e.data, "utf8").toString("base64"),
        },
      };
    case "failure":
      return {
        type: "FAILURE",
        failure: {
          ...(e.agentId === undefined ? {} : { agent_id: { value: e.agentId } }),
          ...(e.executorId === undefined ? {} : { executor_id: { value: e.executorId } }),
          ...(e.status === undefined ? {} : { status: e.status }),
        },
      };
    case "error":
      return { type: "ERROR", error: { message: e.message } };
    case "heartbeat":
      return { type: "HEARTBEAT" };
  }
}

/** Mesos' `DurationInfo` from seconds. */
export function durationInfo(seconds: number): { nanoseconds: number } {
  return { nanoseconds: Math.round(seconds * NANOS_PER_SECOND) };
}

/** One RecordIO record: the byte length of the JSON in decimal, a newline, the JSON. */
export function recordIo(message: unknown): string {
  const json = JSON.stringify(message);
  return `${Buffer.byteLength(json)}\n${json}`;
}
