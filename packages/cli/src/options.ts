import { parseArgs } from "node:util";
import type { z } from "zod";
import { CliError } from "./errors.js";

/** A command's flags: each is a string or a boolean; values are validated by the command's zod schema. */
export type FlagSpec = Record<string, { type: "string" | "boolean"; description: string }>;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
/** `--work-dir` ↔ `AGORA_WORK_DIR`. */
export const envName = (flag: string) => `AGORA_${flag.replace(/-/g, "_").toUpperCase()}`;

/**
 * Reads flags (which win) and `AGORA_*` environment variables, then validates them with `schema`.
 * Unknown flags, stray arguments and invalid values become a `CliError` naming the flag.
 */
export function parseOptions<S extends z.ZodType>(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  flags: FlagSpec,
  schema: S,
): z.infer<S> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: flags, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new CliError("USAGE", `agora ${command}: ${(e as Error).message}`, { cause: e });
  }
  const raw: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(flags)) {
    const fromEnv = env[envName(flag)];
    const value =
      values[flag] ??
      (fromEnv === undefined
        ? undefined
        : spec.type === "boolean"
          ? fromEnv === "true" || fromEnv === "1"
          : fromEnv);
    if (value !== undefined) raw[camel(flag)] = value;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0] ?? "");
  const flag = Object.keys(flags).find((f) => camel(f) === key) ?? key;
  throw new CliError("USAGE", `agora ${command}: --${flag} (or ${envName(flag)}): ${issue.message}`);
}

export function usage(command: string, summary: string, flags: FlagSpec): string {
  const width = Math.max(...Object.keys(flags).map((f) => f.length)) + 4;
  const lines = Object.entries(flags).map(([f, s]) => `  --${f.padEnd(width)}${s.description}`);
  return `usage: agora ${command} [flags]\n\n${summary}\n\n${lines.join("\n")}\n\nEvery flag can also be set as AGORA_<FLAG> (e.g. ${envName(Object.keys(flags)[0] ?? "port")}).\n`;
}
