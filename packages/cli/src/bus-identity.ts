/**
 * Who each role is on the bus (docs/security.md, "Bus identity"): its NATS user or nkey and TLS
 * (every role in cluster mode), the principal and secret a framework subscribes with and an agent
 * registers with, and which of them the master requires.
 */
import { readFile } from "node:fs/promises";
import type { AuthenticationOptions } from "@agora/master";
import { Credential, firstIssue } from "@agora/protocol";
import { isSecurityError, loadCredentials } from "@agora/security";
import type { NatsBusOptions } from "@agora/transport";
import { z } from "zod";
import { CliError } from "./errors.js";
import { inboxPrefixOf } from "./nats-config.js";
import { envName, type FlagSpec } from "./options.js";

export const natsIdentityFlags: FlagSpec = {
  "nats-user": {
    type: "string",
    description: "NATS user to connect as (a user of `agora nats-config`'s file, with --nats-password)",
  },
  "nats-password": {
    type: "string",
    description: "password of --nats-user (better: the AGORA_NATS_PASSWORD variable, out of `ps`)",
  },
  "nats-creds": {
    type: "string",
    description: "NATS identity file instead of a user: a .creds file (JWT and nkey seed) or an nkey seed",
  },
  "nats-tls-ca": { type: "string", description: "CA certificate (PEM) to verify the NATS servers by" },
  "nats-tls-cert": {
    type: "string",
    description: "client certificate (PEM) for NATS servers that verify clients",
  },
  "nats-tls-key": { type: "string", description: "private key (PEM) of --nats-tls-cert" },
};

export const natsIdentityOptions = {
  natsUser: z.string().min(1).optional(),
  natsPassword: z.string().min(1).optional(),
  natsCreds: z.string().min(1).optional(),
  natsTlsCa: z.string().min(1).optional(),
  natsTlsCert: z.string().min(1).optional(),
  natsTlsKey: z.string().min(1).optional(),
};
type NatsIdentityValues = { [K in keyof typeof natsIdentityOptions]?: string | undefined };

/** The connect options the flags ask for; a flag without its partner is a usage error naming it. */
export async function natsIdentity(
  command: string,
  o: NatsIdentityValues,
): Promise<Pick<NatsBusOptions, "auth" | "tls" | "inboxPrefix">> {
  const usage = (flag: string, message: string) =>
    new CliError("USAGE", `agora ${command}: --${flag} (or ${envName(flag)}): ${message}`);
  if (o.natsUser !== undefined && o.natsCreds !== undefined)
    throw usage("nats-creds", "give --nats-user or --nats-creds, not both");
  if ((o.natsUser === undefined) !== (o.natsPassword === undefined))
    throw o.natsUser === undefined
      ? usage("nats-user", "is required with --nats-password")
      : usage("nats-password", "is required with --nats-user");
  if ((o.natsTlsCert === undefined) !== (o.natsTlsKey === undefined))
    throw usage(
      o.natsTlsCert === undefined ? "nats-tls-cert" : "nats-tls-key",
      "--nats-tls-cert and --nats-tls-key go together",
    );
  const tls = {
    ...(o.natsTlsCa === undefined ? {} : { caFile: o.natsTlsCa }),
    ...(o.natsTlsCert === undefined ? {} : { certFile: o.natsTlsCert, keyFile: o.natsTlsKey! }),
  };
  const out: Pick<NatsBusOptions, "auth" | "tls" | "inboxPrefix"> =
    Object.keys(tls).length > 0 ? { tls } : {};
  if (o.natsUser !== undefined && o.natsPassword !== undefined)
    return {
      ...out,
      auth: { user: o.natsUser, password: o.natsPassword },
      inboxPrefix: inboxPrefixOf(o.natsUser),
    };
  if (o.natsCreds !== undefined)
    return { ...out, auth: { creds: await readText(command, "nats-creds", o.natsCreds) } };
  return out;
}

/** A framework's principal and secret: ours, and Marathon's `--mesos_authentication_*` names. */
export const frameworkCredentialFlags: FlagSpec = {
  principal: {
    type: "string",
    description:
      "principal the framework subscribes as (default: its --nats-user); its secret from --secret-file",
  },
  "secret-file": {
    type: "string",
    description:
      "file holding the principal's secret (needed when the master runs --authenticate-frameworks)",
  },
  "mesos-authentication-principal": { type: "string", description: "Marathon's name for --principal" },
  "mesos-authentication-secret-file": { type: "string", description: "Marathon's name for --secret-file" },
};

export const frameworkCredentialOptions = {
  principal: z.string().min(1).optional(),
  secretFile: z.string().min(1).optional(),
  mesosAuthenticationPrincipal: z.string().min(1).optional(),
  mesosAuthenticationSecretFile: z.string().min(1).optional(),
};
type FrameworkCredentialValues = { [K in keyof typeof frameworkCredentialOptions]?: string | undefined };

/**
 * The SDK's `credential`: the principal (`--principal`, else the `--nats-user`, whose NATS permissions
 * from `agora nats-config` name that principal's subjects) and the secret of `--secret-file` if given.
 * Undefined when neither names a principal.
 */
export async function frameworkCredential(
  command: string,
  o: FrameworkCredentialValues & { natsUser?: string | undefined },
): Promise<{ principal: string; secret?: string } | undefined> {
  const principal = o.principal ?? o.mesosAuthenticationPrincipal ?? o.natsUser;
  const secretFile = o.secretFile ?? o.mesosAuthenticationSecretFile;
  if (principal === undefined) {
    if (secretFile !== undefined)
      throw new CliError(
        "USAGE",
        `agora ${command}: --principal (or AGORA_PRINCIPAL): is required with --secret-file`,
      );
    return undefined;
  }
  if (secretFile === undefined) return { principal };
  // As Mesos reads a secret file: the whole file, without its trailing newline.
  const secret = (await readText(command, "secret-file", secretFile)).replace(/\r?\n$/, "");
  if (secret === "") throw new CliError("USAGE", `agora ${command}: --secret-file: ${secretFile} is empty`);
  return { principal, secret };
}

export const masterAuthenticationFlags: FlagSpec = {
  "authenticate-frameworks": {
    type: "boolean",
    description:
      "only frameworks that subscribe with a principal and its secret (from --credentials) are admitted",
  },
  "authenticate-agents": {
    type: "boolean",
    description:
      "only agents that register with a principal and its secret (from --credentials) are admitted",
  },
  "authenticate-http-frameworks": {
    type: "boolean",
    description:
      "every call to the Mesos v1 scheduler API (/api/v1/scheduler) needs HTTP basic credentials from --credentials, as Mesos' flag",
  },
  credentials: {
    type: "string",
    description:
      'principals and secrets of frameworks and agents: Mesos\' JSON {"credentials":[{"principal","secret"}]} or "principal secret" lines',
  },
};

export const masterAuthenticationOptions = {
  authenticateFrameworks: z.boolean().optional(),
  authenticateAgents: z.boolean().optional(),
  authenticateHttpFrameworks: z.boolean().optional(),
  credentials: z.string().min(1).optional(),
};
type MasterAuthenticationValues = {
  [K in keyof typeof masterAuthenticationOptions]?: z.infer<(typeof masterAuthenticationOptions)[K]>;
};

/** The master's `authentication` option; requiring authentication without credentials is a usage error. */
export async function masterAuthentication(
  command: string,
  o: MasterAuthenticationValues,
): Promise<AuthenticationOptions> {
  const frameworks = o.authenticateFrameworks ?? false;
  const agents = o.authenticateAgents ?? false;
  const httpFrameworks = o.authenticateHttpFrameworks ?? false;
  if (o.credentials === undefined) {
    // As Mesos, whose basic authenticators of every realm need `--credentials`.
    const flag = frameworks
      ? "frameworks"
      : agents
        ? "agents"
        : httpFrameworks
          ? "http-frameworks"
          : undefined;
    if (flag)
      throw new CliError(
        "USAGE",
        `agora ${command}: --credentials (or AGORA_CREDENTIALS): is required with --authenticate-${flag}`,
      );
    return {};
  }
  try {
    return { frameworks, agents, httpFrameworks, credentials: await loadCredentials(o.credentials) };
  } catch (e) {
    if (isSecurityError(e))
      throw new CliError("USAGE", `agora ${command}: --credentials: ${e.message}`, { cause: e });
    throw e;
  }
}

export const agentCredentialFlags: FlagSpec = {
  credential: {
    type: "string",
    description:
      'the agent\'s principal and secret, as Mesos\' agent flag: JSON {"principal","secret"} or one "principal secret" line',
  },
};

export const agentCredentialOptions = { credential: z.string().min(1).optional() };

/** Reads Mesos' agent `--credential` file: JSON `{"principal", "secret"}` or one `principal secret` line. */
export async function agentCredential(
  command: string,
  file: string | undefined,
): Promise<Credential | undefined> {
  if (file === undefined) return undefined;
  const text = (await readText(command, "credential", file.replace(/^file:\/\//, ""))).trim();
  let raw: unknown;
  if (text.startsWith("{")) {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CliError(
        "USAGE",
        `agora ${command}: --credential: ${file} is not JSON: ${(e as Error).message}`,
      );
    }
  } else {
    const [principal, secret, ...rest] = text.split(/\s+/);
    raw = rest.length > 0 ? {} : { principal, secret };
  }
  const parsed = Credential.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new CliError(
      "USAGE",
      `agora ${command}: --credential: ${file}: expected {"principal","secret"} or "principal secret" (${field || "principal"}: ${message})`,
    );
  }
  return parsed.data;
}

async function readText(command: string, flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw new CliError("USAGE", `agora ${command}: --${flag}: cannot read ${file}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/** What `agora dev` applies to the roles it runs: one NATS identity for its one bus, the master's authentication, its agents' and frameworks' credentials. */
export interface DevBusIdentity {
  nats: Pick<NatsBusOptions, "auth" | "tls" | "inboxPrefix">;
  authentication: AuthenticationOptions;
  agentCredential: Credential | undefined;
  frameworkCredential: { principal: string; secret?: string } | undefined;
}

const busIdentityKeys = [
  ...Object.keys(natsIdentityOptions),
  ...Object.keys(masterAuthenticationOptions),
  ...Object.keys(agentCredentialOptions),
  ...Object.keys(frameworkCredentialOptions),
] as const;
type BusIdentityKey =
  | keyof typeof natsIdentityOptions
  | keyof typeof masterAuthenticationOptions
  | keyof typeof agentCredentialOptions
  | keyof typeof frameworkCredentialOptions;
type BusIdentityValues = NatsIdentityValues &
  MasterAuthenticationValues &
  FrameworkCredentialValues & { credential?: string | undefined };

/** Reads every bus identity flag of `agora dev`. */
export async function devBusIdentity(o: BusIdentityValues): Promise<DevBusIdentity> {
  return {
    nats: await natsIdentity("dev", o),
    authentication: await masterAuthentication("dev", o),
    agentCredential: await agentCredential("dev", o.credential),
    // Dev mode's one NATS user is every role's, not its frameworks' principal.
    frameworkCredential: await frameworkCredential("dev", { ...o, natsUser: undefined }),
  };
}

/** The options without the bus identity flags' values (read by `devBusIdentity`). */
export function withoutBusIdentity<T extends object>(o: T): Omit<T, BusIdentityKey> {
  const rest = { ...o } as Record<string, unknown>;
  for (const key of busIdentityKeys) delete rest[key];
  return rest as Omit<T, BusIdentityKey>;
}
