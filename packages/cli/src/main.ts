import { AGORA_VERSION } from "@agora/protocol";
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

const help = `agora ${AGORA_VERSION} — a two-level resource-offer cluster scheduler

usage: agora <command> [flags]

${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join("\n")}

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
  const command = commands[name];
  if (!command) throw new CliError("USAGE", `unknown command '${name}'\n\n${help}`);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(usage(name, command.summary, command.flags));
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
