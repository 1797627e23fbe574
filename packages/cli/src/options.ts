import { firstIssue } from "@agora/protocol";
import type { Command } from "commander";
import type { z } from "zod";
import { CliError } from "./errors.js";

/**
 * A command's flags: each is a string or a boolean. Commander reads the command line from this
 * (`--help`, unknown flags, completion); the command's zod schema validates the values.
 */
export type FlagSpec = Record<string, { type: "string" | "boolean"; description: string }>;

/** What commander parsed: flag values by their camelCase name (`--work-dir` → `workDir`). */
export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
/** `--work-dir` ↔ `AGORA_WORK_DIR`. */
export const envName = (flag: string) => `AGORA_${flag.replace(/-/g, "_").toUpperCase()}`;

/**
 * Declares `flags` on a commander command. No defaults here: a flag left out must stay undefined so
 * that its `AGORA_*` variable, then the schema's default, apply.
 */
export function declareFlags(command: Command, flags: FlagSpec): Command {
  for (const [flag, spec] of Object.entries(flags))
    command.option(spec.type === "boolean" ? `--${flag}` : `--${flag} <value>`, spec.description);
  return command.addHelpText(
    "after",
    `\nEvery flag can also be set as AGORA_<FLAG> (e.g. ${envName(Object.keys(flags)[0] ?? "port")}).`,
  );
}

/**
 * Takes the flags commander parsed (which win) and `AGORA_*` environment variables, then validates
 * them with `schema`. An invalid value becomes a `CliError` naming the flag and its variable.
 */
export function parseOptions<S extends z.ZodType>(
  command: string,
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  flags: FlagSpec,
  schema: S,
): z.infer<S> {
  const raw: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(flags)) {
    const fromEnv = env[envName(flag)];
    const value =
      values[camel(flag)] ??
      (fromEnv === undefined
        ? undefined
        : spec.type === "boolean"
          ? fromEnv === "true" || fromEnv === "1"
          : fromEnv);
    if (value !== undefined) raw[camel(flag)] = value;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const { message, path } = firstIssue(parsed.error);
  const key = String(path[0] ?? "");
  const flag = Object.keys(flags).find((f) => camel(f) === key) ?? key;
  throw new CliError("USAGE", `agora ${command}: --${flag} (or ${envName(flag)}): ${message}`);
}
