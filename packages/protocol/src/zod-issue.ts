import type { z } from "zod";

/** The first thing zod found wrong, as error bodies and messages name it. */
export interface FieldIssue {
  /** Zod's message (`Invalid input: expected number, received string`). */
  readonly message: string;
  /** Where, as a dotted path (`resources.0.scalar`); "" when the value itself is wrong. */
  readonly field: string;
}

/**
 * The first issue of a failed parse as `{message, field}`: what every HTTP error mapper, bus decoder
 * and flag parser reports, so a bad input is named the same way everywhere.
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
  // Zod paths may hold symbols, which `join` cannot print.
  return { message: issue?.message ?? "invalid", field: issue?.path.map(String).join(".") ?? "" };
}
