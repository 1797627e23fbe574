/**
 * Which of Mesos' HTTP authentication realms a request falls in: `open` (never authenticated),
 * `readonly` (`--authenticate-http-readonly`) or `readwrite` (`--authenticate-http-readwrite`).
 * `operator` is Mesos' v1 operator API, whose realm depends on the call in the body (`GET_*` calls
 * read, the rest write): the caller decides it with `operatorCallAccess` once the body is parsed.
 */
export type HttpAccess = "open" | "readonly" | "readwrite" | "operator";

/**
 * Probes and the login itself answer without credentials: load balancers and supervisors call
 * `/health` and `/ping` (Mesos never authenticates `/health`, nor `/version`), and the web UI's
 * static files must load before anyone has logged in. `/login` checks its own credentials.
 */
const OPEN_PATHS = new Set(["/health", "/master/health", "/version", "/ping", "/login", "/", "/favicon.ico"]);

/**
 * Realms of their own, outside read-only and read-write: custom executors post to the agent's
 * `/api/v1/executor` with a token Mesos signs for them (`--authenticate-http-executors`; Agora issues
 * none, so it stays open), and Mesos frameworks to the master's `/api/v1/scheduler`, which Mesos
 * authenticates in its realm `mesos-master-scheduler` against the frameworks' `--credentials`
 * (`--authenticate-http-frameworks`), never against `--http-credentials`: the scheduler routes do that.
 */
const OPEN_PREFIXES = ["/ui/", "/api/v1/executor", "/api/v1/scheduler"];

/** The realm of a request, from its method and path (without the query). */
export function httpAccess(method: string, path: string): HttpAccess {
  if (method === "OPTIONS") return "open";
  if (OPEN_PATHS.has(path) || path === "/ui" || OPEN_PREFIXES.some((p) => path.startsWith(p))) return "open";
  if (method === "GET" || method === "HEAD") return "readonly";
  if (method === "POST" && isOperatorApi(path)) return "operator";
  return "readwrite";
}

/** Mesos' v1 operator API: `/api/v1` and its sub-paths (the scheduler and executor APIs are open here). */
function isOperatorApi(path: string): boolean {
  return path === "/api/v1" || path.startsWith("/api/v1/");
}

/** The realm of an operator call: Mesos' `GET_*` calls only read, everything else writes. */
export function operatorCallAccess(body: unknown): "readonly" | "readwrite" {
  const type = (body as { type?: unknown } | null | undefined)?.type;
  return typeof type === "string" && type.startsWith("GET_") ? "readonly" : "readwrite";
}

/**
 * The event streams a browser opens with `EventSource`, which cannot set headers: only these
 * accept the token as an `access_token` query parameter (the master's `/master/events`, Marathon's
 * `/v2/events`, Chronos' `/v1/events`, also through the master's `/service/<name>/` proxy).
 */
export function isEventStream(method: string, path: string): boolean {
  if (method !== "GET") return false;
  return path === "/master/events" || /^(\/service\/[^/]+)?\/v[12]\/events$/.test(path);
}
