import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AgentCommand, AgentMessage } from "./agent-messages.js";
import { Call } from "./calls.js";
import { decode, encode } from "./codec.js";
import { Event } from "./events.js";
import { EXACT, exactCheck, INVALID, UNKNOWN } from "./exact-check.js";

const fw = "b1a80cda-89c2-48c3-a650-d9a646c47e0e";
const agent = "e69c4d7c-4cbe-487d-8ada-d3a7b4a6813e-S10";
const uuid = "eb9c8cbc-c7e6-471e-9e3f-46bd8e660a1c";
const task = {
  taskId: "sim-batch-32",
  name: "sim-batch",
  agentId: agent,
  resources: [
    { name: "cpus", scalar: 1 },
    { name: "mem", scalar: 128 },
    { name: "ports", ranges: [{ begin: 31000, end: 31001 }] },
  ],
  command: { value: "true", shell: true, environment: { A: "1" } },
  labels: { "agora.simulate/run-ms": "632" },
  data: "aGk=",
};
const status = {
  state: "TASK_RUNNING",
  source: "SOURCE_EXECUTOR",
  taskId: "sim-batch-32",
  agentId: agent,
  timestamp: 1796304099.078,
  uuid,
  containerStatus: { executorPid: 12 },
};

/** What the master and agents receive most, as the simulator sends them. */
const messages: Array<[z.ZodType, unknown]> = [
  [Call, { type: "acknowledge", frameworkId: fw, agentId: agent, taskId: "sim-batch-32", uuid }],
  [
    Call,
    {
      type: "accept",
      frameworkId: fw,
      offerIds: ["2939c244-90ec-476b-87d7-32c0f43755b6"],
      operations: [{ type: "launch", tasks: [task, { ...task, taskId: "sim-batch-33" }] }],
      filters: { refuseSeconds: 0 },
    },
  ],
  [Call, { type: "decline", frameworkId: fw, offerIds: ["o1", "o2"], filters: { refuseSeconds: 1 } }],
  [Call, { type: "reconcile", frameworkId: fw, tasks: [{ taskId: "t1" }] }],
  [
    Call,
    {
      type: "subscribe",
      frameworkInfo: {
        name: "sim",
        user: "root",
        roles: ["batch"],
        failoverTimeout: 0,
        checkpoint: false,
        id: fw,
      },
    },
  ],
  [AgentMessage, { type: "statusUpdate", agentId: agent, updates: [{ frameworkId: fw, status }] }],
  [
    AgentMessage,
    {
      type: "register",
      agentInfo: {
        hostname: "sim-agent-4",
        port: 0,
        resources: [{ name: "cpus", scalar: 8 }],
        attributes: [{ name: "rack", text: "r1" }],
        capabilities: ["shell"],
        version: "0.1.0",
      },
      instanceId: uuid,
    },
  ],
  [AgentCommand, { type: "statusAcknowledgement", epoch: 1, acks: [{ frameworkId: fw, taskId: "t", uuid }] }],
  [
    AgentCommand,
    {
      type: "runTask",
      epoch: 1,
      frameworkId: fw,
      frameworkInfo: {
        id: fw,
        name: "sim",
        user: "root",
        roles: ["web"],
        failoverTimeout: 0,
        checkpoint: false,
      },
      tasks: [task],
    },
  ],
  [Event, { type: "update", epoch: 1, status }],
];

/** Replacement values a mutation may put anywhere: other types, edge numbers, strings that break patterns. */
const oddValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, "", ".", "..", "a b", "TASK_FINISHED", "zz", uuid),
  fc.constantFrom([], {}, [1], { name: "cpus", scalar: 1 }, { begin: 5, end: 1 }),
  fc.string({ maxLength: 4 }),
);

type Mutation = { at: number; kind: "delete" | "replace" | "add"; value: unknown; key: string };

/** Applies a mutation to the `at`-th (modulo) object or array inside a copy of `value`. */
function mutate(value: unknown, m: Mutation): unknown {
  const copy: unknown = structuredClone(value);
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  const visit = (v: unknown) => {
    if (typeof v !== "object" || v === null) return;
    containers.push(v as Record<string, unknown>);
    for (const child of Object.values(v)) visit(child);
  };
  visit(copy);
  const target = containers[m.at % containers.length] as Record<string, unknown>;
  const keys = Object.keys(target);
  const key = keys.length > 0 ? (keys[m.at % keys.length] as string) : undefined;
  // Only what JSON can hold: an array gets elements, never named properties.
  if (Array.isArray(target)) {
    if (key === undefined || m.kind === "add") target.push(m.value);
    else if (m.kind === "delete") target.splice(Number(key), 1);
    else target[Number(key)] = m.value;
  } else if (m.kind === "delete" && key !== undefined) delete target[key];
  else if (m.kind === "replace" && key !== undefined) target[key] = m.value;
  else target[m.key] = m.value;
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(200),
  kind: fc.constantFrom("delete", "replace", "add"),
  value: oddValue,
  key: fc.constantFrom("extra", "healthy", "reason", "shell", "roles", "type"),
});

describe("exactCheck", () => {
  it("finds the simulator's messages exact", () => {
    for (const [schema, message] of messages) expect(exactCheck(schema)(message)).toBe(EXACT);
  });

  it("never calls EXACT what zod rejects or would return changed, nor INVALID what zod accepts", () => {
    fc.assert(
      fc.property(
        fc.nat(messages.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (i, ms) => {
          const [schema, original] = messages[i] as [z.ZodType, unknown];
          const input = ms.reduce(mutate, original);
          const verdict = exactCheck(schema)(input);
          const parsed = schema.safeParse(input);
          if (verdict === EXACT) {
            expect(parsed.success).toBe(true);
            expect(isDeepStrictEqual(parsed.data, input)).toBe(true);
          }
          if (verdict === INVALID) expect(parsed.success).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("leaves to zod what zod changes: a default to fill in, an unknown key to strip, a transform", () => {
    expect(exactCheck(z.object({ a: z.string().default("x") }).strict())({})).toBe(UNKNOWN);
    expect(exactCheck(z.object({ a: z.string() }))({ a: "1", b: 2 })).toBe(UNKNOWN);
    expect(exactCheck(z.object({ a: z.string() }).strict())({ a: "1", b: 2 })).toBe(INVALID);
    expect(exactCheck(z.string().trim())(" a ")).toBe(UNKNOWN);
    expect(exactCheck(z.string().transform((s) => s.length))("a")).toBe(UNKNOWN);
    expect(exactCheck(z.coerce.number())("1")).toBe(UNKNOWN);
    const labels = z.record(z.string(), z.string());
    expect(exactCheck(labels)(JSON.parse('{"a":"1"}'))).toBe(EXACT);
    expect(exactCheck(labels)(JSON.parse('{"__proto__":"1"}'))).toBe(UNKNOWN);
    expect(exactCheck(z.object({ a: z.string() }).strict())(JSON.parse('{"a":"1","__proto__":{}}'))).toBe(
      INVALID,
    );
  });

  it("runs the schema's refinements", () => {
    const range = z
      .object({ begin: z.number(), end: z.number() })
      .strict()
      .refine((r) => r.begin <= r.end);
    expect(exactCheck(range)({ begin: 1, end: 2 })).toBe(EXACT);
    expect(exactCheck(range)({ begin: 3, end: 2 })).toBe(INVALID);
  });
});

describe("decode", () => {
  it("returns the same value with or without the exact check, and zod's error when it fails", () => {
    const [schema, message] = messages[1] as [z.ZodType, unknown];
    const decoded = decode(schema, encode(message));
    expect(decoded.ok && decoded.value).toEqual(schema.parse(message));
    const bad = decode(
      Call,
      encode({ type: "acknowledge", frameworkId: fw, agentId: agent, taskId: "t", uuid: "x" }),
    );
    expect(!bad.ok && bad.error.field).toBe("uuid");
  });
});
