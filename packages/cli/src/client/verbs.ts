import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CliError } from "../errors.js";
import { type FlagSpec, type FlagValues, parseOptions } from "../options.js";
import { endpoints, HttpClient } from "./http.js";
import { type Colors, colorsFor } from "./table.js";

/** The flags every client verb takes. */
export const clientFlags: FlagSpec = {
  master: { type: "string", description: "the master's URL (default http://127.0.0.1:5050)" },
  marathon: {
    type: "string",
    description: "Marathon's URL (default: through the master, <master>/service/marathon)",
  },
  chronos: {
    type: "string",
    description: "Chronos' URL (default: through the master, <master>/service/chronos)",
  },
  json: { type: "boolean", description: "print JSON for scripts instead of tables" },
  principal: { type: "string", description: "principal to authenticate as (HTTP basic, with --secret)" },
  secret: { type: "string", description: "the principal's secret (prefer AGORA_SECRET: flags show in ps)" },
  ca: { type: "string", description: "PEM CA certificate to trust for https:// URLs, besides the system's" },
};

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

const ClientOptions = {
  master: httpUrl.default("http://127.0.0.1:5050"),
  marathon: httpUrl.optional(),
  chronos: httpUrl.optional(),
  json: z.boolean().default(false),
  principal: z.string().min(1).optional(),
  secret: z.string().min(1).optional(),
  ca: z.string().min(1).optional(),
};

type ClientOptionValues = z.infer<z.ZodObject<typeof ClientOptions>>;

/** What a verb works with: the HTTP client and the output. */
export interface VerbContext {
  readonly http: HttpClient;
  readonly json: boolean;
  /** Colors of stdout (off unless it is a terminal). */
  readonly colors: Colors;
  /** Colors of stderr, where progress goes. */
  readonly errColors: Colors;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Aborted on Ctrl-C, so a verb that waits (`--follow`, deployments) can end cleanly. */
  readonly signal: AbortSignal;
  /** Prints `value` as JSON with `--json`, else the text `render` makes. */
  print(value: unknown, render: () => string): void;
}

/** A client verb, its flags and arguments already described for `--help` and completion. */
export interface Verb {
  readonly summary: string;
  /** Its arguments as usage shows them, each required: `ID`, `ID N`. */
  readonly usage: string;
  readonly flags: FlagSpec;
  /** Runs the verb with the arguments and flag values commander parsed; `command` names it in errors. */
  run(command: string, args: readonly string[], values: FlagValues): Promise<void>;
}

/**
 * Declares a verb: its own flags with their zod schemas (the client flags come with every verb), its
 * arguments, and what it does.
 *
 * @example
 * const show = verb({ summary: "Show one agent.", usage: "ID", flags: {}, options: {},
 *   run: async (ctx, [id]) => ctx.print(await agent(ctx, id!), () => "…") });
 */
export function verb<S extends z.ZodRawShape>(spec: {
  summary: string;
  usage?: string;
  flags: FlagSpec;
  options: S;
  run(ctx: VerbContext, args: readonly string[], options: z.infer<z.ZodObject<S>>): Promise<void>;
}): Verb {
  const flags = { ...spec.flags, ...clientFlags };
  const schema = z.object({ ...ClientOptions, ...spec.options });
  return {
    summary: spec.summary,
    usage: spec.usage ?? "",
    flags,
    async run(command, args, values) {
      const options = parseOptions(command, values, process.env, flags, schema);
      const o = options as ClientOptionValues;
      if ((o.principal === undefined) !== (o.secret === undefined))
        throw new CliError(
          "USAGE",
          `agora ${command}: --principal and --secret (or AGORA_PRINCIPAL and AGORA_SECRET) go together`,
        );
      const ca = o.ca === undefined ? undefined : await readCa(command, o.ca);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      try {
        const ctx: VerbContext = {
          http: new HttpClient(
            endpoints({
              master: o.master,
              ...(o.marathon === undefined ? {} : { marathon: o.marathon }),
              ...(o.chronos === undefined ? {} : { chronos: o.chronos }),
            }),
            undefined,
            {
              ...(o.principal && o.secret
                ? { credentials: { principal: o.principal, secret: o.secret } }
                : {}),
              ...(ca ? { ca } : {}),
            },
          ),
          json: o.json,
          colors: colorsFor(process.stdout),
          errColors: colorsFor(process.stderr),
          stdout: process.stdout,
          stderr: process.stderr,
          signal: controller.signal,
          print(value, render) {
            process.stdout.write(o.json ? `${JSON.stringify(value, null, 2)}\n` : render());
          },
        };
        await spec.run(ctx, args, options as z.infer<z.ZodObject<S>>);
      } finally {
        process.off("SIGINT", onSigint);
      }
    },
  };
}

/** A noun with its verbs: `agora app list`, `agora app deploy FILE`… */
export interface VerbGroup {
  readonly summary: string;
  readonly verbs: Readonly<Record<string, Verb>>;
}

async function readCa(command: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new CliError("USAGE", `agora ${command}: --ca ${file} cannot be read: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
