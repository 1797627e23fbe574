import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { natsServerConfig, permissionsOf, stateBuckets } from "./nats-config.js";

describe("nats-config", () => {
  const users = [
    { user: "master", password: "m", role: "master" as const, buckets: stateBuckets.master("prod") },
    { user: "agent", password: "a", role: "agent" as const, buckets: [] },
    { user: "team.ads", password: 'quo"te$x', role: "framework" as const, buckets: [] },
    {
      user: "marathon",
      password: "mm",
      role: "framework" as const,
      buckets: stateBuckets.framework("prod", "marathon"),
    },
  ];

  it("confines a framework principal to its own call subject, events and inbox, its token encoded", () => {
    expect(permissionsOf("prod", users[2]!)).toEqual({
      publish: ["agora.prod.master.call.team%2Eads"],
      subscribe: ["agora.prod.framework.team%2Eads.*.events", "_INBOX.team%2Eads.>"],
    });
  });

  it("lets agents publish only agent messages, and gives JetStream only to users with buckets", () => {
    expect(permissionsOf("prod", users[1]!)).toEqual({
      publish: ["agora.prod.master.agent"],
      subscribe: ["agora.prod.agent.*.cmd", "_INBOX.agent.>"],
    });
    const marathon = permissionsOf("prod", users[3]!).publish;
    expect(marathon).toContain("$KV.agora_prod_marathon.>");
    expect(marathon).toContain("$JS.API.*.*.KV_agora-prod-marathon-lease");
    expect(marathon.join(" ")).not.toMatch(/registry/);
    expect(permissionsOf("prod", users[0]!).publish).toContain("$KV.agora_prod_registry.>");
  });

  it("writes a config nats-server 2.9 accepts, quoting every string", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agora-nats-config-"));
    try {
      const file = path.join(dir, "nats.conf");
      const text = natsServerConfig({ cluster: "prod", users, storeDir: path.join(dir, "store") });
      writeFileSync(file, text);
      expect(text).toContain('password: "quo\\"te$x"');
      expect(execFileSync("nats-server", ["-t", "-c", file], { encoding: "utf8", stdio: "pipe" })).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
