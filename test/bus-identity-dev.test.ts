import { parseCredentials } from "@agora/security";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MesosDev, startMesosDev } from "./harness/mesos-dev.js";
import { httpJson } from "./harness/processes.js";
import { waitFor } from "./harness/wait.js";

interface State {
  slaves: unknown[];
  frameworks: { name: string; principal?: string }[];
}

/**
 * `agora dev` with --authenticate-frameworks and --authenticate-agents: its own agent, Marathon and
 * Chronos authenticate with the credentials it was given, and a Mesos v1 HTTP scheduler
 * authenticates by HTTP basic (Mesos' --authenticate_http_frameworks), refused with a 401 otherwise.
 */
describe("bus identity in dev mode and for Mesos v1 HTTP schedulers", () => {
  let m: MesosDev;

  beforeAll(async () => {
    m = await startMesosDev("busauth", {
      marathonPort: 0,
      chronosPort: 0,
      busIdentity: {
        nats: {},
        authentication: {
          frameworks: true,
          agents: true,
          credentials: parseCredentials("ops 0ps-s3cret\nagent ag3nt\nmesos-fw fw-s3cret\n", "test"),
        },
        agentCredential: { principal: "agent", secret: "ag3nt" },
        frameworkCredential: { principal: "ops", secret: "0ps-s3cret" },
      },
    });
  });

  afterAll(async () => {
    await m?.stop();
  });

  const subscribe = (authorization?: string, principal?: string) =>
    fetch(`${m.url}/api/v1/scheduler`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify({
        type: "SUBSCRIBE",
        subscribe: {
          framework_info: { user: "root", name: "mesos-fw", ...(principal ? { principal } : {}) },
        },
      }),
    });
  const basic = (principal: string, secret: string) =>
    `Basic ${Buffer.from(`${principal}:${secret}`).toString("base64")}`;

  it("registers its agent, Marathon and Chronos with their credentials", async () => {
    await waitFor("Marathon and Chronos subscribed", async () => {
      const names = (await httpJson<State>(`${m.url}/master/state`)).frameworks.map((f) => f.name);
      return names.includes("marathon") && names.includes("chronos");
    });
    const state = await httpJson<State>(`${m.url}/master/state`);
    expect(state.slaves).toHaveLength(1);
    for (const name of ["marathon", "chronos"])
      expect(state.frameworks.find((f) => f.name === name)?.principal).toBe("ops");
  });

  it("answers a Mesos v1 SUBSCRIBE without or with wrong basic credentials 401, naming why", async () => {
    const none = await subscribe();
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    expect(await none.text()).toMatch(/Framework authentication failed: no principal and no secret given/);

    const wrong = await subscribe(basic("mesos-fw", "guess"));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toMatch(/wrong secret for principal 'mesos-fw'/);

    const mismatch = await subscribe(basic("mesos-fw", "fw-s3cret"), "ops");
    expect(mismatch.status).toBe(400);
    expect(await mismatch.text()).toMatch(
      /Authenticated principal 'mesos-fw' does not match principal 'ops'/,
    );
  });

  it("streams events to a Mesos v1 scheduler that authenticates by HTTP basic", async () => {
    const abort = new AbortController();
    const res = await fetch(`${m.url}/api/v1/scheduler`, {
      method: "POST",
      signal: abort.signal,
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        authorization: basic("mesos-fw", "fw-s3cret"),
      },
      body: JSON.stringify({
        type: "SUBSCRIBE",
        subscribe: { framework_info: { user: "root", name: "mesos-fw" } },
      }),
    });
    try {
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = "";
      while (!text.includes('"SUBSCRIBED"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toContain('"SUBSCRIBED"');
      const state = await httpJson<State>(`${m.url}/master/state`);
      expect(state.frameworks.find((f) => f.name === "mesos-fw")?.principal).toBe("mesos-fw");
    } finally {
      abort.abort();
    }
  });
});
