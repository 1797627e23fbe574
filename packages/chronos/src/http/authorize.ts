import { type Authorization, type Authorizer, loggedAuthorization, type Principal } from "@agora/security";
import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";

/** Chronos' authorization under `--acls`, and how many requests it refused per action (for `/metrics`). */
export interface ChronosAuthorization {
  readonly authorization: Authorization;
  readonly denied: ReadonlyMap<string, number>;
}

/**
 * `update_jobs` by job name on every Chronos and Metronome write; each refusal logged and counted,
 * shown in `/metrics` as the counter `authorization.denied.<action>` (Chronos' metrics are codahale JSON).
 */
export function chronosAuthorization(authorizer: Authorizer, logger: Logger): ChronosAuthorization {
  const denied = new Map<string, number>();
  const authorization = loggedAuthorization(authorizer, logger, (action) =>
    denied.set(action, (denied.get(action) ?? 0) + 1),
  );
  return { authorization, denied };
}

/** The request's authenticated principal (undefined: anonymous, matched by ANY or NONE only). */
export function principalOf(request: FastifyRequest): Principal {
  return request.principal;
}

/**
 * Whether the request's principal may see job `name` (`view_jobs`, by job name): lists leave out what
 * it may not view. Everything without `--acls`.
 */
export function jobViewer(
  ctx: { readonly acls?: ChronosAuthorization | undefined },
  request: FastifyRequest,
): (name: string) => boolean {
  const authz = ctx.acls?.authorization;
  if (!authz) return () => true;
  const principal = principalOf(request);
  return (name) => authz.visible("view_jobs", principal, name);
}

/** Throws FORBIDDEN (403) unless the principal may `view_jobs` on `name`: one job's own reads are refused. */
export function authorizeJobView(
  ctx: { readonly acls?: ChronosAuthorization | undefined },
  request: FastifyRequest,
  name: string,
): void {
  ctx.acls?.authorization.check("view_jobs", principalOf(request), name);
}

/** Throws FORBIDDEN (403, Chronos' `{message}`) unless the principal may `update_jobs` on `name`. */
export function authorizeJob(
  ctx: { readonly acls?: ChronosAuthorization | undefined },
  request: FastifyRequest,
  name: string,
): void {
  ctx.acls?.authorization.check("update_jobs", principalOf(request), name);
}
