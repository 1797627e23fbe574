import { type AgentId, type FrameworkId, parseResources, type Resource } from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DeclineFilter, isLive } from "./decline-filter.js";
import { DeclineFilterIndex, hasBit } from "./filter-index.js";
import { covers } from "./resource-cover.js";

const frameworks = ["f0", "f1", "f2"] as FrameworkId[];
const agents = ["a0", "a1"] as AgentId[];
/** A few lists, so that verdicts are reused (the same list again, or an equal copy) as often as recomputed. */
const lists = ["cpus:1;mem:128", "cpus:2;mem:128", "mem:128", "cpus:2;mem:256;ports:[31000-31010]", "cpus:1"];
const list = fc.constantFrom(...lists).map((text) => parseResources(text));
const listOrCopy = fc.tuple(fc.nat({ max: lists.length - 1 }), fc.boolean());

type Step =
  | { kind: "add"; framework: number; agent: number; refused: Resource[]; ttl: number }
  | { kind: "ask"; agent: number; available: [number, boolean] }
  | { kind: "tick"; ms: number }
  | { kind: "revive"; framework: number }
  | { kind: "removeAgent"; agent: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("add" as const),
    framework: fc.nat({ max: 2 }),
    agent: fc.nat({ max: 1 }),
    refused: list,
    ttl: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ kind: fc.constant("ask" as const), agent: fc.nat({ max: 1 }), available: listOrCopy }),
  fc.record({ kind: fc.constant("ask" as const), agent: fc.nat({ max: 1 }), available: listOrCopy }),
  fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 1, max: 15 }) }),
  fc.record({ kind: fc.constant("revive" as const), framework: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant("removeAgent" as const), agent: fc.nat({ max: 1 }) }),
);

describe("DeclineFilterIndex against every filter checked each time", () => {
  it("blocks exactly the frameworks with a live filter covering what is available, through expiry and reuse", () => {
    const parsed = lists.map((text) => parseResources(text));
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 80 }), (steps) => {
        const index = new DeclineFilterIndex();
        const model = new Map<string, DeclineFilter[]>();
        const key = (f: FrameworkId, a: AgentId) => `${f}|${a}`;
        let now = 0;
        for (const s of steps) {
          if (s.kind === "add") {
            const filter = { refused: s.refused, expiresAt: now + s.ttl };
            index.add(frameworks[s.framework]!, agents[s.agent]!, filter);
            const k = key(frameworks[s.framework]!, agents[s.agent]!);
            model.set(k, [...(model.get(k) ?? []), filter]);
          } else if (s.kind === "tick") now += s.ms;
          else if (s.kind === "revive") {
            index.removeFramework(frameworks[s.framework]!);
            for (const a of agents) model.delete(key(frameworks[s.framework]!, a));
          } else if (s.kind === "removeAgent") {
            index.removeAgent(agents[s.agent]!);
            for (const f of frameworks) model.delete(key(f, agents[s.agent]!));
          } else {
            const [which, copy] = s.available;
            const available = copy ? parseResources(lists[which]!) : parsed[which]!;
            const agent = agents[s.agent]!;
            const blocked = index.blockedOn(agent, available, now);
            for (const f of frameworks) {
              const expected = (model.get(key(f, agent)) ?? []).some(
                (filter) => isLive(filter, now) && covers(filter.refused, available),
              );
              const slot = index.slotOf(f);
              const actual = blocked !== undefined && slot !== undefined && hasBit(blocked, slot);
              expect(actual).toBe(expected);
            }
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
