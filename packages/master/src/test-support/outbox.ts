import {
  AgentCommand,
  type AgentId,
  decode,
  Event,
  type FrameworkId,
  type FrameworkInfo,
  subjects,
} from "@agora/protocol";
import { InProcessBus, ManualClock } from "@agora/transport";
import { pino } from "pino";
import type { z } from "zod";
import { Outbox } from "../outbox.js";

export interface TestOutboxOptions {
  /** The bus's max payload, for the tests of batches split to fit. */
  maxPayload?: number;
  frameworkInfo?: (frameworkId: FrameworkId) => FrameworkInfo | undefined;
}

/**
 * An outbox on an in-process bus whose clock holds the end-of-turn flush until the test runs it
 * (`clock.runDeferred()`). It records what the outbox drops, and collects, decoded, what an
 * agent or a framework receives from it.
 */
export function testOutbox(options: TestOutboxOptions = {}) {
  const bus = new InProcessBus(
    undefined,
    options.maxPayload === undefined ? {} : { maxPayload: options.maxPayload },
  );
  const clock = new ManualClock(0, { holdDeferred: true });
  const s = subjects("test");
  const dropped: string[] = [];
  const outbox = new Outbox(
    bus,
    s,
    () => 1,
    pino({ level: "silent" }),
    (reason, to, type) => dropped.push(`${reason}:${to}:${type}`),
    options.frameworkInfo,
    clock,
  );
  function collect<T>(schema: z.ZodType<T>, subject: string): T[] {
    const received: T[] = [];
    bus.subscribe(subject, (msg) => {
      const d = decode(schema, msg.data);
      if (d.ok) received.push(d.value);
    });
    return received;
  }
  return {
    bus,
    clock,
    outbox,
    dropped,
    agentCommands: (agentId: AgentId) => collect(AgentCommand, s.agentCommands(agentId)),
    frameworkEvents: (frameworkId: FrameworkId, principal?: string) =>
      collect(Event, s.frameworkEvents(frameworkId, principal)),
  };
}
