import { execFileSync } from "node:child_process";
import os from "node:os";

/** What the numbers were measured on, recorded beside every result. */
export function machine() {
  let natsServer = "absent";
  try {
    natsServer = execFileSync("nats-server", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    // reported as absent
  }
  return {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    natsServer,
    os: `${os.type()} ${os.release()}`,
  };
}
