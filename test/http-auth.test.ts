import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMaster } from "./harness/cluster.js";
import { type NatsServerHandle, startNatsServer } from "./harness/nats-server.js";
import { devPorts, freePorts } from "./harness/ports.js";
import { expectNoOrphans, runAgora, type Spawned, spawnAgora } from "./harness/processes.js";
import { spawnDev, stopDev } from "./harness/spawned-dev.js";
import { waitFor } from "./harness/wait.js";

/**
 * HTTP authentication on real processes: `agora dev` with `--http-credentials` and Mesos'
 * `--authenticate-http-readwrite`, every role (master, agent, Marathon, Chronos) checking the same
 * principals; the master's `/service/<name>/` proxy passing the caller's credentials on; the web UI's
 * login token as a bearer and on event streams; the CLI's `--principal/--secret`.
 */
describe("agora dev with --http-credentials and --authenticate-http-readwrite", { timeout: 180_000 }, () => {
  let dir: string;
  let dev: Spawned;
  let master: string;
  let marathon: string;
  let chronos: string;
  const ops = basic("ops", "s3cret");

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-http-auth-"));
    const credentials = path.join(dir, "credentials.json");
    writeFileSync(credentials, JSON.stringify(CREDENTIALS));
    ({ dev, master, marathon, chronos } = await spawnDev(
      dir,
      [
        ...["--http-credentials", credentials, "--authenticate-http-readwrite"],
        ...["--cors-origin", "https://ops.example"],
      ],
      "debug",
    ));
    await waitForFrameworks(master, {});
  });

  afterAll(() => stopDev(dev, dir));

  it("a write without credentials is 401 with Mesos' challenge and body; reads stay open", async () => {
    const read = await fetch(`${master}/weights`);
    expect(read.status).toBe(200);
    const write = await putWeights(master, undefined);
    expect(write.status).toBe(401);
    expect(write.headers.get("www-authenticate")).toBe('Basic realm="agora"');
    expect(await write.text()).toBe("401 Unauthorized.");
  });

  it("a wrong secret or an unknown principal is 401, on reads too", async () => {
    for (const authorization of [basic("ops", "wrong"), basic("nobody", "s3cret"), "Bearer wrong"]) {
      expect((await putWeights(master, authorization)).status).toBe(401);
      expect((await fetch(`${master}/weights`, { headers: { authorization } })).status).toBe(401);
    }
    expect((await fetch(`${master}/health`, { headers: { authorization: basic("ops", "x") } })).status).toBe(
      200,
    );
  });

  it("the right secret sets weights, as HTTP basic and as a bearer secret", async () => {
    expect((await putWeights(master, ops, 2)).status).toBe(200);
    expect((await putWeights(master, "Bearer v13w", 3)).status).toBe(200);
    const weights = (await (await fetch(`${master}/weights`)).json()) as { role: string; weight: number }[];
    expect(weights).toContainEqual(expect.objectContaining({ role: "eng", weight: 3 }));
  });

  it("Mesos' v1 operator API: GET_* calls read, UPDATE_WEIGHTS needs credentials", async () => {
    const call = (body: unknown, authorization?: string) =>
      fetch(`${master}/api/v1`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...auth(authorization) },
        body: JSON.stringify(body),
      });
    expect((await call({ type: "GET_WEIGHTS" })).status).toBe(200);
    const update = { type: "UPDATE_WEIGHTS", update_weights: { weight_infos: [{ role: "eng", weight: 1 }] } };
    expect((await call(update)).status).toBe(401);
    expect((await call(update, ops)).status).toBe(200);
  });

  it("Marathon and Chronos each answer 401 in their own style, directly", async () => {
    const app = await fetch(`${marathon}/v2/apps`, { method: "POST", body: JSON.stringify(APP) });
    expect(app.status).toBe(401);
    expect(app.headers.get("www-authenticate")).toBe('Basic realm="agora"');
    expect(await app.json()).toEqual({ message: "Not Authenticated!" });
    const job = await fetch(`${chronos}/v1/scheduler/iso8601`, { method: "POST", body: JSON.stringify(JOB) });
    expect(job.status).toBe(401);
    expect(await job.text()).toContain("HTTP ERROR 401");
    expect((await fetch(`${marathon}/ping`)).status).toBe(200);
  });

  it("Marathon and Chronos through the master's proxy: refused without credentials, done with them", async () => {
    const post = (url: string, body: unknown, authorization?: string) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth(authorization) },
        body: JSON.stringify(body),
      });
    expect((await post(`${master}/service/marathon/v2/apps`, APP)).status).toBe(401);
    const created = await post(`${master}/service/marathon/v2/apps`, APP, ops);
    expect(created.status).toBe(201);
    expect((await post(`${master}/service/chronos/v1/scheduler/iso8601`, JOB)).status).toBe(401);
    expect((await post(`${master}/service/chronos/v1/scheduler/iso8601`, JOB, ops)).status).toBe(204);
    const jobs = (await (await fetch(`${master}/service/chronos/v1/scheduler/jobs`)).json()) as {
      name: string;
    }[];
    expect(jobs.map((j) => j.name)).toContain(JOB.name);
  });

  it("the web UI's login: a token from POST /login works as a bearer, through the proxy, and on event streams", async () => {
    expect(await (await fetch(`${master}/login`)).json()).toEqual({
      credentials: true,
      authenticateReadonly: false,
      authenticateReadwrite: true,
    });
    const wrong = await fetch(`${master}/login`, {
      method: "POST",
      headers: { authorization: basic("ops", "x") },
    });
    expect(wrong.status).toBe(401);
    const login = await fetch(`${master}/login`, { method: "POST", headers: { authorization: ops } });
    expect(login.status).toBe(200);
    const { token, principal } = (await login.json()) as { token: string; principal: string };
    expect(principal).toBe("ops");
    expect((await putWeights(master, `Bearer ${token}`, 4)).status).toBe(200);
    // One login serves every role of agora dev: Marathon accepts the master's token.
    const scaled = await fetch(`${master}/service/marathon/v2/apps${APP.id}?force=true`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ instances: 0 }),
    });
    expect(scaled.status).toBe(200);
    for (const stream of ["/master/events", "/service/marathon/v2/events"]) {
      const controller = new AbortController();
      const res = await fetch(`${master}${stream}?access_token=${encodeURIComponent(token)}`, {
        headers: { accept: "text/event-stream" },
        signal: controller.signal,
      });
      expect(res.status, stream).toBe(200);
      expect(res.headers.get("content-type"), stream).toMatch(/^text\/event-stream/);
      controller.abort();
    }
    // Only event streams take the token from the query.
    const query = await fetch(`${master}/weights?access_token=${encodeURIComponent(token)}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ role: "eng", weight: 5 }]),
    });
    expect(query.status).toBe(401);
    // Request logs (debug) show where a token was passed, never the token.
    await waitFor("the event streams' request lines", () =>
      dev.stderr().includes("/v2/events?access_token=[redacted]"),
    );
    expect(dev.stderr()).toContain("/master/events?access_token=[redacted]");
    expect(dev.stderr()).not.toContain(token);
  });

  it("--cors-origin: a preflight from the allowed origin is answered before authentication, another origin gets no CORS headers", async () => {
    const preflight = await fetch(`${master}/weights`, {
      method: "OPTIONS",
      headers: { origin: "https://ops.example", "access-control-request-method": "PUT" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://ops.example");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");
    const refused = await putWeights(master, undefined, 2, { origin: "https://ops.example" });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("https://ops.example");
    const other = await fetch(`${master}/weights`, { headers: { origin: "https://elsewhere.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    // Marathon, run by the same agora dev, takes the flag too.
    const marathonPreflight = await fetch(`${marathon}/v2/apps`, {
      method: "OPTIONS",
      headers: { origin: "https://ops.example", "access-control-request-method": "POST" },
    });
    expect(marathonPreflight.status).toBe(204);
  });

  it("the CLI's client verbs: refused without --principal/--secret, done with them or AGORA_PRINCIPAL/AGORA_SECRET", async () => {
    const file = path.join(dir, "cli-app.json");
    writeFileSync(file, JSON.stringify({ ...APP, id: "/cli-auth" }));
    const deploy = ["app", "deploy", file, "--detach", "--master", master];
    const refused = await runAgora(deploy, { NO_COLOR: "1" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--principal");
    const byFlags = await runAgora([...deploy, "--principal", "ops", "--secret", "s3cret"], {
      NO_COLOR: "1",
    });
    expect(byFlags.stderr).toBe("");
    expect(byFlags.code).toBe(0);
    const byEnv = await runAgora(["app", "scale", "/cli-auth", "0", "--detach", "--master", master], {
      NO_COLOR: "1",
      AGORA_PRINCIPAL: "ops",
      AGORA_SECRET: "s3cret",
    });
    expect(byEnv.code).toBe(0);
    const wrong = await runAgora([...deploy, "--principal", "ops", "--secret", "nope"], { NO_COLOR: "1" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("wrong --principal or --secret");
  });
});

describe("agora dev serving TLS with every request authenticated", { timeout: 180_000 }, () => {
  let dir: string;
  let dev: Spawned;
  let master: string;
  let marathon: string;
  let ca: string;
  const ops = basic("ops", "s3cret");

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-http-tls-"));
    const credentials = path.join(dir, "credentials.json");
    writeFileSync(credentials, JSON.stringify(CREDENTIALS));
    ca = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    const openssl = await selfSignedCertificate(ca, key);
    expect(openssl.code, openssl.stderr).toBe(0);
    const [port, mPort] = await devPorts(1);
    master = `https://127.0.0.1:${port}`;
    marathon = `https://127.0.0.1:${mPort}`;
    dev = spawnAgora(
      [
        "dev",
        ...["--port", String(port), "--marathon-port", String(mPort), "--chronos-port", "off"],
        ...["--data-dir", path.join(dir, "data"), "--docker", "off"],
        ...[
          "--http-credentials",
          credentials,
          "--authenticate-http-readonly",
          "--authenticate-http-readwrite",
        ],
        ...["--tls-cert", ca, "--tls-key", key],
      ],
      { AGORA_LOG_LEVEL: "warn" },
    );
    await waitForFrameworks(master, { authorization: ops, ca, chronos: false });
  });

  afterAll(() => stopDev(dev, dir));

  it("answers over https with the self-signed certificate; a read without credentials is 401", async () => {
    const anonymous = await tlsGet(`${master}/master/state`, ca);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toBe('Basic realm="agora"');
    expect((await tlsGet(`${master}/master/state`, ca, ops)).status).toBe(200);
    expect((await tlsGet(`${master}/health`, ca)).status).toBe(200);
    // Plain HTTP on the TLS port gets no answer.
    await expect(fetch(`${master.replace("https:", "http:")}/health`)).rejects.toThrow();
  });

  it("Marathon serves TLS too, and the master's proxy reaches it and the agent over https with the caller's credentials", async () => {
    expect((await tlsGet(`${marathon}/v2/apps`, ca)).status).toBe(401);
    const direct = await tlsGet(`${marathon}/v2/apps`, ca, ops);
    expect(direct.status).toBe(200);
    const proxied = await tlsGet(`${master}/service/marathon/v2/info`, ca, ops);
    expect(proxied.status, proxied.body).toBe(200);
    const state = JSON.parse((await tlsGet(`${master}/master/state`, ca, ops)).body) as {
      slaves: { id: string }[];
    };
    const agent = await tlsGet(`${master}/agents/${state.slaves[0]!.id}/state`, ca, ops);
    expect(agent.status, agent.body).toBe(200);
  });

  it("the CLI trusts the certificate with --ca and authenticates with --principal/--secret", async () => {
    const status = await runAgora(
      ["status", "--master", master, "--ca", ca, "--principal", "ops", "--secret", "s3cret"],
      {
        NO_COLOR: "1",
      },
    );
    expect(status.stderr).toBe("");
    expect(status.code).toBe(0);
    const untrusted = await runAgora(
      ["status", "--master", master, "--principal", "ops", "--secret", "s3cret"],
      {
        NO_COLOR: "1",
      },
    );
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/cannot reach the master/);
  });
});

describe("a cluster of separate processes over NATS, serving TLS with credentials", {
  timeout: 180_000,
}, () => {
  let dir: string;
  let nats: NatsServerHandle;
  const procs: Spawned[] = [];
  let master: string;
  let chronos: string;
  let marathon: string;
  let ca: string;
  const ops = basic("ops", "s3cret");

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-http-cluster-"));
    const credentials = path.join(dir, "credentials.json");
    writeFileSync(credentials, JSON.stringify(CREDENTIALS));
    const key = path.join(dir, "key.pem");
    ca = path.join(dir, "cert.pem");
    expect((await selfSignedCertificate(ca, key)).code).toBe(0);
    nats = await startNatsServer({ jetstream: true });
    const [mPort, aPort, cPort, marathonPort] = await freePorts(4);
    master = `https://127.0.0.1:${mPort}`;
    chronos = `https://127.0.0.1:${cPort}`;
    marathon = `https://127.0.0.1:${marathonPort}`;
    // One session key for every role: the master's login tokens then work on Chronos and the agent too.
    const sessionKey = path.join(dir, "session.key");
    writeFileSync(sessionKey, randomBytes(32));
    const security = [
      ...["--http-credentials", credentials, "--authenticate-http-readonly", "--authenticate-http-readwrite"],
      ...["--tls-cert", ca, "--tls-key", key, "--http-session-key", sessionKey],
    ];
    const common = ["--nats", nats.url, "--host", "127.0.0.1", ...security];
    const env = { AGORA_LOG_LEVEL: "warn" };
    procs.push(spawnAgora(["master", ...common, "--port", String(mPort)], env));
    procs.push(
      spawnAgora(
        ["agent", ...common, "--port", String(aPort), "--hostname", "127.0.0.1"].concat([
          "--work-dir",
          path.join(dir, "agent"),
          "--resources",
          "cpus:1;mem:256",
        ]),
        env,
      ),
    );
    procs.push(
      spawnAgora(
        ["chronos", ...common, "--http-port", String(cPort), "--hostname", "127.0.0.1"].concat([
          "--state-dir",
          path.join(dir, "chronos"),
        ]),
        env,
      ),
    );
    procs.push(
      spawnAgora(
        ["marathon", ...common, "--http-port", String(marathonPort), "--hostname", "127.0.0.1"].concat([
          "--state-dir",
          path.join(dir, "marathon"),
        ]),
        env,
      ),
    );
    await waitFor(
      "the agent, Chronos and Marathon registered with the master",
      async () => {
        const s = JSON.parse((await tlsGet(`${master}/master/state`, ca, ops)).body) as {
          frameworks: { name: string }[];
          slaves: unknown[];
        };
        const names = s.frameworks.map((f) => f.name);
        return s.slaves.length === 1 && names.includes("chronos") && names.includes("marathon");
      },
      { timeoutMs: 60_000 },
    );
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await nats?.stop();
    await expectNoOrphans(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it("agora master, agent, chronos and marathon (also through the proxy) each answer 401 without credentials and 200 with them, over https", async () => {
    const state = JSON.parse((await tlsGet(`${master}/master/state`, ca, ops)).body) as {
      slaves: { id: string; pid: string }[];
    };
    const agent = `https://127.0.0.1:${state.slaves[0]!.pid.split(":").at(-1)}`;
    for (const url of [
      `${master}/master/state`,
      `${agent}/state`,
      `${chronos}/v1/scheduler/jobs`,
      `${marathon}/v2/apps`,
      `${master}/service/marathon/v2/apps`,
    ]) {
      expect((await tlsGet(url, ca)).status, url).toBe(401);
      expect((await tlsGet(url, ca, basic("ops", "wrong"))).status, url).toBe(401);
      expect((await tlsGet(url, ca, ops)).status, url).toBe(200);
    }
  });

  it("Chronos and the agent through the master's proxies, over https, with the caller's credentials", async () => {
    const state = JSON.parse((await tlsGet(`${master}/master/state`, ca, ops)).body) as {
      slaves: { id: string }[];
    };
    const agentState = await tlsGet(`${master}/agents/${state.slaves[0]!.id}/state`, ca, ops);
    expect(agentState.status, agentState.body).toBe(200);
    expect((await tlsGet(`${master}/service/chronos/v1/scheduler/jobs`, ca)).status).toBe(401);
    const jobs = await tlsGet(`${master}/service/chronos/v1/scheduler/jobs`, ca, ops);
    expect(jobs.status, jobs.body).toBe(200);
  });

  it("a login token from the master works on Chronos and the agent through the proxies (--http-session-key)", async () => {
    const login = await tlsRequest("POST", `${master}/login`, ca, ops);
    expect(login.status, login.body).toBe(200);
    const bearer = `Bearer ${(JSON.parse(login.body) as { token: string }).token}`;
    const state = JSON.parse((await tlsGet(`${master}/master/state`, ca, bearer)).body) as {
      slaves: { id: string }[];
    };
    expect((await tlsGet(`${master}/agents/${state.slaves[0]!.id}/state`, ca, bearer)).status).toBe(200);
    expect((await tlsGet(`${master}/service/chronos/v1/scheduler/jobs`, ca, bearer)).status).toBe(200);
    expect((await tlsGet(`${chronos}/v1/scheduler/jobs`, ca, "Bearer forged.token")).status).toBe(401);
  });
});

describe("two Marathons serving TLS: the standby proxies to its leader over https", {
  timeout: 180_000,
}, () => {
  let dir: string;
  let nats: NatsServerHandle;
  const procs: Spawned[] = [];
  let ca: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-standby-tls-"));
    ca = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    expect((await selfSignedCertificate(ca, key)).code).toBe(0);
    nats = await startNatsServer({ jetstream: true });
    // Marathon's leader takes writes once it has subscribed to a master.
    procs.push((await startMaster(nats.url)).proc);
  });

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await nats?.stop();
    await expectNoOrphans(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  /** `agora marathon` on loopback with TLS, its state and lease in JetStream KV; resolves once it answers. */
  const marathon = async () => {
    const [port] = await freePorts(1);
    const proc = spawnAgora(
      [
        "marathon",
        ...[
          "--nats",
          nats.url,
          "--host",
          "127.0.0.1",
          "--hostname",
          "127.0.0.1",
          "--http-port",
          String(port),
        ],
        ...["--leader-lease", "1secs", "--tls-cert", ca, "--tls-key", path.join(dir, "key.pem")],
      ],
      { AGORA_LOG_LEVEL: "warn" },
    );
    procs.push(proc);
    const url = `https://127.0.0.1:${port}`;
    await waitFor(`Marathon on ${port} answers over https`, async () => {
      if (proc.child.exitCode !== null) throw new Error(`agora marathon exited: ${proc.stderr()}`);
      return (await tlsGet(`${url}/ping`, ca).catch(() => undefined))?.status === 200;
    });
    return { url, port };
  };
  const info = async (url: string) =>
    JSON.parse((await tlsGet(`${url}/v2/info`, ca)).body) as { elected: boolean };

  it("a write and a read sent to the standby reach the leader, which speaks only https", async () => {
    const leader = await marathon();
    await waitFor("the first Marathon leads", async () => (await info(leader.url)).elected);
    const standby = await marathon();
    await waitFor("the standby knows the leader", async () => {
      const answer = await tlsGet(`${standby.url}/v2/leader`, ca);
      return (
        answer.status === 200 &&
        (JSON.parse(answer.body) as { leader: string }).leader === `127.0.0.1:${leader.port}`
      );
    });
    expect((await info(standby.url)).elected).toBe(false);

    const created = await tlsRequest("POST", `${standby.url}/v2/apps`, ca, undefined, JSON.stringify(APP));
    expect(created.status, created.body).toBe(201);
    expect(created.headers["x-marathon-leader"]).toBe(`https://127.0.0.1:${leader.port}`);
    const listed = await tlsGet(`${standby.url}/v2/apps`, ca);
    expect(listed.status, listed.body).toBe(200);
    expect((JSON.parse(listed.body) as { apps: { id: string }[] }).apps.map((a) => a.id)).toEqual([APP.id]);
    const direct = JSON.parse((await tlsGet(`${leader.url}/v2/apps`, ca)).body) as { apps: { id: string }[] };
    expect(direct.apps.map((a) => a.id)).toEqual([APP.id]);
  });
});

describe("--authenticate-http-frameworks: the scheduler API's own realm", { timeout: 180_000 }, () => {
  let dir: string;
  let dev: Spawned;
  let master: string;
  const ops = basic("ops", "s3cret");

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-http-frameworks-"));
    // Operators in one file, frameworks in the other: the scheduler API reads only the frameworks'.
    const http = path.join(dir, "http-credentials.json");
    writeFileSync(http, JSON.stringify(CREDENTIALS));
    const frameworks = path.join(dir, "credentials");
    writeFileSync(frameworks, "mesos-fw fw-s3cret\n");
    const [port, mPort] = await devPorts(1);
    master = `http://127.0.0.1:${port}`;
    dev = spawnAgora(
      [
        "dev",
        ...["--port", String(port), "--marathon-port", String(mPort), "--chronos-port", "off"],
        ...["--data-dir", path.join(dir, "data"), "--docker", "off"],
        ...["--http-credentials", http, "--authenticate-http-readwrite"],
        ...["--credentials", frameworks, "--authenticate-http-frameworks"],
      ],
      { AGORA_LOG_LEVEL: "warn" },
    );
    await waitForFrameworks(master, { chronos: false });
  });

  afterAll(() => stopDev(dev, dir));

  const call = (body: unknown, authorization?: string, signal?: AbortSignal) =>
    fetch(`${master}/api/v1/scheduler`, {
      method: "POST",
      ...(signal ? { signal } : {}),
      headers: { "content-type": "application/json", accept: "application/json", ...auth(authorization) },
      body: JSON.stringify(body),
    });
  const SUBSCRIBE = { type: "SUBSCRIBE", subscribe: { framework_info: { user: "root", name: "mesos-fw" } } };

  it("a call without a framework's credentials is 401 in realm mesos-master-scheduler, subscribe or not", async () => {
    for (const body of [SUBSCRIBE, { type: "HEARTBEAT", framework_id: { value: "x" } }]) {
      const res = await call(body);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="mesos-master-scheduler"');
      expect(await res.text()).toContain("Framework authentication failed: no HTTP basic credentials given");
    }
    // An operator's HTTP credentials are not a framework's.
    const operator = await call(SUBSCRIBE, ops);
    expect(operator.status).toBe(401);
    expect(await operator.text()).toContain("wrong secret for principal 'ops'");
    const metrics = await (await fetch(`${master}/metrics`)).text();
    expect(metrics).toMatch(
      /agora_master_authentication_failures_total\{peer="framework",reason="missing"\} [2-9]/,
    );
  });

  it("a framework subscribes with credentials from --credentials that --http-credentials does not hold", async () => {
    const abort = new AbortController();
    const res = await call(SUBSCRIBE, basic("mesos-fw", "fw-s3cret"), abort.signal);
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
    } finally {
      abort.abort();
    }
    // The read-write realm still guards every other write with the HTTP credentials.
    expect((await putWeights(master, undefined)).status).toBe(401);
    expect((await putWeights(master, basic("mesos-fw", "fw-s3cret"))).status).toBe(401);
  });
});

describe("HTTP security flags", () => {
  it("refuses --authenticate-http-frameworks without --credentials", async () => {
    const r = await runAgora(["master", "--nats", "nats://127.0.0.1:1", "--authenticate-http-frameworks"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--credentials (or AGORA_CREDENTIALS): is required with --authenticate-http-frameworks",
    );
  });

  it("refuses --authenticate-http-readwrite without --http-credentials, and --tls-cert without --tls-key", async () => {
    const noCredentials = await runAgora(["dev", "--authenticate-http-readwrite"]);
    expect(noCredentials.code).toBe(2);
    expect(noCredentials.stderr).toContain("--http-credentials");
    const noKey = await runAgora(["dev", "--tls-cert", "/nonexistent.pem"]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("--tls-key");
  });
});

const CREDENTIALS = {
  credentials: [
    { principal: "ops", secret: "s3cret" },
    { principal: "viewer", secret: "v13w" },
  ],
};
const APP = { id: "/auth-web", cmd: "sleep 600", cpus: 0.1, mem: 16, instances: 0 };
const JOB = {
  name: "auth-job",
  command: "true",
  schedule: "R/2030-01-01T00:00:00Z/PT1H",
  cpus: 0.1,
  mem: 16,
};

function basic(principal: string, secret: string): string {
  return `Basic ${Buffer.from(`${principal}:${secret}`).toString("base64")}`;
}

const auth = (authorization: string | undefined): Record<string, string> =>
  authorization ? { authorization } : {};

function putWeights(
  master: string,
  authorization: string | undefined,
  weight = 2,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${master}/weights`, {
    method: "PUT",
    headers: { "content-type": "application/json", ...auth(authorization), ...headers },
    body: JSON.stringify([{ role: "eng", weight }]),
  });
}

/** A GET over https trusting `caFile` (node:https: the test needs no fetch dispatcher). */
function tlsGet(url: string, caFile: string, authorization?: string) {
  return tlsRequest("GET", url, caFile, authorization);
}

function tlsRequest(
  method: string,
  url: string,
  caFile: string,
  authorization?: string,
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...auth(authorization),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    };
    const options = { method, ca: readFileSync(caFile), headers };
    const req = https.request(url, options, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${url}: no answer`)));
    req.end(body);
  });
}

async function waitForFrameworks(
  master: string,
  o: { authorization?: string; ca?: string; chronos?: boolean },
): Promise<void> {
  const wanted = o.chronos === false ? ["marathon"] : ["marathon", "chronos"];
  await waitFor(
    `${wanted.join(" and ")} registered with the master`,
    async () => {
      const body = o.ca
        ? (await tlsGet(`${master}/master/state`, o.ca, o.authorization)).body
        : await (await fetch(`${master}/master/state`, { headers: auth(o.authorization) })).text();
      const s = JSON.parse(body) as { frameworks: { name: string }[]; slaves: unknown[] };
      const names = s.frameworks.map((f) => f.name);
      return s.slaves.length === 1 && wanted.every((n) => names.includes(n));
    },
    { timeoutMs: 60_000 },
  );
}

/** A self-signed certificate for 127.0.0.1, made with openssl as an operator would. */
function selfSignedCertificate(cert: string, key: string): Promise<{ code: number; stderr: string }> {
  return runCommand("openssl", [
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
    ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
    ...["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
  ]);
}

function runCommand(command: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("exit", (code) => resolve({ code: code ?? 1, stderr }));
  });
}
