import type { z } from "zod";

/** The first thing zod found wrong, as error bodies and messages name it. */
export interface FieldIssue {
  /** Zod's message (`Invalid input: expected number, received string`). */
  readonly message: string;
  /** Where, as a dotted path (`resources.0.scalar`); "" when the value itself is wrong. */
  readonly field: string;
  /** The same place as path segments, for APIs that print paths their own way (Mesos' `resources[0].scalar`). */
  readonly path: readonly (string | number)[];
}

/**
 * The first issue of a failed parse as `{message, field, path}`: what every HTTP error mapper, bus
 * decoder, flag and file parser reports, so a bad input is named the same way everywhere. An
 * unexpected key of a strict object is named itself (`frameworkInfo.rolez`), not its object.
 *
 * @example
 * const parsed = schema.safeParse(query);
 * if (!parsed.success) {
 *   const { message, field } = firstIssue(parsed.error);
 *   throw new AgentError("INVALID_REQUEST", `${field || "query"}: ${message}`, { field });
 * }
 */
export function firstIssue(error: z.ZodError): FieldIssue {
  const issue = error.issues[0];
  if (!issue) return { message: "invalid", field: "", path: [] };
  // Zod paths may hold symbols, which `join` cannot print.
  const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
  // A strict object's issue sits at the object; the field at fault is the key it did not expect.
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return { message: issue.message, field: path.join("."), path };
}

/**
 * The message of a union that matched no branch (`z.union([a, b], { error: deepestUnionIssue })`): the
 * issue of the branch that got furthest, with its path inside the union, instead of zod's bare
 * "Invalid input" at the union, so a bad field in either of two accepted shapes is named (the fuzz
 * suite found `POST /reserve` naming only `resources.0`).
 */
export function deepestUnionIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_union") return undefined;
  let deepest: z.core.$ZodIssue | undefined;
  for (const i of issue.errors.flat()) if (!deepest || i.path.length > deepest.path.length) deepest = i;
  return deepest && deepest.path.length > 0
    ? `${deepest.path.map(String).join(".")}: ${deepest.message}`
    : undefined;
}
