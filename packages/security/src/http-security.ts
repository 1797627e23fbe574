import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import type { FastifyInstance } from "fastify";
import { installCors } from "./cors.js";
import type { Credentials } from "./credentials.js";
import { configError } from "./errors.js";
import { type HttpAuthStyle, installHttpAuthentication } from "./http-auth.js";
import { loadCredentials } from "./load.js";
import { installLoginRoutes } from "./login-routes.js";
import { SessionTokens } from "./sessions.js";

/** The HTTP flags every role takes, as the CLI parsed them. Everything is off when absent. */
export interface HttpSecurityFlags {
  httpCredentials?: string | undefined;
  authenticateHttpReadonly?: boolean | undefined;
  authenticateHttpReadwrite?: boolean | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  corsOrigin?: string | undefined;
  /** A file whose bytes key the login sessions, so every process given it accepts the same tokens. */
  httpSessionKey?: string | undefined;
}

/** One server's HTTP security, loaded once and shared by every role of a process (`agora dev`). */
export interface HttpSecurity {
  readonly credentials: Credentials | undefined;
  readonly authenticateReadonly: boolean;
  readonly authenticateReadwrite: boolean;
  /**
   * The login sessions: one per process (so in dev mode every role accepts the master's tokens), keyed
   * by `--http-session-key` when given (so the roles of a cluster, and a new leader, accept them too).
   */
  readonly sessions: SessionTokens;
  /** PEM certificate and key for HTTPS. */
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** Origins allowed by CORS (`*` for any); none when undefined. */
  readonly corsOrigins: readonly string[] | undefined;
}

/** No authentication, no TLS, no CORS: what dev mode and every role do without flags. */
export const OPEN_HTTP: HttpSecurity = {
  credentials: undefined,
  authenticateReadonly: false,
  authenticateReadwrite: false,
  sessions: new SessionTokens(),
  tls: undefined,
  corsOrigins: undefined,
};

/**
 * Reads the files the flags name. As a Mesos master refuses to start, asking for authentication
 * without `--http-credentials` is an error, and so is a certificate without its key.
 *
 * @example
 * const security = await loadHttpSecurity({ httpCredentials: "creds.json", authenticateHttpReadwrite: true });
 */
export async function loadHttpSecurity(flags: HttpSecurityFlags): Promise<HttpSecurity> {
  const readonly = flags.authenticateHttpReadonly ?? false;
  const readwrite = flags.authenticateHttpReadwrite ?? false;
  if ((readonly || readwrite) && !flags.httpCredentials)
    throw configError(
      readonly ? "--authenticate-http-readonly" : "--authenticate-http-readwrite",
      "needs --http-credentials FILE (the principals and secrets to check)",
    );
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw configError(flags.tlsCert ? "--tls-cert" : "--tls-key", "--tls-cert and --tls-key go together");
  const credentials = flags.httpCredentials ? await loadCredentials(flags.httpCredentials) : undefined;
  const tls =
    flags.tlsCert && flags.tlsKey
      ? {
          cert: await readFlagFile(flags.tlsCert, "--tls-cert"),
          key: await readFlagFile(flags.tlsKey, "--tls-key"),
        }
      : undefined;
  const corsOrigins = flags.corsOrigin
    ?.split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  return {
    credentials,
    authenticateReadonly: readonly,
    authenticateReadwrite: readwrite,
    sessions: new SessionTokens(flags.httpSessionKey ? { key: await sessionKey(flags.httpSessionKey) } : {}),
    tls,
    corsOrigins: corsOrigins?.length ? corsOrigins : undefined,
  };
}

/**
 * Fastify's server options with `https` added when `security` has a certificate. Typed as the plain
 * options: fastify's https overload would change the instance's server type, against which every
 * route module is typed, and no route touches the server.
 *
 * @example
 * const app = Fastify(withTls(security, { bodyLimit: 16 * 1024 * 1024 }));
 */
export function withTls<T extends object>(security: HttpSecurity | undefined, options: T): T {
  return security?.tls ? { ...options, https: { cert: security.tls.cert, key: security.tls.key } } : options;
}

/**
 * The TLS options (undici's `connect`) a role uses to reach another role's https:// API: the system's
 * CAs plus its own certificate, so a cluster (or `agora dev`) sharing one self-signed certificate works;
 * a private CA goes in `NODE_EXTRA_CA_CERTS`. Undefined without TLS (the defaults then).
 */
export function upstreamTls(security: HttpSecurity | undefined): { ca: string[] } | undefined {
  return security?.tls ? { ca: [...rootCertificates, security.tls.cert.toString("utf8")] } : undefined;
}

/** `https` or `http`, for the URLs a role advertises. */
export const httpScheme = (security: HttpSecurity | undefined): "http" | "https" =>
  security?.tls ? "https" : "http";

/**
 * CORS, then authentication, then (on the master, `login: true`) the login routes: what every role's
 * HTTP app builder calls first, before its routes.
 *
 * @example
 * const app = Fastify(withTls(security, {}));
 * installHttpSecurity(app, security, { style: "marathon" });
 */
export function installHttpSecurity(
  app: FastifyInstance,
  security: HttpSecurity | undefined,
  o: { style: HttpAuthStyle; login?: boolean },
): void {
  const s = security ?? OPEN_HTTP;
  if (s.corsOrigins) installCors(app, s.corsOrigins);
  installHttpAuthentication(app, {
    credentials: s.credentials,
    authenticateReadonly: s.authenticateReadonly,
    authenticateReadwrite: s.authenticateReadwrite,
    sessions: s.sessions,
    style: o.style,
  });
  if (o.login) installLoginRoutes(app, s);
}

/** At least 32 bytes, hashed into the HMAC key (a file of random bytes, or of text). */
async function sessionKey(file: string): Promise<Buffer> {
  const bytes = await readFlagFile(file, "--http-session-key");
  if (bytes.length < 32)
    throw configError(
      "--http-session-key",
      `${file} holds ${bytes.length} bytes; give it at least 32 random ones`,
    );
  return createHash("sha256").update(bytes).digest();
}

async function readFlagFile(file: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw configError(flag, `${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}
