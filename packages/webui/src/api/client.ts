import type { z } from "zod";

/** An HTTP answer other than 2xx, with the body the server sent (Marathon's `{message, details}`, the master's `{message, field}`). */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export function isApiError(e: unknown, status?: number): e is ApiError {
  return e instanceof ApiError && (status === undefined || e.status === status);
}

async function failure(res: Response, what: string): Promise<ApiError> {
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
      : `${what}: HTTP ${res.status}`;
  return new ApiError(res.status, message, body);
}

/** GETs `path` from the master (same origin) and parses the answer with its schema. */
export async function getJson<S extends z.ZodType>(
  path: string,
  schema: S,
  signal?: AbortSignal,
): Promise<z.output<S>> {
  const res = await fetch(path, { headers: { accept: "application/json" }, ...(signal ? { signal } : {}) });
  if (!res.ok) throw await failure(res, `GET ${path}`);
  return schema.parse(await res.json());
}

/** Sends a JSON body (or none) and returns the parsed answer, if any. */
export async function sendJson(
  method: "POST" | "PUT" | "DELETE" | "PATCH",
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(path, {
    method,
    headers:
      body === undefined
        ? { accept: "application/json" }
        : { "content-type": "application/json", accept: "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw await failure(res, `${method} ${path}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** POSTs an HTML form body (`a=1&b=2`), as Mesos' operator endpoints such as `/teardown` take it. */
export async function postForm(path: string, fields: Record<string, string>): Promise<void> {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(fields).toString(),
  });
  if (!res.ok) throw await failure(res, `POST ${path}`);
}
