// Compile-time tests of the public types: checked by `type-tests.test.ts` (tsc over tsconfig.test.json).
// Never imported at run time. Each `@ts-expect-error` must stay an error, or compilation fails.
import type { Offer, OfferId, TaskInfo, TaskStatus } from "@agora/protocol";
import { expectTypeOf } from "vitest";
import {
  type FailureInfo,
  type FrameworkMessage,
  packTasks,
  type Scheduler,
  type SchedulerError,
  type SubscribedInfo,
  type TaskSpec,
} from "./index.js";

declare const scheduler: Scheduler;
declare const offer: Offer;

// Each event's handler receives its own payload type.
scheduler.on("update", (status) => {
  expectTypeOf(status).toEqualTypeOf<TaskStatus>();
});
scheduler.on("offers", (offers) => {
  expectTypeOf(offers).toEqualTypeOf<Offer[]>();
});
scheduler.on("rescind", (offerId) => {
  expectTypeOf(offerId).toEqualTypeOf<OfferId>();
});
scheduler.on("subscribed", (info) => {
  expectTypeOf(info).toEqualTypeOf<SubscribedInfo>();
});
scheduler.on("reconnected", (info) => {
  expectTypeOf(info).toEqualTypeOf<SubscribedInfo>();
});
scheduler.on("error", (err) => {
  expectTypeOf(err).toEqualTypeOf<SchedulerError>();
});
scheduler.on("message", (m) => {
  expectTypeOf(m).toEqualTypeOf<FrameworkMessage>();
});
scheduler.on("failure", (f) => {
  expectTypeOf(f).toEqualTypeOf<FailureInfo>();
});
scheduler.on("disconnected", (d) => {
  expectTypeOf(d.silentForMs).toEqualTypeOf<number>();
});

// Update handlers may be async (the SDK awaits them before acknowledging).
scheduler.on("update", async (status) => {
  await Promise.resolve(status.state);
});

// @ts-expect-error: there is no such event
scheduler.on("no-such-event", () => {});
// @ts-expect-error: an update handler is not given offers
scheduler.on("update", (offers: Offer[]) => offers.length);

// Iterators yield the same payloads as the events.
expectTypeOf(scheduler.updates()).toEqualTypeOf<AsyncIterableIterator<TaskStatus>>();
expectTypeOf(scheduler.offers()).toEqualTypeOf<AsyncIterableIterator<Offer[]>>();

// Packing builds TaskInfos that launch accepts as they are.
const specs: TaskSpec[] = [
  { name: "web", resources: { cpus: 1, mem: 64, ports: 1 }, command: { value: "serve" } },
];
const { launches } = packTasks([offer], specs);
expectTypeOf(launches[0]!.tasks).toEqualTypeOf<TaskInfo[]>();
void scheduler.launch(offer, launches[0]!.tasks);
// Hand-written tasks may leave defaulted fields (command.shell) out.
void scheduler.launch(offer, [
  {
    taskId: "t1",
    name: "t1",
    agentId: offer.agentId,
    resources: [{ name: "cpus", scalar: 1 }],
    command: { value: "true" },
  },
]);

// @ts-expect-error: kill takes a TaskId (from a TaskInfo or TaskStatus), not any string
void scheduler.kill("t1");
// @ts-expect-error: decline takes offer ids, not offers
void scheduler.decline([offer]);
