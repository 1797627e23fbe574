import { ChronosError } from "../errors.js";
import type { JobDefaults } from "../model/job.js";
import type { ChronosService, JobView } from "../service.js";
import type { ChronosAuthorization } from "./authorize.js";
import type { JobText } from "./job-json.js";

/** What every route plugin shares. */
export interface HttpContext {
  service: ChronosService;
  now(): Date;
  /** Fill a job's zero cpus/mem/disk and empty user in the JSON it is shown in (Chronos' flags). */
  jobDefaults: JobDefaults;
  /** Jobs as Chronos' JSON text, each definition written once. */
  jobText: JobText;
  /** Milliseconds between the comment lines that keep an idle `/v1/events` stream open. */
  heartbeatMs: number;
  /** The ACLs' checks (`update_jobs`); undefined without `--acls`: every write is allowed. */
  acls?: ChronosAuthorization | undefined;
}

export type Query = Record<string, string | string[] | undefined>;

/** The job named in a URL, or `JOB_NOT_FOUND`. */
export function viewOf(ctx: HttpContext, name: string): JobView {
  const view = ctx.service.job(name);
  if (view === undefined) throw new ChronosError("JOB_NOT_FOUND", `Job '${name}' not found`);
  return view;
}

export function first(raw: string | string[] | undefined): string | undefined {
  return Array.isArray(raw) ? raw[0] : raw;
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

/** A non-negative integer query parameter; absent → `fallback`; anything else is a 400. */
export function count(query: Query, name: string, fallback: number): number {
  const raw = first(query[name]);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw))
    throw new ChronosError(
      "INVALID_REQUEST",
      `Query parameter '${name}' must be a non-negative integer, not '${raw}'`,
      {
        details: [{ path: `?${name}`, errors: ["must be a non-negative integer"] }],
      },
    );
  return Number(raw);
}

/** A boolean query flag (`?stopCurrentJobRuns=true`); absent → `fallback`; anything but true/false is a 400. */
export function flag(query: Query, name: string, fallback = false): boolean {
  const raw = first(query[name]);
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ChronosError("INVALID_REQUEST", `Query parameter '${name}' must be true or false, not '${raw}'`, {
    details: [{ path: `?${name}`, errors: ["must be true or false"] }],
  });
}
