import { Offer, type Resource } from "@agora/protocol";
import { AppDefinition, type AppDefinitionInput } from "../model/app-definition.js";
import { DeploymentId } from "../model/deployment.js";
import type { Group } from "../model/group.js";
import { Instance } from "../model/instance.js";
import { AppId, parentOf, ROOT } from "../model/path-id.js";

/** An app id through its schema (ids are branded: a bare string is not one). */
export function appId(id: string): AppId {
  return AppId.parse(id);
}

export function deploymentId(id: string): DeploymentId {
  return DeploymentId.parse(id);
}

/** A validated app with Marathon's defaults; `cmd` defaults to a sleeper. */
export function app(id: string, fields: Partial<AppDefinitionInput> = {}): AppDefinition {
  return AppDefinition.parse({ id, cmd: "sleep 1000", version: "2026-01-01T00:00:00.000Z", ...fields });
}

/**
 * A root group holding `apps`, with every group their ids imply; `dependencies` sets a group's
 * dependencies by group id.
 */
export function rootWith(
  apps: AppDefinition[],
  opts: { version?: string; dependencies?: Record<string, string[]> } = {},
): Group {
  const version = opts.version ?? "2026-01-01T00:00:00.000Z";
  const groups = new Map<string, Group>();
  const groupFor = (id: string): Group => {
    const known = groups.get(id);
    if (known !== undefined) return known;
    const g: Group = { id, apps: [], groups: [], dependencies: opts.dependencies?.[id] ?? [], version };
    groups.set(id, g);
    if (id !== ROOT) groupFor(parentOf(id)).groups.push(g);
    return g;
  };
  groupFor(ROOT);
  for (const id of Object.keys(opts.dependencies ?? {})) groupFor(id);
  for (const a of apps) groupFor(parentOf(a.id)).apps.push(a);
  return groupFor(ROOT);
}

/** An offer from agent `agent` (hostname = agent id unless given) with plenty of resources by default. */
export function offer(
  agent: string,
  fields: {
    hostname?: string;
    attributes?: Record<string, string | number>;
    resources?: Resource[];
    role?: string;
  } = {},
): Offer {
  offerSeq += 1;
  return Offer.parse({
    id: `offer-${agent}-${offerSeq}`,
    frameworkId: "marathon",
    agentId: agent,
    hostname: fields.hostname ?? agent,
    role: fields.role ?? "*",
    resources: fields.resources ?? [
      { name: "cpus", scalar: 8 },
      { name: "mem", scalar: 8192 },
      { name: "disk", scalar: 10_000 },
      { name: "ports", ranges: [{ begin: 31000, end: 31099 }] },
    ],
    attributes: Object.entries(fields.attributes ?? {}).map(([name, v]) =>
      typeof v === "number" ? { name, scalar: v } : { name, text: v },
    ),
  });
}
let offerSeq = 0;

/** A live instance of `appId` on `host` with the given agent attributes. */
export function placedOn(
  appId: string,
  host: string,
  attributes: Record<string, string> = {},
  n = 0,
): Instance {
  return Instance.parse({
    taskId: `${appId.slice(1).replaceAll("/", "_")}.placed-${host}-${n}`,
    appId,
    agentId: host,
    host,
    agentAttributes: attributes,
    ports: [],
    version: "2026-01-01T00:00:00.000Z",
    state: "TASK_RUNNING",
    stagedAt: "2026-01-01T00:00:00.000Z",
    role: "*",
    killRequested: false,
  });
}
