import http from "node:http";
import { Writable } from "node:stream";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MesosDev, startMesosDev } from "../harness/mesos-dev.js";
import { httpJson } from "../harness/processes.js";
import { waitFor } from "../harness/wait.js";
import { fuzzConfig, writeReport } from "./fuzz-config.js";
import { type Ids, surfaces, type Urls } from "./http-catalog.js";
import { requestsFor } from "./http-requests.js";
import { pool, send } from "./http-send.js";
import { count, emptyTally, type Finding, findingOf, problemOf, type SurfaceTally } from "./http-verdict.js";

/**
 * Throws fast-check's malformed requests at every HTTP API of a real `agora dev` (master, agent,
 * Marathon, Chronos with Metronome's routes, the master's proxy to Marathon), over real sockets:
 * no answer may be a 5xx or missing, every 4xx carries a message, and each server still answers
 * its health check afterwards. The figures go to test-results/fuzz/http.json (docs/security.md).
 */
describe("HTTP APIs under malformed requests", () => {
  let mesos: MesosDev;
  let urls: Urls;
  let ids: Ids;
  // What the servers log at error level (a 500's cause), kept for the report.
  const serverErrors: string[] = [];
  const logger = pino(
    { level: "error" },
    new Writable({
      write(line: Buffer, _encoding, callback) {
        if (serverErrors.length < 100) serverErrors.push(line.toString().slice(0, 2_000));
        callback();
      },
    }),
  );

  beforeAll(async () => {
    mesos = await startMesosDev("fuzz-http", {
      logger,
      agentResources: "cpus:2;mem:512;disk:512;ports:[31000-31100]",
      marathonPort: 0,
      chronosPort: 0,
    });
    const { dev } = mesos;
    urls = {
      master: dev.masterUrl,
      agent: dev.agents[0]!.url,
      marathon: dev.marathonUrl!,
      chronos: dev.chronosUrl!,
    };
    ids = await seedCluster(urls);
  }, 120_000);

  afterAll(async () => {
    await mesos?.stop();
  }, 120_000);

  it(`answers ${fuzzConfig.requests} malformed requests with 2xx-4xx only, each 4xx with a message`, async () => {
    const all = surfaces(urls, ids);
    const weights = all.reduce((n, s) => n + s.weight, 0);
    const agent = new http.Agent({ keepAlive: true, maxSockets: fuzzConfig.concurrency });
    const tallies: Record<string, SurfaceTally> = {};
    const findings: Finding[] = [];
    const started = Date.now();
    try {
      for (const [i, surface] of all.entries()) {
        const n = Math.ceil((fuzzConfig.requests * surface.weight) / weights);
        const requests = fc.sample(requestsFor(surface.endpoints, ids), {
          numRuns: n,
          seed: fuzzConfig.seed + i,
        });
        const tally = emptyTally();
        tallies[surface.name] = tally;
        const base = new URL(surface.base);
        await pool(requests, fuzzConfig.concurrency, async (req) => {
          const res = await send(agent, base, req);
          count(tally, req, res);
          const problem = problemOf(req, res);
          if (problem) findings.push(findingOf(surface.name, req, res, problem));
        });
        const health = await fetch(`${surface.base}${surface.health}`);
        expect(health.status, `${surface.name} answers ${surface.health} after the run`).toBe(200);
      }
    } finally {
      agent.destroy();
    }
    const report = {
      seed: fuzzConfig.seed,
      requests: Object.values(tallies).reduce((n, t) => n + t.requests, 0),
      seconds: (Date.now() - started) / 1000,
      surfaces: tallies,
      findings: findings.slice(0, 200),
      serverErrors,
    };
    const file = writeReport("http", report);
    expect(report.requests).toBeGreaterThanOrEqual(fuzzConfig.requests);
    expect(findings, `${findings.length} bad answers, the first ones here, all in ${file}`).toEqual([]);
  }, 600_000);
});

/**
 * Objects for the fuzzer to reach: a Marathon app with a running task (its sandbox for the files
 * APIs), a Chronos job and a Metronome job that never come due.
 */
async function seedCluster(urls: Urls): Promise<Ids> {
  const post = async (url: string, body: unknown) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  };
  await post(`${urls.marathon}/v2/apps`, {
    id: "/fuzz-existing",
    cmd: "sleep 600",
    cpus: 0.01,
    mem: 8,
    instances: 1,
  });
  await post(`${urls.chronos}/v1/scheduler/iso8601`, {
    name: "fuzz-existing",
    command: "true",
    schedule: "R1/2030-01-01T00:00:00Z/PT1H",
  });
  await post(`${urls.chronos}/v1/jobs`, {
    id: "fuzz.existing",
    run: { cmd: "true", cpus: 0.01, mem: 32, disk: 0 },
  });
  const sandbox = await waitFor("the app's task has a sandbox", async () => {
    const state = await httpJson<{ frameworks: { executors: { directory: string }[] }[] }>(
      `${urls.agent}/state`,
    );
    return state.frameworks.flatMap((f) => f.executors)[0]?.directory;
  });
  const master = await httpJson<{ slaves: { id: string }[]; frameworks: { id: string; name: string }[] }>(
    `${urls.master}/master/state`,
  );
  return {
    agentId: master.slaves[0]!.id,
    frameworkId: master.frameworks.find((f) => f.name === "marathon")!.id,
    appId: "/fuzz-existing",
    jobName: "fuzz-existing",
    metronomeJob: "fuzz.existing",
    sandbox,
  };
}
