/**
 * The HTTP security flags every server role takes (`agora master|agent|marathon|chronos|dev`), as
 * Mesos names them: off by default, so dev mode stays open.
 */
import { type HttpSecurity, isSecurityError, loadHttpSecurity } from "@agora/security";
import { z } from "zod";
import { CliError } from "./errors.js";
import type { FlagSpec } from "./options.js";

export const httpSecurityFlags: FlagSpec = {
  "http-credentials": {
    type: "string",
    description:
      'principals and secrets for HTTP basic and bearer authentication: Mesos\' JSON {"credentials":[{"principal","secret"}]} in a file',
  },
  "authenticate-http-readonly": {
    type: "boolean",
    description: "read-only requests (GET, the v1 GET_* calls) need credentials, as Mesos' flag",
  },
  "authenticate-http-readwrite": {
    type: "boolean",
    description: "every request that changes something needs credentials, as Mesos' flag",
  },
  "tls-cert": { type: "string", description: "serve HTTPS with this PEM certificate (with --tls-key)" },
  "tls-key": { type: "string", description: "the PEM private key of --tls-cert" },
  "http-session-key": {
    type: "string",
    description:
      "a file of at least 32 random bytes keying the web UI's login tokens; give every role of a cluster the same one (default: a random key per process)",
  },
  "cors-origin": {
    type: "string",
    description: "origins whose pages may call the API from a browser, comma-separated, or * (default: none)",
  },
};

/** The flags' values, for each role's options schema. */
export const httpSecurityOptions = {
  httpCredentials: z.string().min(1).optional(),
  authenticateHttpReadonly: z.boolean().optional(),
  authenticateHttpReadwrite: z.boolean().optional(),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  corsOrigin: z.string().min(1).optional(),
  httpSessionKey: z.string().min(1).optional(),
};

type HttpSecurityValues = {
  [K in keyof typeof httpSecurityOptions]?: z.infer<(typeof httpSecurityOptions)[K]>;
};

/** Reads the files the flags name; a missing file or a flag without its partner is a usage error. */
export async function httpSecurityFrom(command: string, o: HttpSecurityValues): Promise<HttpSecurity> {
  try {
    return await loadHttpSecurity(o);
  } catch (e) {
    if (isSecurityError(e)) throw new CliError("USAGE", `agora ${command}: ${e.message}`, { cause: e });
    throw e;
  }
}
