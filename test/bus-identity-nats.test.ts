import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { encode } from "@agora/protocol";
import { connectNatsBus, isTransportError } from "@agora/transport";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnAgent, startMaster, waitForAgents } from "./harness/cluster.js";
import { type NatsServerHandle, startNatsServer } from "./harness/nats-server.js";
import { freePort } from "./harness/ports.js";
import { expectNoOrphans, httpJson, runAgora, type Spawned, spawnAgora } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

const secrets = {
  master: "m4ster",
  agent: "ag3nt",
  ads: "s3cret",
  web: "w3b",
  marathon: "m4rathon",
  chronos: "chr0nos",
};

/**
 * nats-server itself enforces who is who, from `agora nats-config`'s output: a real nats-server
 * started with it, a master, an agent and frameworks each on its own NATS user.
 */
describe("bus identity enforced by nats-server (agora nats-config)", () => {
  let nats: NatsServerHandle;
  let dir: string;
  let masterUrl: string;
  let config: string;
  const procs: Spawned[] = [];
  const clients: NatsConnection[] = [];
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };

  /** A raw NATS client holding `user`'s identity, and every error the server sent it. */
  async function client(user: keyof typeof secrets) {
    const nc = await connect({
      servers: nats.url,
      user,
      pass: secrets[user],
      inboxPrefix: `_INBOX.${user}`,
    });
    clients.push(nc);
    const errors: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === "error") errors.push(String(s.error));
    })();
    return { nc, errors };
  }

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-bus-nats-"));
    const credentials = file(
      "credentials",
      Object.entries(secrets)
        .map(([p, s]) => `${p} ${s}`)
        .join("\n"),
    );
    const generated = await runAgora([
      "nats-config",
      "--credentials",
      credentials,
      "--marathon-user",
      "marathon",
      "--chronos-user",
      "chronos",
    ]);
    expect(generated.stderr).toBe("");
    expect(generated.code).toBe(0);
    config = generated.stdout;
    nats = await startNatsServer({ jetstream: true, config });
    const master = await startMaster(nats.url, [
      "--nats-user",
      "master",
      "--nats-password",
      secrets.master,
      "--authenticate-frameworks",
      "--authenticate-agents",
      "--credentials",
      credentials,
    ]);
    procs.push(master.proc);
    masterUrl = master.url;
    procs.push(
      spawnAgent(nats.url, {
        port: await freePort(),
        hostname: "agent-a",
        workDir: path.join(dir, "agent-a"),
        resources: "cpus:1;mem:512;disk:1024;ports:[31000-31100]",
        extra: [
          "--nats-user",
          "agent",
          "--nats-password",
          secrets.agent,
          "--credential",
          file("agent.credential", `agent ${secrets.agent}\n`),
        ],
      }),
    );
    await waitForAgents(masterUrl, 1);
  });

  afterAll(async () => {
    for (const nc of clients) await nc.close();
    for (const p of procs.reverse()) await p.stop();
    await expectNoOrphans(dir);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a framework end to end on its own NATS user: subscribe, offers, a launched task", async () => {
    const r = await runAgora(
      [
        "execute",
        "--nats",
        nats.url,
        "--nats-user",
        "ads",
        "--principal",
        "ads",
        "--secret-file",
        file("ads.secret", secrets.ads),
        "--name",
        "ads-job",
        "--cpus",
        "0.1",
        "--mem",
        "16",
        "--timeout",
        "60",
        "--command",
        "echo hello from ads",
      ],
      { AGORA_NATS_PASSWORD: secrets.ads },
    );
    expect(r.stderr).not.toMatch(/[Vv]iolation/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/subscribed as framework/);
    expect(r.stdout).toContain("1 task(s): 1 TASK_FINISHED");
    // The master and the agent did their whole part within their permissions (JetStream included).
    for (const p of procs) expect(p.stderr()).not.toMatch(/[Vv]iolation/);
  });

  it("takes a framework's NATS user as its principal, so the master names what is missing", async () => {
    const r = await runAgora(
      [
        "execute",
        "--nats",
        nats.url,
        "--nats-user",
        "web",
        "--name",
        "web-job",
        "--timeout",
        "20",
        "--command",
        "true",
      ],
      { AGORA_NATS_PASSWORD: secrets.web },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Framework authentication failed: no secret given/);
    expect(r.stderr).not.toMatch(/[Vv]iolation/);
  });

  it("refuses a framework's NATS user that publishes as an agent or as another principal", async () => {
    const web = await client("web");
    const register = encode({
      type: "register",
      agentInfo: {
        hostname: "impostor",
        port: 1,
        resources: [],
        attributes: [],
        capabilities: [],
        version: "0",
      },
    });
    web.nc.publish("agora.agora.master.agent", register);
    web.nc.publish("agora.agora.master.call.ads", encode({ type: "teardown", frameworkId: "any" }));
    web.nc.publish("agora.agora.master.call", encode({ type: "teardown", frameworkId: "any" }));
    await web.nc.flush();
    await waitFor("three publish violations", () => web.errors.length >= 3);
    expect(web.errors.join("\n")).toMatch(
      /Permissions Violation for Publish to "agora\.agora\.master\.agent"/,
    );
    expect(web.errors.join("\n")).toMatch(
      /Permissions Violation for Publish to "agora\.agora\.master\.call\.ads"/,
    );
    expect(web.errors.join("\n")).toMatch(
      /Permissions Violation for Publish to "agora\.agora\.master\.call"/,
    );
    // Its own subject is open to it.
    web.nc.publish("agora.agora.master.call.web", encode({ type: "heartbeat", frameworkId: "none" }));
    await web.nc.flush();
    expect(web.errors).toHaveLength(3);
    expect((await httpJson<{ slaves: { hostname: string }[] }>(`${masterUrl}/master/state`)).slaves).toEqual([
      expect.objectContaining({ hostname: "agent-a" }),
    ]);
  });

  it("refuses a framework's NATS user that reads another framework's events, agents' commands or others' replies", async () => {
    const web = await client("web");
    const refused = [
      "agora.agora.framework.ads.*.events",
      "agora.agora.framework.>",
      "agora.agora.agent.*.cmd",
      "_INBOX.ads.>",
      "_INBOX.>",
    ];
    const closed = refused.map(
      (subject) =>
        new Promise<string>((resolve) => {
          web.nc.subscribe(subject, {
            callback: (err) => {
              if (err) resolve(`${subject}: ${String(err)}`);
            },
          });
        }),
    );
    await web.nc.flush();
    const reasons = await Promise.all(closed);
    for (const [i, subject] of refused.entries())
      expect(reasons[i]).toMatch(
        new RegExp(`Permissions Violation for Subscription to "${escapeRegExp(subject)}"`),
      );
    // Its own events subject is open to it.
    web.nc.subscribe("agora.agora.framework.web.*.events");
    await web.nc.flush();
    expect(web.errors.join("\n")).not.toMatch(/framework\.web/);
  });

  it("refuses an agent's NATS user that sends framework calls, and a wrong password outright", async () => {
    const agent = await client("agent");
    agent.nc.publish("agora.agora.master.call", encode({ type: "heartbeat", frameworkId: "x" }));
    await agent.nc.flush();
    await waitFor("a publish violation", () => agent.errors.length >= 1);
    expect(agent.errors[0]).toMatch(/Permissions Violation for Publish to "agora\.agora\.master\.call"/);

    const attempt = connectNatsBus({
      servers: nats.url,
      auth: { user: "ads", password: "guess" },
      reconnect: { maxAttempts: 0 },
    });
    await expect(attempt).rejects.toSatisfy(
      (e: unknown) =>
        isTransportError(e, "CONNECTION") && /Authorization Violation/i.test((e as Error).message),
    );
  });

  it.each([
    ["marathon", "/v2/info"],
    ["chronos", "/v1/scheduler/leader"],
  ] as const)(
    "runs %s on its NATS user with its state and leader lease in JetStream KV",
    async (name, leaderPath) => {
      const port = await freePort();
      const proc = spawnAgora(
        [
          name,
          "--nats",
          nats.url,
          "--nats-user",
          name,
          "--principal",
          name,
          "--secret-file",
          file(`${name}.secret`, secrets[name]),
          "--host",
          "127.0.0.1",
          "--http-port",
          String(port),
        ],
        { AGORA_NATS_PASSWORD: secrets[name] },
      );
      procs.push(proc);
      await waitFor(
        `${name} subscribed`,
        async () =>
          (
            await httpJson<{ frameworks: { name: string; principal?: string }[] }>(
              `${masterUrl}/master/state`,
            )
          ).frameworks.some((f) => f.name === name && f.principal === name),
        { timeoutMs: 30_000 },
      );
      expect((await fetch(`http://127.0.0.1:${port}${leaderPath}`)).status).toBe(200);
      expect(proc.stderr()).not.toMatch(/[Vv]iolation/);
    },
  );

  it("writes every user with the password of its principal and the permissions of its role", () => {
    expect(config).toMatch(/authorization \{/);
    expect(config).toContain('user: "ads"');
    expect(config).toContain('publish: { allow: ["agora.agora.master.call.ads"] }');
    expect(config).toContain('subscribe: { allow: ["agora.agora.framework.ads.*.events", "_INBOX.ads.>"] }');
    expect(config).toContain('publish: { allow: ["agora.agora.master.agent"] }');
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\>]/g, "\\$&");
}
