import { firstIssue } from "@agora/protocol";
import type { z } from "zod";
import { MasterError } from "../errors.js";

/** Validates a query string with its zod schema; failures are 400s naming the field. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  const { field, message } = firstIssue(parsed.error);
  throw new MasterError("INVALID_QUERY", `${field || "query"}: ${message}`, { field });
}
