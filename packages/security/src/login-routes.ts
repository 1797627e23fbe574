import { firstIssue } from "@agora/protocol";
import type { FastifyInstance } from "fastify";
import type { Credentials } from "./credentials.js";
import { authenticate, challenge, LoginBody } from "./http-auth.js";
import type { SessionTokens } from "./sessions.js";

export interface LoginRoutesOptions {
  credentials: Credentials | undefined;
  sessions: SessionTokens;
  authenticateReadonly: boolean;
  authenticateReadwrite: boolean;
}

/**
 * The web UI's login, on the master:
 * - `GET /login` → `{credentials, authenticateReadonly, authenticateReadwrite}`: whether the UI must
 *   ask for a login before it reads (or before it writes);
 * - `POST /login` with HTTP basic credentials (or a JSON body `{principal, secret}`) →
 *   `{principal, token, expiresAt}`; the UI sends the token as `Authorization: Bearer <token>`, and
 *   as `?access_token=` on event streams. A wrong secret is a 401 (challenged with `Bearer`, so the
 *   browser shows no password dialog of its own); a master without `--http-credentials` answers 404.
 *
 * @example
 * installLoginRoutes(app, { credentials, sessions, authenticateReadonly: true, authenticateReadwrite: true });
 */
export function installLoginRoutes(app: FastifyInstance, o: LoginRoutesOptions): void {
  app.get("/login", async () => ({
    credentials: o.credentials !== undefined,
    authenticateReadonly: o.credentials !== undefined && o.authenticateReadonly,
    authenticateReadwrite: o.credentials !== undefined && o.authenticateReadwrite,
  }));

  app.post("/login", async (request, reply) => {
    const { credentials } = o;
    if (!credentials)
      return reply
        .code(404)
        .send({ message: "this server has no --http-credentials: there is nothing to log in to" });
    let principal: string | undefined;
    if (request.body !== undefined && request.body !== null && request.body !== "") {
      const body = LoginBody.safeParse(request.body);
      if (!body.success) {
        const issue = firstIssue(body.error);
        const field = issue.field || "body";
        return reply.code(400).send({ message: `${field}: ${issue.message}`, field });
      }
      if (credentials.check(body.data.principal, body.data.secret)) principal = body.data.principal;
    } else {
      // A session token cannot renew itself: only a secret logs in.
      const outcome = authenticate(request, credentials, undefined, false);
      if (outcome.kind === "ok") principal = outcome.principal;
    }
    if (principal === undefined) return challenge(reply, "mesos", "Bearer");
    return o.sessions.issue(principal);
  });
}
