import { type AgentId, type FrameworkId, principalToken, subjects } from "@agora/protocol";
import type { FlagSpec } from "./options.js";

/** Who a NATS user is in the cluster, which decides what it may publish and subscribe to. */
export type BusRole = "master" | "agent" | "framework";

export interface NatsUser {
  readonly user: string;
  readonly password: string;
  readonly role: BusRole;
  /** Names of the JetStream KV buckets the user keeps state and leader leases in. */
  readonly buckets: readonly string[];
}

export interface NatsConfigInput {
  readonly cluster: string;
  readonly users: readonly NatsUser[];
  /** JetStream's store directory; default: nats-server's own (`jetstream: enabled`). */
  readonly storeDir?: string | undefined;
}

/** Where replies to a user's requests come back: its own inbox prefix, so no other user can read them. */
export const inboxPrefixOf = (user: string) => `_INBOX.${principalToken(user)}`;

/** The KV buckets of the masters (registry, leader lease) and of a Marathon or Chronos, as their commands name them. */
export const stateBuckets = {
  master: (cluster: string) => [
    `agora_${cluster}_registry`,
    `agora_${cluster}_master-lease`,
    `agora_${cluster}_master-epoch`,
  ],
  framework: (cluster: string, name: "marathon" | "chronos") => [
    `agora_${cluster}_${name}`,
    `agora-${cluster}-${name}-lease`,
    `agora-${cluster}-${name}-epoch`,
  ],
};

/** What a user may publish and subscribe to: derived from the protocol's subjects, nothing more. */
export function permissionsOf(cluster: string, u: NatsUser): { publish: string[]; subscribe: string[] } {
  const s = subjects(cluster);
  const anyAgent = s.agentCommands("*" as AgentId);
  const everyFrameworkEvent = `agora.${cluster}.framework.>`;
  const inbox = `${inboxPrefixOf(u.user)}.>`;
  const kv = u.buckets.flatMap(bucketSubjects);
  // Requests into JetStream name the bucket's stream; the API's account-info call names none.
  const jetstream = u.buckets.length > 0 ? ["$JS.API.INFO", ...kv] : [];
  switch (u.role) {
    case "master":
      return {
        // Events to every framework, commands and pings to every agent, the calls its own Mesos v1
        // HTTP edge makes for HTTP frameworks and its liveness ticks; replies go back through
        // allow_responses.
        publish: [everyFrameworkEvent, anyAgent, s.masterCall, s.masterLivenessTick, ...jetstream],
        // Calls of every framework, agents' messages, and the events of its HTTP frameworks.
        subscribe: [s.masterCall, s.principalCalls, s.masterAgent, everyFrameworkEvent, inbox],
      };
    case "agent":
      return {
        publish: [s.masterAgent],
        subscribe: [anyAgent, inbox],
      };
    case "framework":
      return {
        publish: [s.callsOf(u.user), ...jetstream],
        subscribe: [eventsOf(cluster, u.user), inbox],
      };
  }
}

/** nats-server's `authorization { users = [...] }` (2.9 syntax) for these users, with a header saying how to use it. */
export function natsServerConfig(input: NatsConfigInput): string {
  const lines = [
    `# nats-server authorization for the Agora cluster "${input.cluster}", written by agora nats-config.`,
    "# It holds every principal's secret as its NATS password: keep it readable by nats-server alone.",
    "# Each role connects with --nats-user <its principal> and --nats-password (or AGORA_NATS_PASSWORD);",
    "# requests' replies come back under _INBOX.<user>, which the roles use when given --nats-user.",
    input.storeDir === undefined ? "jetstream: enabled" : `jetstream { store_dir: ${quote(input.storeDir)} }`,
    "authorization {",
    "  users = [",
  ];
  for (const u of input.users) {
    const p = permissionsOf(input.cluster, u);
    lines.push(
      `    # ${u.role}${u.buckets.length > 0 ? ` (state in ${u.buckets.join(", ")})` : ""}`,
      "    {",
      `      user: ${quote(u.user)}`,
      `      password: ${quote(u.password)}`,
      "      permissions: {",
      `        publish: { allow: ${list(p.publish)} }`,
      `        subscribe: { allow: ${list(p.subscribe)} }`,
      // Masters answer calls and registrations, agents answer pings: each may reply to what it was asked.
      ...(u.role === "framework" ? [] : ["        allow_responses: true"]),
      "      }",
      "    }",
    );
  }
  lines.push("  ]", "}", "");
  return lines.join("\n");
}

/** Every event subject of a principal's frameworks: `agora.c.framework.<principal>.*.events`. */
function eventsOf(cluster: string, principal: string): string {
  return subjects(cluster).frameworkEvents("*" as FrameworkId, principal);
}

/**
 * What a client of one KV bucket publishes to: the JetStream API on the bucket's stream (create,
 * info, get, the watchers' consumers), its keys, and acks and flow control of its consumers.
 */
function bucketSubjects(bucket: string): string[] {
  const stream = `KV_${bucket}`;
  return [
    `$JS.API.*.*.${stream}`,
    `$JS.API.*.*.${stream}.>`,
    `$JS.API.*.*.*.${stream}`,
    `$JS.API.*.*.*.${stream}.>`,
    `$KV.${bucket}.>`,
    `$JS.ACK.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

function list(items: readonly string[]): string {
  return `[${items.map(quote).join(", ")}]`;
}

/** A double-quoted nats-server config string (JSON's escapes are the parser's). */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** `agora nats-config`'s flags (here, not in its command module, so `--help` loads no more than this). */
export const natsConfigFlags: FlagSpec = {
  credentials: {
    type: "string",
    description:
      "principals and secrets (Mesos' JSON or 'principal secret' lines): each becomes a NATS user with its secret as password (required)",
  },
  cluster: {
    type: "string",
    description: "cluster name, the namespace of every bus subject (default agora)",
  },
  "masters-user": {
    type: "string",
    description: "principals the masters connect as, comma-separated (default master)",
  },
  "agents-user": {
    type: "string",
    description: "principals the agents connect as, comma-separated (default agent)",
  },
  "marathon-user": {
    type: "string",
    description: "the framework principal Marathon runs as, given its JetStream state and leader lease",
  },
  "chronos-user": {
    type: "string",
    description: "the framework principal Chronos runs as, given its JetStream state and leader lease",
  },
  "store-dir": { type: "string", description: "JetStream's store directory (default: nats-server's own)" },
};
