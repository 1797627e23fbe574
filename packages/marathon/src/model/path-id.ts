import { z } from "zod";

/** One segment of a Marathon path id (Marathon's `PathId` rule). */
const SEGMENT = /^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

/** Last segments an app may not have: they would shadow `/v2/apps/{id}/<segment>` routes. */
const RESERVED_APP_SEGMENTS = new Set(["restart", "tasks", "versions"]);

export const ROOT = "/";

/**
 * Resolves a Marathon id (absolute `/a/b`, relative `b` or `../b`) against the absolute `base` group
 * id and returns the canonical absolute form (`/a/b`, root is `/`). Returns an error message instead
 * when a segment breaks Marathon's id rule.
 */
export function resolvePathId(raw: string, base: string = ROOT): { id: string } | { error: string } {
  const parts = raw.startsWith("/") ? [] : segmentsOf(base);
  for (const segment of raw.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (parts.length === 0) return { error: `'${raw}' goes above the root group` };
      parts.pop();
      continue;
    }
    if (!SEGMENT.test(segment))
      return {
        error: `path contains invalid characters (allowed: lowercase letters, digits, hyphens, "." and ".." between segments): '${segment}'`,
      };
    parts.push(segment);
  }
  return { id: `/${parts.join("/")}` };
}

export function segmentsOf(id: string): string[] {
  return id.split("/").filter((s) => s !== "");
}

/** The group that holds `id` (`/` for a top-level id, and for `/` itself). */
export function parentOf(id: string): string {
  const parts = segmentsOf(id);
  return parts.length <= 1 ? ROOT : `/${parts.slice(0, -1).join("/")}`;
}

/** True when `id` is `group` or lies anywhere below it. */
export function isWithin(id: string, group: string): boolean {
  return group === ROOT || id === group || id.startsWith(`${group}/`);
}

/** The longest app id whose task ids (`<segments joined by _>.<uuid>`) stay within 255 characters. */
const MAX_APP_ID_LENGTH = 200;

/** A path id, resolved against the root. */
export const PathId = z.string().transform((raw, ctx) => {
  const resolved = resolvePathId(raw);
  if ("error" in resolved) {
    ctx.addIssue({ code: "custom", message: resolved.error });
    return z.NEVER;
  }
  return resolved.id;
});

/**
 * An app's id: a path id that is not the root and does not end in a reserved segment. Branded, so
 * an app id is never mixed up with a group id, a task id or any other string.
 */
export const AppId = PathId.refine((id) => id !== ROOT, { message: "an app id must not be empty" })
  .refine((id) => !RESERVED_APP_SEGMENTS.has(segmentsOf(id).at(-1) ?? ""), {
    message: `an app id must not end in ${[...RESERVED_APP_SEGMENTS].join(", ")}`,
  })
  // Its task ids are the id's segments and a 36-character uuid, and a task id is at most 255 characters:
  // a longer id was accepted and its tasks could never launch (found by the fuzz suite).
  .refine((id) => segmentsOf(id).join("_").length <= MAX_APP_ID_LENGTH, {
    message: `an app id must be at most ${MAX_APP_ID_LENGTH} characters (its task ids hold it)`,
  })
  .brand<"AppId">();
export type AppId = z.output<typeof AppId>;
