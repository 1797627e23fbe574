import { readFile } from "node:fs/promises";
import { CredentialsFile, isSecurityError, parseCredentials } from "@agora/security";
import { z } from "zod";
import { CliError } from "../errors.js";
import { cluster } from "../flags.js";
import { type NatsUser, natsConfigFlags, natsServerConfig, stateBuckets } from "../nats-config.js";
import { type FlagValues, parseOptions } from "../options.js";

const names = z
  .string()
  .transform((s) => s.split(",").map((n) => n.trim()))
  .refine((list) => list.every((n) => n !== ""), "must be principals, comma-separated");

const NatsConfigOptions = z.object({
  credentials: z.string({ error: "is required" }).min(1),
  cluster,
  mastersUser: names.default(["master"]),
  agentsUser: names.default(["agent"]),
  marathonUser: z.string().min(1).optional(),
  chronosUser: z.string().min(1).optional(),
  storeDir: z.string().min(1).optional(),
});

/**
 * `agora nats-config`: prints a nats-server authorization config in which every principal of the
 * credentials file is a NATS user confined to its part of the protocol (docs/security.md).
 */
export async function runNatsConfig(values: FlagValues): Promise<void> {
  const o = parseOptions("nats-config", values, process.env, natsConfigFlags, NatsConfigOptions);
  const entries = await readEntries(o.credentials);
  const known = new Set(entries.map((e) => e.principal));
  const roles = new Map<string, "master" | "agent">();
  for (const [flag, list, role] of [
    ["masters-user", o.mastersUser, "master"],
    ["agents-user", o.agentsUser, "agent"],
  ] as const) {
    for (const name of list) {
      if (!known.has(name)) throw notIn(flag, name, o.credentials);
      if (roles.has(name))
        throw new CliError("USAGE", `agora nats-config: --${flag}: '${name}' has another role already`);
      roles.set(name, role);
    }
  }
  const stateOf = new Map<string, "marathon" | "chronos">();
  for (const [flag, name, framework] of [
    ["marathon-user", o.marathonUser, "marathon"],
    ["chronos-user", o.chronosUser, "chronos"],
  ] as const) {
    if (name === undefined) continue;
    if (!known.has(name)) throw notIn(flag, name, o.credentials);
    if (roles.has(name))
      throw new CliError("USAGE", `agora nats-config: --${flag}: '${name}' is a master or agent user`);
    stateOf.set(name, framework);
  }
  const users: NatsUser[] = entries.map(({ principal, secret }) => {
    const role = roles.get(principal) ?? "framework";
    const framework = stateOf.get(principal);
    const buckets =
      role === "master"
        ? stateBuckets.master(o.cluster)
        : framework
          ? stateBuckets.framework(o.cluster, framework)
          : [];
    return { user: principal, password: secret, role, buckets };
  });
  process.stdout.write(natsServerConfig({ cluster: o.cluster, users, storeDir: o.storeDir }));
}

function notIn(flag: string, name: string, file: string): CliError {
  return new CliError("USAGE", `agora nats-config: --${flag}: principal '${name}' is not in ${file}`);
}

/** Every principal and secret of the file, in its order (checked as the master reads it). */
async function readEntries(file: string): Promise<CredentialsFile["credentials"]> {
  let text: string;
  try {
    text = await readFile(file.replace(/^file:\/\//, ""), "utf8");
    parseCredentials(text, file);
  } catch (e) {
    const why = isSecurityError(e) ? e.message : `cannot read ${file}: ${(e as Error).message}`;
    throw new CliError("USAGE", `agora nats-config: --credentials: ${why}`, { cause: e });
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return CredentialsFile.parse(JSON.parse(trimmed)).credentials;
  return trimmed
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [principal = "", secret = ""] = line.split(/\s+/);
      return { principal, secret };
    });
}
