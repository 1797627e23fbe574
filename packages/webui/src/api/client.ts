import type { z } from "zod";
import { auth, Session } from "./auth";

/** An HTTP answer other than 2xx, with the body the server sent (Marathon's `{message, details}`, the master's `{message, field}`). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
    /** The request that failed, so a refusal can name what was tried. */
    readonly request?: { readonly method: string; readonly path: string },
  ) {
    super(message);
  }
}

export function isApiError(e: unknown, status?: number): e is ApiError {
  return e instanceof ApiError && (status === undefined || e.status === status);
}

async function failure(res: Response, method: string, path: string): Promise<ApiError> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  const message =
    typeof body === "object" && body !== null && "message" in body && typeof body.message === "string"
      ? body.message
      : `${method} ${path}: HTTP ${res.status}`;
  return new ApiError(res.status, message, body, { method, path });
}

/**
 * `fetch` with the login's bearer token; a 401 tells the login state, which then shows the login
 * form (unless the token sent is no longer the tab's: a login happened meanwhile).
 */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const token = auth.token();
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401) auth.dispatch({ type: "unauthorized", token });
  return res;
}

/** GETs `path` from the master (same origin) and parses the answer with its schema. */
export async function getJson<S extends z.ZodType>(
  path: string,
  schema: S,
  signal?: AbortSignal,
): Promise<z.output<S>> {
  const res = await authorizedFetch(path, {
    headers: { accept: "application/json" },
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await failure(res, "GET", path);
  return schema.parse(await res.json());
}

/** GETs `path` as text (Chronos' `/graph/csv`). */
export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  const res = await authorizedFetch(path, signal ? { signal } : {});
  if (!res.ok) throw await failure(res, "GET", path);
  return res.text();
}

/** Sends a JSON body (or none) and returns the parsed answer, if any. */
export async function sendJson(
  method: "POST" | "PUT" | "DELETE" | "PATCH",
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await authorizedFetch(path, {
    method,
    headers:
      body === undefined
        ? { accept: "application/json" }
        : { "content-type": "application/json", accept: "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw await failure(res, method, path);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** POSTs an HTML form body (`a=1&b=2`), as Mesos' operator endpoints such as `/teardown` take it. */
export async function postForm(path: string, fields: Record<string, string>): Promise<void> {
  const res = await authorizedFetch(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(fields).toString(),
  });
  if (!res.ok) throw await failure(res, "POST", path);
}

/**
 * Logs in at the master's `POST /login` (a JSON body, so no browser password dialog shows). A wrong
 * principal or secret is an `ApiError` 401 whose message says so; the session is returned, not kept:
 * the caller dispatches it.
 */
export async function login(principal: string, secret: string): Promise<Session> {
  const res = await fetch("/login", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ principal, secret }),
  });
  if (res.status === 401)
    throw new ApiError(401, "Wrong principal or secret.", undefined, { method: "POST", path: "/login" });
  if (!res.ok) throw await failure(res, "POST", "/login");
  return Session.parse(await res.json());
}

/**
 * Saves a file the master serves (a sandbox download) under `name`: fetched with the login's header
 * into a blob, since a plain link cannot carry it.
 */
export async function downloadFile(path: string, name: string): Promise<void> {
  const res = await authorizedFetch(path);
  if (!res.ok) throw await failure(res, "GET", path);
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // The click has handed the blob to the download already; revoking later would keep it in memory.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
