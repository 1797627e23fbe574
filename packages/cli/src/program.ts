import { AGORA_VERSION } from "@agora/protocol";
import { Argument, Command } from "commander";
import { agentVerbs, frameworkVerbs } from "./client/agents.js";
import { appVerbs } from "./client/apps.js";
import { completionScript, completionTree } from "./client/completion.js";
import { jobVerbs } from "./client/jobs.js";
import { statusVerb } from "./client/status.js";
import { taskVerbs } from "./client/tasks.js";
import type { Verb, VerbGroup } from "./client/verbs.js";
import { natsConfigFlags } from "./nats-config.js";
import { declareFlags, type FlagSpec, type FlagValues } from "./options.js";
import {
  agentFlags,
  chronosFlags,
  devFlags,
  executeFlags,
  marathonFlags,
  masterFlags,
} from "./role-flags.js";
import { simulateFlags } from "./simulate/flags.js";

const RUN = "Run a cluster:";
const CLIENT =
  "Look at and change a running cluster (--master URL, default http://127.0.0.1:5050 or AGORA_MASTER; --json for scripts):";

/**
 * The server roles: each reads its flags, then runs until Ctrl-C. A role's module (the master, the
 * agent, Marathon, Chronos…) is imported only when it runs, so a client verb starts without them.
 */
const roles: Record<
  string,
  { summary: string; flags: FlagSpec; run: (values: FlagValues) => Promise<void> }
> = {
  dev: {
    summary: "Run a master and agents in one process (the embedded dev mode).",
    flags: devFlags,
    run: async (v) => (await import("./commands/dev.js")).runDev(v),
  },
  master: {
    summary: "Run a master connected to NATS.",
    flags: masterFlags,
    run: async (v) => (await import("./commands/master.js")).runMaster(v),
  },
  agent: {
    summary: "Run an agent connected to NATS.",
    flags: agentFlags,
    run: async (v) => (await import("./commands/agent.js")).runAgent(v),
  },
  execute: {
    summary: "Launch tasks as a one-shot framework and wait for them (like mesos-execute).",
    flags: executeFlags,
    run: async (v) => (await import("./commands/execute.js")).runExecute(v),
  },
  marathon: {
    summary: "Run Marathon (long-running services, Marathon's REST v2 API) connected to NATS.",
    flags: marathonFlags,
    run: async (v) => (await import("./commands/marathon.js")).runMarathon(v),
  },
  chronos: {
    summary: "Run Chronos (scheduled and dependent jobs, Chronos' and Metronome's APIs) connected to NATS.",
    flags: chronosFlags,
    run: async (v) => (await import("./commands/chronos.js")).runChronos(v),
  },
  "nats-config": {
    summary: "Print a nats-server authorization config confining each principal to its part of the bus.",
    flags: natsConfigFlags,
    run: async (v) => (await import("./commands/nats-config.js")).runNatsConfig(v),
  },
  simulate: {
    summary: "Simulate a cluster (a real master, simulated agents and frameworks) and write a report.",
    flags: simulateFlags,
    run: async (v) => (await import("./simulate/command.js")).runSimulate(v),
  },
};

/** Client verbs grouped by noun. `agent` is both a server role (`agora agent --nats …`) and a noun. */
const groups: Record<string, VerbGroup> = {
  agent: agentVerbs,
  framework: frameworkVerbs,
  task: taskVerbs,
  app: appVerbs,
  job: jobVerbs,
};

/**
 * The whole `agora` command tree: help, flag parsing, unknown commands and flags, argument counts
 * and shell completion all come from it. Errors are thrown (`exitOverride`) for main to map onto
 * exit codes; commander has already written the message to stderr.
 */
export function buildProgram(): Command {
  const program = new Command("agora")
    .description(`agora ${AGORA_VERSION} — a two-level resource-offer cluster scheduler`)
    .version(AGORA_VERSION, "--version", "print the version")
    .helpOption("-h, --help", "show help")
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError()
    .showHelpAfterError("(add --help for usage)");
  program.configureHelp({ sortSubcommands: false });

  for (const [name, role] of Object.entries(roles)) {
    const command = declareFlags(program.command(name).description(role.summary).helpGroup(RUN), role.flags);
    // `agora agent` is a role with flags and a noun with verbs: flags go to the role, a verb
    // name to the verb.
    command.action((values: FlagValues) => role.run(values));
  }
  addVerb(program, "status", statusVerb).helpGroup(CLIENT);
  for (const [name, group] of Object.entries(groups)) {
    const noun = program.commands.find((c) => c.name() === name) ?? program.command(name).helpGroup(CLIENT);
    noun.description(
      roles[name]
        ? `${noun.description()} Also: agora ${name} ${Object.keys(group.verbs).join("|")}.`
        : group.summary,
    );
    noun.commandsGroup(roles[name] ? `Verbs (${group.summary}):` : "Verbs:").helpCommand(false);
    for (const [verbName, v] of Object.entries(group.verbs)) addVerb(noun, verbName, v);
  }
  program
    .command("completion")
    .description("Print a shell completion script (source <(agora completion bash)).")
    .helpGroup(CLIENT)
    .addArgument(new Argument("<shell>", "bash or zsh").choices(["bash", "zsh"]))
    .action((shell: string) => {
      process.stdout.write(completionScript(shell, completionTree(program)));
    });
  return program;
}

function addVerb(parent: Command, name: string, v: Verb): Command {
  const command = parent.command(name).description(v.summary);
  const argNames = v.usage.split(" ").filter((a) => a !== "");
  for (const arg of argNames) command.argument(`<${arg}>`);
  declareFlags(command, v.flags);
  const path = parent.parent ? `${parent.name()} ${name}` : name;
  command.action(async (...params: unknown[]) => {
    const args = params.slice(0, argNames.length) as string[];
    await v.run(path, args, params[argNames.length] as FlagValues);
  });
  return command;
}
