import { readdirSync } from "node:fs";
import path from "node:path";
import { machine } from "./machine.js";

/**
 * `npm run bench`: runs every `bench/*.bench.ts` suite (or those named in BENCH, e.g.
 * `BENCH=launch,allocator`), each of which writes its JSON under bench/results/ and returns a
 * Markdown table, printed here under one line naming the machine. Suites in `OPT_IN` run only when
 * BENCH names them.
 */
const dir = import.meta.dirname;
const only = process.env.BENCH?.split(",");
/** `simulate` is the full-size cluster simulation: 10,000 agents, tens of minutes on a small machine. */
const OPT_IN = ["simulate"];
const suites = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .map((f) => f.slice(0, -".bench.ts".length))
  .filter((name) => (only ? only.includes(name) : !OPT_IN.includes(name)))
  .sort();

const m = machine();
process.stdout.write(
  `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memGiB} GiB, ${m.os}, Node ${m.node}, ${m.natsServer}; ${m.date}\n`,
);
for (const name of suites) {
  process.stderr.write(`== ${name}\n`);
  const suite = (await import(path.join(dir, `${name}.bench.ts`))) as { default: () => Promise<string> };
  process.stdout.write(`\n## ${name}\n\n${await suite.default()}\n`);
}
