import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Principal } from "./authorizer.js";
import type { Credentials } from "./credentials.js";
import { type HttpAccess, httpAccess, isEventStream, operatorCallAccess } from "./http-access.js";
import type { SessionTokens } from "./sessions.js";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The principal whose credentials the request carried (HTTP basic, a bearer secret or a login
     * session token), checked by `installHttpAuthentication`; undefined when it carried none (or
     * when the server has no `--http-credentials`). ACL checks read it.
     */
    principal: Principal;
  }
}

/** Whose API answers: a 401 is shaped as that API's clients expect it. */
export type HttpAuthStyle = "mesos" | "marathon" | "chronos";

export interface HttpAuthenticationOptions {
  /** `--http-credentials`; without it nothing is authenticated and `request.principal` stays undefined. */
  credentials: Credentials | undefined;
  /** `--authenticate-http-readonly`: GETs (and the `GET_*` operator calls) need credentials. */
  authenticateReadonly: boolean;
  /** `--authenticate-http-readwrite`: every other request needs credentials. */
  authenticateReadwrite: boolean;
  /** Login sessions whose tokens are accepted as bearer tokens (the master's, shared in dev mode). */
  sessions?: SessionTokens | undefined;
  /** The shape of a 401 (default mesos). */
  style?: HttpAuthStyle;
}

/** The realm in every challenge, `WWW-Authenticate: Basic realm="agora"`. */
export const HTTP_REALM = "agora";

type Outcome = { kind: "none" } | { kind: "bad" } | { kind: "ok"; principal: string };

/**
 * Mesos' HTTP authentication for a fastify server: HTTP basic (`principal:secret`) or
 * `Authorization: Bearer <token>` (a principal's secret, or a session token from `POST /login`),
 * and, on event streams only, the token as an `access_token` query parameter. Credentials that are
 * given are always checked (wrong ones are a 401 even where none are needed); missing ones are a
 * 401 only in a realm the flags protect. The principal lands on `request.principal`. Install it
 * before the routes are registered.
 *
 * @example
 * installHttpAuthentication(app, { credentials, authenticateReadonly: false, authenticateReadwrite: true });
 * app.post("/weights", async (request) => authorizer.allows("update_weights", request.principal, role));
 */
export function installHttpAuthentication(app: FastifyInstance, o: HttpAuthenticationOptions): void {
  app.decorateRequest("principal", undefined);
  const { credentials } = o;
  if (!credentials) return;
  const style = o.style ?? "mesos";
  const required = (access: Exclude<HttpAccess, "operator">) =>
    access === "readonly" ? o.authenticateReadonly : access === "readwrite" && o.authenticateReadwrite;
  // Operator calls whose realm waits for the body (exactly one of the two flags is set).
  const pending = new WeakSet<FastifyRequest>();

  app.addHook("onRequest", async (request, reply) => {
    const path = pathOf(request.url);
    const access = httpAccess(request.method, path);
    if (access === "open") return;
    const outcome = authenticate(request, credentials, o.sessions, isEventStream(request.method, path));
    if (outcome.kind === "bad") return challenge(reply, style, schemeOf(request));
    if (outcome.kind === "ok") {
      request.principal = outcome.principal;
      return;
    }
    if (access !== "operator") return required(access) ? challenge(reply, style) : undefined;
    if (o.authenticateReadonly && o.authenticateReadwrite) return challenge(reply, style);
    if (o.authenticateReadonly || o.authenticateReadwrite) pending.add(request);
  });

  app.addHook("preValidation", async (request, reply) => {
    if (!pending.has(request)) return;
    if (required(operatorCallAccess(jsonBody(request.body)))) return challenge(reply, style);
  });
}

/** What a request's credentials say. A scheme other than Basic or Bearer counts as wrong. */
export function authenticate(
  request: Pick<FastifyRequest, "headers" | "query">,
  credentials: Credentials,
  sessions: SessionTokens | undefined,
  queryToken: boolean,
): Outcome {
  const header = request.headers.authorization;
  if (header === undefined) {
    const token = queryToken
      ? (request.query as { access_token?: unknown } | undefined)?.access_token
      : undefined;
    return typeof token === "string" ? bearer(token, credentials, sessions) : { kind: "none" };
  }
  const space = header.indexOf(" ");
  const scheme = header.slice(0, space < 0 ? header.length : space).toLowerCase();
  const value = space < 0 ? "" : header.slice(space + 1).trim();
  if (scheme === "bearer") return bearer(value, credentials, sessions);
  if (scheme !== "basic") return { kind: "bad" };
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return { kind: "bad" };
  const principal = decoded.slice(0, colon);
  return credentials.check(principal, decoded.slice(colon + 1)) ? { kind: "ok", principal } : { kind: "bad" };
}

function bearer(token: string, credentials: Credentials, sessions: SessionTokens | undefined): Outcome {
  if (token === "") return { kind: "bad" };
  const principal = sessions?.verify(token) ?? credentials.principalOfToken(token);
  return principal === undefined ? { kind: "bad" } : { kind: "ok", principal };
}

/**
 * A request that sent a bearer token (the web UI) is challenged with `Bearer`: a browser shows its own
 * password dialog for a `Basic` challenge, even to `fetch`, and the UI has its login page instead.
 */
const schemeOf = (request: FastifyRequest): "Basic" | "Bearer" =>
  /^bearer\b/i.test(request.headers.authorization ?? "") ||
  (request.headers.authorization === undefined && "access_token" in ((request.query as object) ?? {}))
    ? "Bearer"
    : "Basic";

/** A 401 with a challenge (`Basic` unless told), in the answering API's shape. */
export function challenge(
  reply: FastifyReply,
  style: HttpAuthStyle,
  scheme: "Basic" | "Bearer" = "Basic",
): FastifyReply {
  reply.code(401).header("www-authenticate", `${scheme} realm="${HTTP_REALM}"`);
  switch (style) {
    // libprocess' `Unauthorized`: plain text.
    case "mesos":
      return reply.type("text/plain; charset=utf-8").send("401 Unauthorized.");
    // Marathon's error shape, as its authenticator plugins answer.
    case "marathon":
      return reply.type("application/json").send({ message: "Not Authenticated!" });
    // Chronos answers through Jetty's basic authentication: its HTML error page.
    case "chronos":
      return reply
        .type("text/html; charset=utf-8")
        .send(
          "<html><head><title>Error 401 Unauthorized</title></head><body><h2>HTTP ERROR 401</h2><p>Reason:<pre>    Unauthorized</pre></p></body></html>\n",
        );
  }
}

const pathOf = (url: string) => {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
};

/** An operator call's body as JSON, whichever parser read it. */
function jsonBody(body: unknown): unknown {
  if (typeof body !== "string" && !Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString());
  } catch {
    return undefined;
  }
}

/** `POST /login`'s optional JSON body, for forms that would rather not build a Basic header. */
export const LoginBody = z.strictObject({
  principal: z.string({ error: "a string is required" }).min(1, "must not be empty"),
  secret: z.string({ error: "a string is required" }).min(1, "must not be empty"),
});
