import { DEFAULT_CLUSTER, parseAttributes, parseResources } from "@agora/protocol";
import { z } from "zod";
import type { FlagSpec } from "./options.js";

/** Flag value schemas shared by several commands; every flag arrives as a string. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const host = (fallback: string) => z.string().min(1).default(fallback);
export const natsUrl = z
  .string()
  .regex(
    /^(nats|tls|ws|wss):\/\/[^\s]+$/,
    "must be a NATS URL such as nats://127.0.0.1:4222 (comma-separate several)",
  )
  .refine(
    (s) => s.split(",").every((u) => /^(nats|tls|ws|wss):\/\/\S+$/.test(u)),
    "every comma-separated URL must be a NATS URL",
  );
export const cluster = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, '_' or '-'")
  .default(DEFAULT_CLUSTER);

/** A Mesos resources string, checked here so a typo fails at the flag, not later in the agent. */
export const resourcesText = z.string().superRefine((text, ctx) => {
  try {
    parseResources(text);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
  }
});

export const attributesText = z.string().transform((text, ctx) => {
  try {
    return parseAttributes(text);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

const units: Record<string, number> = {
  ms: 1,
  s: 1000,
  secs: 1000,
  m: 60_000,
  mins: 60_000,
  h: 3_600_000,
  hrs: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

/** A Mesos-style duration (`500ms`, `15secs`, `2mins`; a bare number is seconds), in milliseconds. */
export const duration = z.string().transform((text, ctx) => {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|secs|m|mins|h|hrs|days|weeks)?$/.exec(text.trim());
  if (!m) {
    ctx.addIssue({ code: "custom", message: "must be a duration such as 500ms, 15secs or 2mins" });
    return z.NEVER;
  }
  return Number(m[1]) * units[m[2] ?? "s"]!;
});

/** The master's timing flags, shared by `agora master` and `agora dev`; Mesos' defaults apply when absent. */
export const masterTimingFlags: FlagSpec = {
  "allocation-interval": { type: "string", description: "time between allocation cycles (default 1secs)" },
  "offer-timeout": {
    type: "string",
    description: "rescind offers not answered within this time (default: never, as Mesos)",
  },
  "agent-ping-timeout": { type: "string", description: "time to wait for an agent's pong (default 15secs)" },
  "max-agent-ping-timeouts": {
    type: "string",
    description: "missed pongs before an agent is unreachable (default 5)",
  },
  "heartbeat-interval": {
    type: "string",
    description: "time between heartbeats to frameworks (default 15secs)",
  },
  "framework-timeout": {
    type: "string",
    description:
      "silence after which a framework is disconnected and its failover timeout runs (default 3 heartbeats)",
  },
  "agent-reregister-timeout": {
    type: "string",
    description:
      "after a master failover, agents not reregistered within this time become unreachable (default 10mins)",
  },
  "registry-fetch-timeout": {
    type: "string",
    description:
      "a newly elected master retries reading its registry this long before it resigns (default 1mins)",
  },
  "agent-gone-timeout": {
    type: "string",
    description:
      "an agent unreachable for this long is marked gone, its tasks GONE (default 2weeks, Mesos' registry_max_agent_age; 0 = never)",
  },
};

export const masterTiming = {
  allocationInterval: duration.optional(),
  offerTimeout: duration.optional(),
  agentPingTimeout: duration.optional(),
  maxAgentPingTimeouts: z.coerce.number().int().min(1).optional(),
  heartbeatInterval: duration.optional(),
  frameworkTimeout: duration.optional(),
  agentReregisterTimeout: duration.optional(),
  registryFetchTimeout: duration.optional(),
  agentGoneTimeout: duration.optional(),
};

/** Maps parsed timing flags onto `MasterOptions`, leaving the master's defaults where a flag is absent. */
export function masterTimingOptions(o: {
  allocationInterval?: number | undefined;
  offerTimeout?: number | undefined;
  agentPingTimeout?: number | undefined;
  maxAgentPingTimeouts?: number | undefined;
  heartbeatInterval?: number | undefined;
  frameworkTimeout?: number | undefined;
  agentReregisterTimeout?: number | undefined;
  registryFetchTimeout?: number | undefined;
  agentGoneTimeout?: number | undefined;
}) {
  return {
    ...(o.allocationInterval === undefined ? {} : { allocationIntervalMs: o.allocationInterval }),
    ...(o.offerTimeout === undefined ? {} : { offerTimeoutMs: o.offerTimeout }),
    ...(o.agentPingTimeout === undefined ? {} : { agentPingTimeoutMs: o.agentPingTimeout }),
    ...(o.maxAgentPingTimeouts === undefined ? {} : { maxAgentPingTimeouts: o.maxAgentPingTimeouts }),
    ...(o.heartbeatInterval === undefined ? {} : { heartbeatIntervalSeconds: o.heartbeatInterval / 1000 }),
    ...(o.frameworkTimeout === undefined ? {} : { frameworkTimeoutMs: o.frameworkTimeout }),
    ...(o.agentReregisterTimeout === undefined ? {} : { agentReregisterTimeoutMs: o.agentReregisterTimeout }),
    ...(o.registryFetchTimeout === undefined ? {} : { registryFetchTimeoutMs: o.registryFetchTimeout }),
    ...(o.agentGoneTimeout === undefined ? {} : { agentGoneTimeoutMs: o.agentGoneTimeout }),
  };
}

/** Chronos' job flags, shared by `agora chronos` and `agora dev`; Chronos' defaults apply when absent. */
export const chronosJobFlags: FlagSpec = {
  "mesos-task-cpu": { type: "string", description: "cpus of a job that asks for none (default 0.1)" },
  "mesos-task-mem": {
    type: "string",
    description: "MiB of memory of a job that asks for none (default 128)",
  },
  "mesos-task-disk": { type: "string", description: "MiB of disk of a job that asks for none (default 256)" },
  user: { type: "string", description: "user a job runs as when it names none (default root)" },
  "failure-retry": {
    type: "string",
    description: "wait before a failed run's retry, e.g. 60secs or 500ms (default 60secs)",
  },
  "disable-after-failures": {
    type: "string",
    description: "disable a job after this many failures since its last success (default 0: never)",
  },
  "history-size": { type: "string", description: "finished runs kept per job (default 100)" },
};

export const chronosJobOptions = {
  mesosTaskCpu: z.coerce.number().positive().default(0.1),
  mesosTaskMem: z.coerce.number().positive().default(128),
  mesosTaskDisk: z.coerce.number().positive().default(256),
  user: z.string().min(1).default("root"),
  failureRetry: duration.default(60_000),
  disableAfterFailures: z.coerce.number().int().min(0).default(0),
  historySize: z.coerce.number().int().min(1).max(10_000).default(100),
};
