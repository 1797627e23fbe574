import type { MarathonError } from "../errors.js";
import { resolvePathId } from "../model/path-id.js";

/** Query parameters and path pieces as Marathon reads them. */

export type Query = Record<string, string | string[] | undefined>;

/**
 * A boolean query flag as Marathon reads one: Jersey turns `@QueryParam … Boolean` into
 * `Boolean.valueOf`, so `true` in any case (`TRUE`, `True`) is true and every other value (`False`,
 * `0`, `yes`) is false; absent or empty → `fallback` (the `@DefaultValue`). Never a 400: Marathon's
 * clients were written against that, and a wrongly spelled `force` shows up as the 409 it then gets.
 */
export function flag(query: Query, name: string, fallback = false): boolean {
  const raw = first(query[name])?.trim();
  if (raw === undefined || raw === "") return fallback;
  return raw.toLowerCase() === "true";
}

/** Every value of a repeatable parameter (`embed=a&embed=b`), also comma-separated ones. */
export function all(query: Query, name: string): string[] {
  const raw = query[name];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

export function first(raw: string | string[] | undefined): string | undefined {
  return Array.isArray(raw) ? raw[0] : raw;
}

/**
 * An id from a URL (fastify has decoded it already), absolute; a malformed one names nothing, so it
 * is the caller's `notFound`.
 */
export function idFromUrl(raw: string, notFound: () => MarathonError): string {
  const resolved = resolvePathId(raw, "/");
  if ("error" in resolved) throw notFound();
  return resolved.id;
}

/** `/v2/apps/<id>[/restart|/tasks[/<taskId>]|/versions[/<version>]]` split into its parts. */
export interface AppPath {
  appId: string;
  sub: "restart" | "tasks" | "versions" | undefined;
  arg: string | undefined;
}

export function splitAppPath(rest: string): AppPath {
  const segments = rest.split("/").filter((s) => s !== "");
  const last = segments.at(-1);
  if (last === "restart" || last === "tasks" || last === "versions")
    return { appId: segments.slice(0, -1).join("/"), sub: last, arg: undefined };
  const beforeLast = segments.at(-2);
  if (segments.length >= 3 && (beforeLast === "tasks" || beforeLast === "versions"))
    return { appId: segments.slice(0, -2).join("/"), sub: beforeLast, arg: last };
  return { appId: segments.join("/"), sub: undefined, arg: undefined };
}

/** True when the client asked for text rather than JSON (`Accept: text/plain`). */
export function wantsText(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const json = accept.indexOf("application/json");
  const text = accept.indexOf("text/plain");
  return text >= 0 && (json < 0 || text < json);
}
