import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { type NatsServerHandle, startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { expectNoOrphans, runAgora, type Spawned } from "./harness/processes.js";

/** A CA made here, a server certificate for 127.0.0.1 and a client certificate, both signed by it. */
function makeCertificates(
  dir: string,
): Record<"ca" | "serverCert" | "serverKey" | "clientCert" | "clientKey", string> {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=agora-test-ca",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  );
  writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  writeFileSync(f("client.ext"), "extendedKeyUsage=clientAuth\n");
  for (const [name, ext] of [
    ["server", "server.ext"],
    ["client", "client.ext"],
  ] as const) {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=agora-${name}`,
      "-keyout",
      f(`${name}.key`),
      "-out",
      f(`${name}.csr`),
    );
    openssl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      f(ext),
      "-out",
      f(`${name}.pem`),
    );
  }
  return {
    ca: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server.key"),
    clientCert: f("client.pem"),
    clientKey: f("client.key"),
  };
}

/** Every role over TLS to a nats-server that verifies client certificates (--nats-tls-ca/-cert/-key). */
describe("bus identity: TLS to nats-server", () => {
  let nats: NatsServerHandle;
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  const procs: Spawned[] = [];
  const tls = () => [
    "--nats-tls-ca",
    certs.ca,
    "--nats-tls-cert",
    certs.clientCert,
    "--nats-tls-key",
    certs.clientKey,
  ];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-bus-tls-"));
    certs = makeCertificates(dir);
    nats = await startNatsServer({
      jetstream: true,
      config: [
        "tls {",
        `  cert_file: ${JSON.stringify(certs.serverCert)}`,
        `  key_file: ${JSON.stringify(certs.serverKey)}`,
        `  ca_file: ${JSON.stringify(certs.ca)}`,
        "  verify: true",
        "}",
        "",
      ].join("\n"),
    });
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await expectNoOrphans(dir);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a master, an agent and a framework over TLS with client certificates", async () => {
    const master = await startMaster(nats.url, tls());
    procs.push(master.proc);
    procs.push(
      spawnAgent(nats.url, {
        port: await freePort(),
        hostname: "tls-agent",
        workDir: path.join(dir, "agent"),
        resources: "cpus:1;mem:512;disk:1024;ports:[31000-31100]",
        extra: tls(),
      }),
    );
    await waitForAgents(master.url, 1);
    const r = await runAgora([
      "execute",
      "--nats",
      nats.url,
      ...tls(),
      "--name",
      "over-tls",
      "--cpus",
      "0.1",
      "--mem",
      "16",
      "--timeout",
      "60",
      "--command",
      "echo hello over TLS",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("1 task(s): 1 TASK_FINISHED");
  });

  it("cannot connect without a client certificate, naming the NATS failure", async () => {
    const r = await runAgora([
      "execute",
      "--nats",
      nats.url,
      "--nats-tls-ca",
      certs.ca,
      "--name",
      "no-cert",
      "--timeout",
      "10",
      "--command",
      "true",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^agora: cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: /);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
