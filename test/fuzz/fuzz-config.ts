import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The fuzz suites' size, from the environment so CI stays quick and a longer hunt is one variable away:
 * `AGORA_FUZZ_REQUESTS` (HTTP requests over all APIs, default 12,000), `AGORA_FUZZ_MESSAGES` (bus
 * messages per subject, default 400), `AGORA_FUZZ_SEED` (fast-check's seed; the default is fixed so CI
 * replays the same inputs, any other value draws new ones), `AGORA_FUZZ_CONCURRENCY` (requests in
 * flight, default 8).
 */
export const fuzzConfig = {
  requests: intFromEnv("AGORA_FUZZ_REQUESTS", 12_000),
  messages: intFromEnv("AGORA_FUZZ_MESSAGES", 400),
  seed: intFromEnv("AGORA_FUZZ_SEED", 15),
  concurrency: intFromEnv("AGORA_FUZZ_CONCURRENCY", 8),
};

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, not '${raw}'`);
  return n;
}

/** Writes a suite's figures to `test-results/fuzz/<name>.json`, where docs/security.md's come from. */
export function writeReport(name: string, report: unknown): string {
  const dir = path.resolve("test-results/fuzz");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
