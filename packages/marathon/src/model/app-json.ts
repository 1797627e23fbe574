import type { z } from "zod";
import { type ErrorDetail, MarathonError } from "../errors.js";
import { AppDefinition } from "./app-definition.js";
import { type Group, GroupDefinition } from "./group.js";
import { parentOf, resolvePathId } from "./path-id.js";

/**
 * Marathon's JSON in and out: app and group bodies read into the model with ids resolved against
 * their enclosing group (Marathon accepts relative ids inside groups), validation failures collected
 * as Marathon's `details` (`/healthChecks(0)/command`), and apps written back in Marathon's wire form.
 */

type Json = Record<string, unknown>;

/**
 * Reads one app body. `base` is the group relative ids resolve against; `at` prefixes detail paths
 * (`/apps(2)` inside a group). Throws `INVALID_DEFINITION` with every problem found.
 *
 * @example
 * const app = parseApp({ id: "web", cmd: "serve" }, "/prod"); // app.id === "/prod/web"
 */
export function parseApp(raw: unknown, base = "/", at = ""): AppDefinition {
  const details: ErrorDetail[] = [];
  const app = readApp(raw, base, at, details);
  if (app === undefined) throw invalid(details);
  return app;
}

/** `PATCH` semantics: the fields of `patch` replace those of `existing` (Marathon's partial update). */
export function patchApp(existing: AppDefinition, patch: unknown, at = ""): AppDefinition {
  if (!isObject(patch)) throw invalid([{ path: at || "/", errors: ["expected an app object"] }]);
  const base = appJson(existing);
  // Deprecated forms replace their successors rather than clash with the stored ones.
  if ("ports" in patch) delete base.portDefinitions;
  if ("uris" in patch) delete base.fetch;
  return parseApp({ ...base, ...patch, id: existing.id }, parentOf(existing.id), at);
}

/** An app in Marathon's JSON: constraints as `[field, OPERATOR, value?]` arrays, as clients expect. */
export function appJson(app: AppDefinition): Json {
  return {
    ...app,
    constraints: app.constraints.map((c) =>
      c.value === undefined ? [c.field, c.operator] : [c.field, c.operator, c.value],
    ),
  };
}

/** What a group body said explicitly (absent lists keep what the group had, as Marathon's GroupUpdate). */
export interface ParsedGroup {
  group: Group;
  has: { apps: boolean; groups: boolean; dependencies: boolean };
  version: string | undefined;
  scaleBy: number | undefined;
}

/**
 * Reads a group body for the group `id` (the URL's); a body `id` names the group instead, resolved
 * against `base`. Apps and subgroups must lie directly inside the group they are listed in.
 */
export function parseGroup(raw: unknown, id: string, base: string): ParsedGroup {
  const shape = GroupDefinition.safeParse(raw ?? {});
  if (!shape.success) throw invalid(zodDetails(shape.error.issues, ""));
  const details: ErrorDetail[] = [];
  const body = (raw ?? {}) as Json;
  const groupId =
    typeof body.id === "string" && body.id !== "" ? resolveOr(body.id, base, "/id", details) : id;
  const group = readGroup(body, groupId, "", details);
  if (details.length > 0) throw invalid(details);
  return {
    group,
    has: { apps: "apps" in body, groups: "groups" in body, dependencies: "dependencies" in body },
    version: shape.data.version,
    scaleBy: shape.data.scaleBy,
  };
}

/** zod issues as Marathon's details: JSON paths with `(i)` for array indices, messages grouped by path. */
export function zodDetails(issues: readonly z.core.$ZodIssue[], at: string): ErrorDetail[] {
  const byPath = new Map<string, string[]>();
  for (const issue of issues) {
    let path = at;
    for (const key of issue.path) path += typeof key === "number" ? `(${key})` : `/${String(key)}`;
    const key = path || "/";
    byPath.set(key, [...(byPath.get(key) ?? []), issue.message]);
  }
  return [...byPath].map(([path, errors]) => ({ path, errors }));
}

export function invalid(details: ErrorDetail[]): MarathonError {
  return new MarathonError("INVALID_DEFINITION", "Object is not valid", { details });
}

function readApp(raw: unknown, base: string, at: string, details: ErrorDetail[]): AppDefinition | undefined {
  if (!isObject(raw)) {
    details.push({ path: at || "/", errors: ["expected an app object"] });
    return undefined;
  }
  const body: Json = { ...raw };
  if (typeof body.id === "string") {
    const resolved = resolvePathId(body.id, base);
    if ("id" in resolved) body.id = resolved.id;
  }
  if (typeof body.id === "string" && Array.isArray(body.dependencies)) {
    const appBase = parentOf(body.id);
    body.dependencies = body.dependencies.map((d: unknown) => {
      if (typeof d !== "string") return d;
      const resolved = resolvePathId(d, appBase);
      return "id" in resolved ? resolved.id : d;
    });
  }
  const parsed = AppDefinition.safeParse(body);
  if (!parsed.success) {
    details.push(...zodDetails(parsed.error.issues, at));
    return undefined;
  }
  const problems = portProblems(parsed.data, at);
  details.push(...problems);
  return problems.length === 0 ? parsed.data : undefined;
}

/**
 * Marathon's checks across fields: a health check's `portIndex` must name one of the app's ports,
 * a readiness check's `portName` one of its named ports.
 */
function portProblems(app: AppDefinition, at: string): ErrorDetail[] {
  const mappings = app.container?.portMappings ?? app.container?.docker?.portMappings;
  const ports = mappings !== undefined && mappings.length > 0 ? mappings : app.portDefinitions;
  const problems: ErrorDetail[] = [];
  app.healthChecks.forEach((check, i) => {
    const usesPort = check.protocol !== "COMMAND" && check.port === undefined;
    if (usesPort && (check.portIndex ?? 0) >= ports.length)
      problems.push({
        path: `${at}/healthChecks(${i})`,
        errors: [
          "Health check port indices must address an element of the ports array or container port mappings.",
        ],
      });
  });
  const names = new Set(ports.map((p) => ("name" in p ? p.name : undefined)).filter((n) => n !== undefined));
  app.readinessChecks.forEach((check, i) => {
    if (!names.has(check.portName))
      problems.push({
        path: `${at}/readinessChecks(${i})/portName`,
        errors: [`The port name '${check.portName}' is not one of the app's port names`],
      });
  });
  return problems;
}

function readGroup(body: Json, id: string, at: string, details: ErrorDetail[]): Group {
  const apps = (Array.isArray(body.apps) ? body.apps : []).flatMap((raw: unknown, i: number) => {
    const path = `${at}/apps(${i})`;
    const app = readApp(raw, id, path, details);
    if (app === undefined) return [];
    if (parentOf(app.id) !== id) {
      details.push({ path: `${path}/id`, errors: [`Identifier ${app.id} is not child of ${id}`] });
      return [];
    }
    return [app];
  });
  const groups = (Array.isArray(body.groups) ? body.groups : []).flatMap((raw: unknown, i: number) => {
    const path = `${at}/groups(${i})`;
    const child = raw as Json;
    if (typeof child.id !== "string" || child.id === "") {
      details.push({ path: `${path}/id`, errors: ["a subgroup needs an id"] });
      return [];
    }
    const resolved = resolvePathId(child.id, id);
    if ("error" in resolved) {
      details.push({ path: `${path}/id`, errors: [resolved.error] });
      return [];
    }
    const childId = resolved.id;
    if (parentOf(childId) !== id) {
      details.push({ path: `${path}/id`, errors: [`Identifier ${childId} is not child of ${id}`] });
      return [];
    }
    return [readGroup(child, childId, path, details)];
  });
  const dependencies = (Array.isArray(body.dependencies) ? body.dependencies : []).map(
    (d: unknown, i: number) => resolveOr(String(d), id, `${at}/dependencies(${i})`, details),
  );
  const seen = new Set<string>();
  for (const member of [...apps.map((a) => a.id), ...groups.map((g) => g.id)]) {
    if (seen.has(member))
      details.push({
        path: at || "/",
        errors: [`Groups and Applications may not have the same identifier: ${member}`],
      });
    seen.add(member);
  }
  return { id, apps, groups, dependencies, version: typeof body.version === "string" ? body.version : "" };
}

function resolveOr(raw: string, base: string, path: string, details: ErrorDetail[]): string {
  const resolved = resolvePathId(raw, base);
  if ("id" in resolved) return resolved.id;
  details.push({ path, errors: [resolved.error] });
  return raw;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
