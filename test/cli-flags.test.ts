import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runAgora } from "./harness/processes.js";

describe("agora CLI flags", () => {
  it("refuses a non-numeric port, naming the flag, with exit code 2", async () => {
    const r = await runAgora(["agent", "--nats", "nats://127.0.0.1:4222", "--port", "abc"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--port");
  });

  it("names the AGORA_* variable when the bad value came from the environment", async () => {
    const r = await runAgora(["dev"], { AGORA_AGENTS: "-3" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("AGORA_AGENTS");
  });

  it("refuses unknown flags", async () => {
    const r = await runAgora(["master", "--nats", "nats://127.0.0.1:4222", "--colour", "blue"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/colour/);
  });

  it("requires --command for execute", async () => {
    const r = await runAgora(["execute", "--nats", "nats://127.0.0.1:4222"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--command");
  });

  it("agora marathon requires --nats and lists its flags in --help", async () => {
    const r = await runAgora(["marathon", "--http-port", "8080"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--nats");
    const help = await runAgora(["marathon", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--http-port", "--state-dir", "--mesos-role", "--leader-lease"])
      expect(help.stdout).toContain(flag);
  });

  it("refuses a malformed --resources string with the entry that is wrong", async () => {
    const r = await runAgora(["agent", "--nats", "nats://127.0.0.1:4222", "--resources", "cpus:2;mem:lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("mem:lots");
  });

  it("refuses an unknown command and prints help for a known one", async () => {
    expect((await runAgora(["frobnicate"])).code).toBe(2);
    const help = await runAgora(["agent", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--work-dir");
  });

  it("says plainly when the port is taken, instead of a stack trace", async () => {
    const server = net.createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as net.AddressInfo).port;
    const dir = mkdtempSync(path.join(os.tmpdir(), "agora-port-"));
    try {
      const r = await runAgora(["dev", "--port", String(port), "--data-dir", dir], {
        AGORA_LOG_LEVEL: "silent",
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`127.0.0.1:${port} is already in use`);
      expect(r.stderr).not.toContain("    at ");
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
