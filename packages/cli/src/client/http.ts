import { rootCertificates } from "node:tls";
import { firstIssue } from "@agora/protocol";
import { z } from "zod";
import { CliError } from "../errors.js";

type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Which server a request goes to: it names the server in errors and says how to reach it. */
export type Service = "master" | "marathon" | "chronos";

/** Where the client verbs find the cluster. Marathon and Chronos default to the master's proxy. */
export interface Endpoints {
  readonly master: string;
  readonly marathon: string;
  readonly chronos: string;
  /** True when Marathon/Chronos were given by `--marathon`/`--chronos` rather than through the master. */
  readonly direct: { readonly marathon: boolean; readonly chronos: boolean };
}

export function endpoints(o: { master: string; marathon?: string; chronos?: string }): Endpoints {
  const master = o.master.replace(/\/+$/, "");
  return {
    master,
    marathon: (o.marathon ?? `${master}/service/marathon`).replace(/\/+$/, ""),
    chronos: (o.chronos ?? `${master}/service/chronos`).replace(/\/+$/, ""),
    direct: { marathon: o.marathon !== undefined, chronos: o.chronos !== undefined },
  };
}

const names: Record<Service, string> = { master: "the master", marathon: "Marathon", chronos: "Chronos" };

/** The error bodies of the master (`{message, field?}`), Marathon (`{message, details?}`) and Chronos. */
const ErrorBody = z.looseObject({
  message: z.string(),
  field: z.string().optional(),
  details: z
    .array(z.looseObject({ path: z.string().optional(), errors: z.array(z.string()).optional() }))
    .optional(),
});

/** Credentials the client verbs send (`--principal`/`--secret`), as HTTP basic. */
export interface ClientCredentials {
  readonly principal: string;
  readonly secret: string;
}

export interface HttpClientOptions {
  /** Sent with every request (default: none). */
  credentials?: ClientCredentials;
  /** A PEM CA certificate to trust for https:// servers, besides the system's (`--ca`). */
  ca?: Buffer;
}

export interface RequestOptions<S extends z.ZodType> {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Reads the answer; without it the body is ignored. */
  schema?: S;
  /** Statuses that are answers rather than errors (e.g. 404 when probing). */
  accept?: readonly number[];
}

/**
 * The client verbs' HTTP client: one method that sends, checks the status and reads the answer
 * through a zod schema, so a server that answers something unexpected fails with a message naming
 * the URL and the field, never with `undefined` further on. Unreachable servers and refused requests
 * become `CliError`s that say which URL and what to do.
 *
 * @example
 * const http = new HttpClient(endpoints({ master: "http://127.0.0.1:5050" }));
 * const state = await http.request("master", "/master/state", { schema: MasterState });
 */
export class HttpClient {
  private readonly authorization: string | undefined;
  private dispatcher: Promise<FetchLike> | undefined;

  constructor(
    readonly endpoints: Endpoints,
    private readonly timeoutMs = 15_000,
    private readonly options: HttpClientOptions = {},
  ) {
    const c = options.credentials;
    this.authorization = c
      ? `Basic ${Buffer.from(`${c.principal}:${c.secret}`, "utf8").toString("base64")}`
      : undefined;
  }

  /** Node's fetch, or undici's with an agent that trusts `--ca` too (loaded only then). */
  private fetcher(): Promise<FetchLike> {
    const { ca } = this.options;
    if (!ca) return Promise.resolve(fetch);
    this.dispatcher ??= import("undici").then(({ Agent, fetch: undiciFetch }) => {
      const dispatcher = new Agent({ connect: { ca: [...rootCertificates, ca.toString("utf8")] } });
      return ((url, init) => undiciFetch(url, { ...(init as object), dispatcher })) as FetchLike;
    });
    return this.dispatcher;
  }

  url(service: Service, path: string): string {
    return `${this.endpoints[service]}${path}`;
  }

  async request<S extends z.ZodType = z.ZodUnknown>(
    service: Service,
    path: string,
    o: RequestOptions<S> = {},
  ): Promise<{ status: number; body: z.infer<S> }> {
    const url = this.url(service, path);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.authorization) headers.authorization = this.authorization;
    let body: string | undefined;
    if (o.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(o.json);
    } else if (o.form !== undefined) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(o.form).toString();
    }
    let res: Response;
    try {
      res = await (await this.fetcher())(url, {
        method: o.method ?? "GET",
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw this.unreachable(service, url, cause);
    }
    const text = await res.text();
    if (!res.ok && !(o.accept ?? []).includes(res.status)) throw this.refused(service, url, res.status, text);
    if (!o.schema || !res.ok) return { status: res.status, body: undefined as z.infer<S> };
    let raw: unknown;
    try {
      raw = text === "" ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new CliError("REQUEST_FAILED", `agora: ${url} did not answer JSON: ${text.slice(0, 200)}`, {
        cause,
      });
    }
    const parsed = o.schema.safeParse(raw);
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      throw new CliError(
        "REQUEST_FAILED",
        `agora: ${url} answered JSON this agora cannot read (${field || "body"}: ${message}); are client and server the same version?`,
      );
    }
    return { status: res.status, body: parsed.data };
  }

  /** `request` for the body only. */
  async get<S extends z.ZodType>(service: Service, path: string, schema: S): Promise<z.infer<S>> {
    return (await this.request(service, path, { schema })).body;
  }

  private unreachable(service: Service, url: string, cause: unknown): CliError {
    const e = cause as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    const why =
      e.name === "TimeoutError"
        ? `no answer within ${this.timeoutMs / 1000} s`
        : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(cause));
    const hint =
      service === "master" || !this.endpoints.direct[service]
        ? `start a cluster with 'agora dev', or point --master (or AGORA_MASTER) at a running master (now ${this.endpoints.master})`
        : `check --${service} (or AGORA_${service.toUpperCase()}), now ${this.endpoints[service]}`;
    // Through the master's proxy, it is the master that did not answer.
    const who = service === "master" || !this.endpoints.direct[service] ? names.master : names[service];
    return new CliError("UNREACHABLE", `agora: cannot reach ${who} at ${url} (${why}): ${hint}`, {
      cause,
    });
  }

  private refused(service: Service, url: string, status: number, text: string): CliError {
    let message = text.trim().slice(0, 500) || `HTTP ${status}`;
    try {
      const body = ErrorBody.safeParse(JSON.parse(text));
      if (body.success) {
        const details = (body.data.details ?? [])
          .map((d) => `${d.path ?? ""}: ${(d.errors ?? []).join(", ")}`)
          .join("; ");
        message = `${body.data.message}${body.data.field ? ` (${body.data.field})` : ""}${details ? ` — ${details}` : ""}`;
      }
    } catch {
      // not JSON: the text as it is
    }
    // The master's proxy answers 404 for a framework that is not registered (or has no web UI URL).
    if (service !== "master" && !this.endpoints.direct[service] && /^no framework named/.test(message)) {
      return new CliError(
        "UNREACHABLE",
        `agora: ${names[service]} is not registered with the master at ${this.endpoints.master} (${message}): is it running? 'agora dev' starts it; or give --${service} URL`,
      );
    }
    if (status === 401)
      message += this.authorization
        ? ": wrong --principal or --secret"
        : ": give --principal and --secret (or AGORA_PRINCIPAL and AGORA_SECRET)";
    const code = status === 404 ? "NOT_FOUND" : "REQUEST_FAILED";
    return new CliError(code, `agora: ${names[service]} refused ${url}: ${message} (HTTP ${status})`);
  }
}
