import { execFileSync } from "node:child_process";

/**
 * Fails the run up front, with the fix, when a real component the suite needs is missing;
 * cross-process tests never silently skip.
 */
export default function setup(): void {
  try {
    execFileSync("nats-server", ["--version"], { stdio: "pipe" });
  } catch {
    throw new Error("nats-server is not on PATH: run `sudo scripts/setup-host.sh` (see README)");
  }
}
