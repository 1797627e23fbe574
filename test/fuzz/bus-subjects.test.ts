import { Writable } from "node:stream";
import { Scheduler } from "@agora/framework-sdk";
import { AgentCommand, AgentMessage, Call, CallReply, Event, subjects } from "@agora/protocol";
import type { Bus } from "@agora/transport";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MesosDev, startMesosDev } from "../harness/mesos-dev.js";
import { type NatsServerHandle, startNatsServer } from "../harness/nats-server.js";
import { waitFor } from "../harness/wait.js";
import { type FuzzMessage, malformedMessages } from "./bus-messages.js";
import { fuzzConfig, writeReport } from "./fuzz-config.js";
import { pool } from "./http-send.js";

const CLUSTER = "fuzz-bus";
const S = subjects(CLUSTER);

/** Log lines at warn and above, parsed, of every role in the cluster. */
const logs: Record<string, unknown>[] = [];
const logger = pino(
  { level: "warn" },
  new Writable({
    write(line: Buffer, _encoding, callback) {
      logs.push(JSON.parse(line.toString()) as Record<string, unknown>);
      callback();
    },
  }),
);
const logged = (msg: string, role?: string) =>
  logs.filter((l) => l.msg === msg && (role === undefined || l.role === role)).length;

/**
 * Throws fast-check's malformed messages at every subject the master, the agents and the frameworks
 * receive, over a real nats-server, at a real `agora dev` (master, agent, Marathon, Chronos, an SDK
 * framework and a Mesos v1 HTTP framework bridged by the master): each one must be dropped, logged
 * and counted where its receiver counts (the master's `agora_master_invalid_messages_total` on
 * /metrics, the agent's and the SDK's counters), a request answered with an error naming the field,
 * and every role still up afterwards.
 */
describe("bus subjects under malformed messages", () => {
  let nats: NatsServerHandle;
  let mesos: MesosDev;
  let sdk: Scheduler;
  const seeds: Record<string, unknown[]> = { call: [], agent: [], cmd: [], event: [] };

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
    mesos = await startMesosDev(CLUSTER, { nats: nats.url, marathonPort: 0, chronosPort: 0, logger });
    // Real traffic is the seed of the mutations: every kind of message each subject carries.
    const spy = mesos.dev.bus.subscribe(S.all, (msg) => {
      const kind = kindOf(msg.subject);
      if (kind && seeds[kind]!.length < 200)
        seeds[kind]!.push(JSON.parse(new TextDecoder().decode(msg.data)));
    });
    const app = await fetch(`${mesos.dev.marathonUrl}/v2/apps`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "/fuzz-bus", cmd: "sleep 600", cpus: 0.01, mem: 8, instances: 1 }),
    });
    expect(app.status).toBe(201);
    const seen = () =>
      Object.fromEntries(
        Object.entries(seeds).map(([k, v]) => [k, new Set(v.map((m) => (m as { type: string }).type))]),
      );
    await waitFor("a task launched, updated and acknowledged on the bus", () => {
      const types = seen();
      return types.cmd!.has("runTask") && types.event!.has("update") && types.agent!.has("statusUpdate");
    }).catch((err: Error) => {
      throw new Error(
        `${err.message}; seen: ${JSON.stringify(seen(), (_k, v) => (v instanceof Set ? [...v] : v))}`,
      );
    });
    sdk = new Scheduler({
      bus: mesos.dev.bus,
      cluster: CLUSTER,
      framework: { name: "fuzz-sdk", roles: ["fuzz"] },
      logger,
    });
    await sdk.subscribe();
    // Subscribed once the task runs: frameworks that hold their offers would starve Marathon.
    await mesos.subscribe({ name: "fuzz-mesos", roles: ["fuzz"], capabilities: [{ type: "MULTI_ROLE" }] });
    spy.unsubscribe();
  }, 120_000);

  afterAll(async () => {
    await sdk?.close();
    await mesos?.stop();
    await nats?.stop();
  }, 120_000);

  it(`drops, logs and counts ${fuzzConfig.messages} malformed messages per subject and keeps running`, async () => {
    const { dev } = mesos;
    const agent = dev.agents[0]!.agent;
    const frameworks = await frameworkIds(dev.masterUrl);
    const n = fuzzConfig.messages;
    const batch = (
      schema: typeof Call | typeof AgentMessage | typeof AgentCommand | typeof Event,
      kind: string,
      i: number,
    ) => malformedMessages(schema, seeds[kind]!, n, fuzzConfig.seed + i);
    const report: Record<string, unknown> = {};

    // master.call: every call is a request; the answer is an error naming the field.
    const before = await invalidMessages(dev.masterUrl);
    const calls = batch(Call, "call", 1);
    const replies = await pool(calls, 16, (m) =>
      dev.bus.request(S.masterCall, m.data, { timeoutMs: 10_000 }),
    );
    const answers = replies.map((r) => CallReply.parse(JSON.parse(new TextDecoder().decode(r))));
    expect(answers.filter((a) => a.ok)).toEqual([]);
    const named = answers.filter((a) => !a.ok && a.error.field !== undefined).length;
    expect(answers.every((a) => !a.ok && a.error.code === "INVALID_CALL" && a.error.message !== "")).toBe(
      true,
    );

    // master.agent: registrations are requests, the rest are published.
    const agentMessages = batch(AgentMessage, "agent", 2);
    await pool(agentMessages, 16, async (m) => {
      if (m.kind.startsWith("mutated")) await dev.bus.request(S.masterAgent, m.data, { timeoutMs: 10_000 });
      else dev.bus.publish(S.masterAgent, m.data);
    });
    await dev.bus.flush();
    const after = await waitFor("the master counted every invalid message", async () => {
      const now = await invalidMessages(dev.masterUrl);
      return (now[S.masterCall] ?? 0) - (before[S.masterCall] ?? 0) >= n &&
        (now[S.masterAgent] ?? 0) - (before[S.masterAgent] ?? 0) >= n
        ? now
        : undefined;
    });
    expect((after[S.masterCall] ?? 0) - (before[S.masterCall] ?? 0)).toBe(n);
    expect((after[S.masterAgent] ?? 0) - (before[S.masterAgent] ?? 0)).toBe(n);
    expect(logged("invalid message dropped", "master")).toBe(2 * n);
    report["master.call"] = {
      messages: n,
      counted: n,
      answeredWithError: answers.length,
      namingField: named,
      kinds: kinds(calls),
    };
    report["master.agent"] = { messages: n, counted: n, kinds: kinds(agentMessages) };

    // agent.<id>.cmd
    const commandsBefore = agent.counters.invalidCommands;
    const commands = batch(AgentCommand, "cmd", 3);
    await publishPaced(dev.bus, S.agentCommands(agent.id!), commands);
    await waitFor(
      "the agent counted every invalid command",
      () => agent.counters.invalidCommands - commandsBefore >= n,
    );
    expect(agent.counters.invalidCommands - commandsBefore).toBe(n);
    expect(logged("dropping an invalid command", "agent")).toBe(n);
    report["agent.<id>.cmd"] = { messages: n, counted: n, kinds: kinds(commands) };

    // framework.<id>.events of each kind of framework.
    const targets: [string, string, () => number][] = [
      ["sdk framework", frameworks["fuzz-sdk"]!, () => sdk.stats.invalidEvents],
      ["marathon", frameworks.marathon!, () => logged("invalid event dropped", "marathon")],
      ["chronos", frameworks.chronos!, () => logged("invalid event dropped", "chronos")],
      [
        "mesos v1 framework (via the master)",
        frameworks["fuzz-mesos"]!,
        () => logged("invalid framework event dropped", "master"),
      ],
    ];
    for (const [i, [name, id, dropped]] of targets.entries()) {
      const start = dropped();
      const events = batch(Event, "event", 10 + i);
      await publishPaced(dev.bus, S.frameworkEvents(id as never), events);
      await waitFor(`${name} dropped every invalid event`, () => dropped() - start >= n);
      expect(dropped() - start, name).toBe(n);
      report[`framework.<id>.events → ${name}`] = { messages: n, dropped: n, kinds: kinds(events) };
    }
    // The master's bridge counts what it drops on a Mesos framework's stream with its own.
    const bridged = S.frameworkEvents(frameworks["fuzz-mesos"] as never);
    expect((await invalidMessages(dev.masterUrl))[bridged]).toBe(n);

    // Everyone is still up: health, the agent still registered, the frameworks still subscribed.
    for (const url of [
      `${dev.masterUrl}/health`,
      `${dev.agents[0]!.url}/health`,
      `${dev.marathonUrl}/ping`,
      `${dev.chronosUrl}/ping`,
    ])
      expect((await fetch(url)).status, url).toBe(200);
    const state = await stateOf(dev.masterUrl);
    expect(state.slaves.map((s) => s.active)).toEqual([true]);
    expect(
      state.frameworks
        .filter((f) => f.active)
        .map((f) => f.name)
        .sort(),
    ).toEqual(["chronos", "fuzz-mesos", "fuzz-sdk", "marathon"]);
    writeReport("bus", { seed: fuzzConfig.seed, messagesPerSubject: n, subjects: report });
  }, 300_000);
});

/**
 * Publishes in slices, letting the receivers run between them: a burst of thousands at once starves
 * one process's event loop (the whole dev cluster is one process here), so heartbeats miss and the
 * master disconnects frameworks. That is load, which this suite does not measure.
 */
async function publishPaced(bus: Bus, subject: string, messages: readonly FuzzMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += SLICE) {
    for (const m of messages.slice(i, i + SLICE)) bus.publish(subject, m.data);
    await bus.flush();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const SLICE = 50;

function kindOf(subject: string): string | undefined {
  if (subject === S.masterCall) return "call";
  if (subject === S.masterAgent) return "agent";
  if (subject.endsWith(".cmd")) return "cmd";
  if (subject.endsWith(".events")) return "event";
  return undefined;
}

function kinds(messages: readonly FuzzMessage[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of messages) out[m.kind] = (out[m.kind] ?? 0) + 1;
  return out;
}

/** `agora_master_invalid_messages_total` from the master's /metrics, summed by subject. */
async function invalidMessages(masterUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${masterUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^agora_master_invalid_messages_total\{([^}]*)\} (\d+)/gm)) {
    const subject = /subject="([^"]*)"/.exec(m[1]!)?.[1] ?? "";
    out[subject] = (out[subject] ?? 0) + Number(m[2]);
  }
  return out;
}

interface MasterState {
  slaves: { id: string; active: boolean }[];
  frameworks: { id: string; name: string; active: boolean }[];
}

async function stateOf(masterUrl: string): Promise<MasterState> {
  return (await (await fetch(`${masterUrl}/master/state`)).json()) as MasterState;
}

async function frameworkIds(masterUrl: string): Promise<Record<string, string>> {
  const state = await stateOf(masterUrl);
  return Object.fromEntries(state.frameworks.map((f) => [f.name, f.id]));
}
