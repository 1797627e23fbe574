import type { FastifyInstance } from "fastify";

/** Methods and headers a browser on another origin may use (the APIs' own, and the credentials). */
const ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS = "Authorization, Content-Type, Accept, Last-Event-ID";

/**
 * CORS for `--cors-origin` (comma-separated origins, or `*`): a request from an allowed origin gets
 * `Access-Control-Allow-Origin`, and its preflight (`OPTIONS` with `Access-Control-Request-Method`)
 * is answered 204 here, before authentication, as browsers send preflights without credentials.
 * Other origins get no CORS headers, so the browser keeps the answer from their scripts. Install it
 * before `installHttpAuthentication`, so a 401 carries the headers too.
 *
 * @example
 * installCors(app, ["https://ops.example.com"]);
 */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  const any = origins.includes("*");
  const allowed = new Set(origins);
  app.addHook("onRequest", async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !(any || allowed.has(origin))) return;
    // A named origin may send credentials; `*` may not (browsers refuse the combination).
    reply.header("access-control-allow-origin", any ? "*" : origin);
    if (!any) reply.header("access-control-allow-credentials", "true").header("vary", "Origin");
    if (request.method !== "OPTIONS" || request.headers["access-control-request-method"] === undefined)
      return;
    return reply
      .code(204)
      .header("access-control-allow-methods", ALLOW_METHODS)
      .header("access-control-allow-headers", ALLOW_HEADERS)
      .header("access-control-max-age", "600")
      .send();
  });
}
