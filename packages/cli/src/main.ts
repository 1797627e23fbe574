import { AGORA_VERSION } from "@agora/protocol";
import { agentVerbs, frameworkVerbs } from "./client/agents.js";
import { appVerbs } from "./client/apps.js";
import { type CompletionTree, completionScript } from "./client/completion.js";
import { jobVerbs } from "./client/jobs.js";
import { statusVerb } from "./client/status.js";
import { taskVerbs } from "./client/tasks.js";
import { groupHelp, runGroup, runVerb, type VerbGroup } from "./client/verbs.js";
import { agentFlags, runAgent } from "./commands/agent.js";
import { chronosFlags, runChronos } from "./commands/chronos.js";
import { devFlags, runDev } from "./commands/dev.js";
import { executeFlags, runExecute } from "./commands/execute.js";
import { marathonFlags, runMarathon } from "./commands/marathon.js";
import { masterFlags, runMaster } from "./commands/master.js";
import { CliError, exitCodes, isCliError } from "./errors.js";
import { type FlagSpec, usage } from "./options.js";

const commands: Record<string, { summary: string; flags: FlagSpec; run: (argv: string[]) => Promise<void> }> =
  {
    dev: {
      summary: "Run a master and agents in one process (the embedded dev mode).",
      flags: devFlags,
      run: runDev,
    },
    master: { summary: "Run a master connected to NATS.", flags: masterFlags, run: runMaster },
    agent: { summary: "Run an agent connected to NATS.", flags: agentFlags, run: runAgent },
    execute: {
      summary: "Launch tasks as a one-shot framework and wait for them (like mesos-execute).",
      flags: executeFlags,
      run: runExecute,
    },
    marathon: {
      summary: "Run Marathon (long-running services, Marathon's REST v2 API) connected to NATS.",
      flags: marathonFlags,
      run: runMarathon,
    },
    chronos: {
      summary: "Run Chronos (scheduled and dependent jobs, Chronos' and Metronome's APIs) connected to NATS.",
      flags: chronosFlags,
      run: runChronos,
    },
  };

/** Client verbs: they talk HTTP to a running cluster. `agent` is both a server role and a noun. */
const groups: Record<string, VerbGroup> = {
  agent: agentVerbs,
  framework: frameworkVerbs,
  task: taskVerbs,
  app: appVerbs,
  job: jobVerbs,
};

const completionTree = (): CompletionTree => {
  const tree: Record<string, { flags: string[]; verbs?: Record<string, string[]> }> = {};
  for (const [name, c] of Object.entries(commands)) tree[name] = { flags: Object.keys(c.flags) };
  tree.status = { flags: Object.keys(statusVerb.flags) };
  for (const [name, g] of Object.entries(groups))
    tree[name] = {
      flags: tree[name]?.flags ?? [],
      verbs: Object.fromEntries(Object.entries(g.verbs).map(([v, spec]) => [v, Object.keys(spec.flags)])),
    };
  tree.completion = { flags: [], verbs: { bash: [], zsh: [] } };
  return tree;
};

const clientLines = [
  ["status", statusVerb.summary],
  ...Object.entries(groups).map(([name, g]) => [`${name} ${Object.keys(g.verbs).join("|")}`, g.summary]),
  ["completion bash|zsh", "Print a shell completion script (source <(agora completion bash))."],
] as const;

const help = `agora ${AGORA_VERSION} — a two-level resource-offer cluster scheduler

usage: agora <command> [flags]

Run a cluster:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join("\n")}

Look at and change a running cluster (--master URL, default http://127.0.0.1:5050 or AGORA_MASTER; --json for scripts):
${clientLines.map(([name, summary]) => `  ${name.padEnd(Math.max(...clientLines.map(([n]) => n.length)) + 2)}${summary}`).join("\n")}

Run 'agora <command> --help' for a command's flags.
`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help);
    return;
  }
  if (name === "--version") {
    process.stdout.write(`${AGORA_VERSION}\n`);
    return;
  }
  if (name === "status") return runVerb("status", statusVerb, rest);
  if (name === "completion") {
    if (rest.length !== 1) throw new CliError("USAGE", "usage: agora completion bash|zsh");
    process.stdout.write(completionScript(rest[0]!, completionTree()));
    return;
  }
  const group = groups[name];
  const command = commands[name];
  // `agora agent list` is a client verb; `agora agent --nats …` runs an agent.
  if (group && (!command || (rest[0] !== undefined && !rest[0].startsWith("-"))))
    return runGroup(name, group, rest);
  if (!command) throw new CliError("USAGE", `unknown command '${name}'\n\n${help}`);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(usage(name, command.summary, command.flags));
    if (group) process.stdout.write(`\n${groupHelp(name, group)}`);
    return;
  }
  await command.run(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (isCliError(err)) {
    process.stderr.write(`${err.message}\n`);
    process.exit(exitCodes[err.code]);
  }
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e.code === "EADDRINUSE") {
    process.stderr.write(
      `agora: ${e.address}:${e.port} is already in use: stop what listens there or choose another --port\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`agora: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
