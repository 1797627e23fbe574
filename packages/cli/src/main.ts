import { CommanderError } from "commander";
import { exitCodes, isCliError } from "./errors.js";
import { buildProgram } from "./program.js";

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  // Bare `agora` is a question, not a mistake: help on stdout, exit 0.
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return;
  }
  await program.parseAsync(argv, { from: "user" });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Commander has written its message (unknown command or flag, missing argument) already;
  // `--help` and `--version` end through here too, with exit code 0.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : exitCodes.USAGE);
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
