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
  return parseCommandLine(command, argv, env, flags, schema, { min: 0, max: 0 }).options;
}

/**
 * `parseOptions` for commands that also take arguments (`agora app scale ID N`): flags anywhere,
 * between `min` and `max` positional arguments, else a `CliError` saying what is expected.
 */
export function parseCommandLine<S extends z.ZodType>(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  flags: FlagSpec,
  schema: S,
  args: { min: number; max: number; usage?: string },
): { options: z.infer<S>; args: string[] } {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: flags,
      strict: true,
      allowPositionals: args.max > 0,
    }));
  } catch (e) {
    throw new CliError("USAGE", `agora ${command}: ${(e as Error).message}`, { cause: e });
  }
  if (positionals.length < args.min || positionals.length > args.max) {
    const expected = args.usage ? `usage: agora ${command} ${args.usage}` : "wrong number of arguments";
    throw new CliError(
      "USAGE",
      `agora ${command}: ${positionals.length < args.min ? "missing argument" : `unexpected argument '${positionals[args.max]}'`}; ${expected}`,
    );
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
  if (parsed.success) return { options: parsed.data, args: positionals };
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
