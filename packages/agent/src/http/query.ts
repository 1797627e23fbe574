import { firstIssue } from "@agora/protocol";
import type { z } from "zod";
import { AgentError } from "../errors.js";

/** Validates a request's query with `schema`; failures are INVALID_REQUEST naming the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = firstIssue(parsed.error);
  const field = issue.field || "query";
  throw new AgentError("INVALID_REQUEST", `${field}: ${issue.message}`, { field });
}
