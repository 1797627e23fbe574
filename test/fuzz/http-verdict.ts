import type { FuzzRequest } from "./http-requests.js";
import type { FuzzResponse } from "./http-send.js";

/** A response the suite does not accept, with what is needed to replay it. */
export interface Finding {
  readonly problem: string;
  readonly surface: string;
  readonly route: string;
  readonly request: { method: string; target: string; headers: Record<string, string>; body: string };
  readonly response: FuzzResponse;
}

/** The figures of one surface, as reported in docs/security.md. */
export interface SurfaceTally {
  requests: number;
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  /** Rejections (400/422) of a body with one field changed, that name that field / do not. */
  fieldNamed: number;
  fieldUnnamed: number;
  unnamedExamples: string[];
}

export function emptyTally(): SurfaceTally {
  return { requests: 0, byStatus: {}, byKind: {}, fieldNamed: 0, fieldUnnamed: 0, unnamedExamples: [] };
}

/**
 * What is wrong with `res` as an answer to `req`, or undefined: no answer at all, a 5xx, or a 4xx
 * without a message (a JSON body needs a non-empty `message`; Mesos' v1 APIs answer in plain text,
 * which must not be empty). HEAD answers carry no body, so only their status counts.
 */
export function problemOf(req: FuzzRequest, res: FuzzResponse): string | undefined {
  if (res.status === 0) return `no answer (${res.error ?? "?"})`;
  if (res.status >= 500) return `${res.status}`;
  if (res.status < 400 || req.method === "HEAD") return undefined;
  const text = res.body.trim();
  if (text === "") return `${res.status} with an empty body`;
  if (!res.contentType.includes("json")) return undefined;
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message !== "string" || body.message.trim() === "")
      return `${res.status} without a message`;
  } catch {
    // A JSON error body cut at the report's limit still began with its message.
    if (!/^\{"message":"[^"]/.test(text)) return `${res.status} with a body that is not JSON`;
  }
  return undefined;
}

/** Counts `res` in `tally`, and whether a rejected one-field mutation names its field. */
export function count(tally: SurfaceTally, req: FuzzRequest, res: FuzzResponse): void {
  tally.requests++;
  const status = res.status === 0 ? "none" : String(res.status);
  tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
  tally.byKind[req.kind] = (tally.byKind[req.kind] ?? 0) + 1;
  const key = req.field
    ?.split(".")
    .reverse()
    .find((k) => !/^\d+$/.test(k));
  if (key && req.kind !== "mutated:whole" && (res.status === 400 || res.status === 422)) {
    if (res.body.includes(key)) tally.fieldNamed++;
    else {
      tally.fieldUnnamed++;
      if (tally.unnamedExamples.length < 10)
        tally.unnamedExamples.push(
          `${req.method} ${req.target.slice(0, 80)} [${req.field}] → ${res.body.slice(0, 160)}`,
        );
    }
  }
}

export function findingOf(surface: string, req: FuzzRequest, res: FuzzResponse, problem: string): Finding {
  const body = req.body === undefined ? "" : req.body.toString().slice(0, 600);
  return {
    problem,
    surface,
    route: req.route,
    request: { method: req.method, target: req.target.slice(0, 400), headers: { ...req.headers }, body },
    response: res,
  };
}
