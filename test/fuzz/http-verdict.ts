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
 * Every call type of Mesos' v1 APIs (master, agent, scheduler, executor `Call` enums). A call Mesos
 * defines and Agora does not implement is answered 501, as Mesos answers what it lacks; that is a
 * well-formed request, not a malformed one. Any other type must be a 400.
 */
const MESOS_CALL_TYPES: ReadonlySet<string> = new Set(
  `ACCEPT ACCEPT_INVERSE_OFFERS ACKNOWLEDGE ACKNOWLEDGE_OPERATION_STATUS ADD_RESOURCE_PROVIDER_CONFIG
  ATTACH_CONTAINER_INPUT ATTACH_CONTAINER_OUTPUT CREATE_VOLUMES DEACTIVATE_AGENT DECLINE DECLINE_INVERSE_OFFERS
  DESTROY_VOLUMES DRAIN_AGENT GET_AGENT GET_AGENTS GET_CONTAINERS GET_EXECUTORS GET_FLAGS GET_FRAMEWORKS
  GET_HEALTH GET_LOGGING_LEVEL GET_MAINTENANCE_SCHEDULE GET_MAINTENANCE_STATUS GET_MASTER GET_METRICS
  GET_OPERATIONS GET_QUOTA GET_RESOURCE_PROVIDERS GET_ROLES GET_STATE GET_TASKS GET_VERSION GET_WEIGHTS
  GROW_VOLUME HEARTBEAT KILL KILL_CONTAINER KILL_NESTED_CONTAINER LAUNCH_CONTAINER LAUNCH_NESTED_CONTAINER
  LAUNCH_NESTED_CONTAINER_SESSION LIST_FILES MARK_AGENT_GONE MARK_RESOURCE_PROVIDER_GONE MESSAGE PRUNE_IMAGES
  REACTIVATE_AGENT READ_FILE RECONCILE RECONCILE_OPERATIONS REMOVE_CONTAINER REMOVE_NESTED_CONTAINER
  REMOVE_QUOTA REMOVE_RESOURCE_PROVIDER_CONFIG REQUEST RESERVE_RESOURCES REVIVE SET_LOGGING_LEVEL SET_QUOTA
  SHRINK_VOLUME SHUTDOWN START_MAINTENANCE STOP_MAINTENANCE SUBSCRIBE SUPPRESS TEARDOWN UNKNOWN
  UNRESERVE_RESOURCES UPDATE UPDATE_FRAMEWORK UPDATE_MAINTENANCE_SCHEDULE UPDATE_QUOTA
  UPDATE_RESOURCE_PROVIDER_CONFIG UPDATE_WEIGHTS WAIT_CONTAINER WAIT_NESTED_CONTAINER`.split(/\s+/),
);

/** The `type` of a JSON body, when it has one. */
function callType(req: FuzzRequest): string | undefined {
  try {
    const body = JSON.parse(req.body?.toString() ?? "") as { type?: unknown };
    return typeof body.type === "string" ? body.type : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with `res` as an answer to `req`, or undefined: no answer at all, a 5xx, or a 4xx
 * without a message (a JSON body needs a non-empty `message`; Mesos' v1 APIs answer in plain text,
 * which must not be empty). HEAD answers carry no body, so only their status counts.
 */
export function problemOf(req: FuzzRequest, res: FuzzResponse): string | undefined {
  if (res.status === 0) return `no answer (${res.error ?? "?"})`;
  if (res.status === 501 && MESOS_CALL_TYPES.has(callType(req) ?? "")) return undefined;
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
    // A JSON error body cut at the report's limit (it quotes a long URL, say) still holds its message.
    if (!/"message":"[^"]/.test(text)) return `${res.status} with a body that is not JSON`;
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
      if (tally.unnamedExamples.length < 40)
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
