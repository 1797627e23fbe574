import type { Offer, OfferId, TaskId } from "@agora/protocol";
import { describe, expect, it, vi } from "vitest";
import { AcceptWindow } from "./accept-window.js";
import { SchedulerError } from "./errors.js";
import { Scheduler } from "./scheduler.js";
import { makeOffer } from "./test-support/fake-master.js";
import { harness, subscribed } from "./test-support/harness.js";

const offers = (n: number) => Array.from({ length: n }, () => makeOffer("f1" as Offer["frameworkId"]));
const ids = (list: readonly Offer[]) => list.map((o) => o.id);
const taskOn = (offer: Offer) => ({
  taskId: `t-${offer.id}`,
  name: "t",
  agentId: offer.agentId,
  resources: [{ name: "cpus", scalar: 1 }],
  command: { value: "true" },
});

describe("AcceptWindow", () => {
  /** A window whose framework accepts every offer it is handed, at once; `answer(i)` answers the i-th accept. */
  function accepting(limit: number) {
    const delivered: Offer[][] = [];
    const answers: Array<() => void> = [];
    const window: AcceptWindow = new AcceptWindow(limit, (batch) => {
      delivered.push(batch);
      for (const _ of batch) answers.push(window.opened());
    });
    return { window, delivered: () => delivered.map(ids), answer: (i: number) => answers[i]!() };
  }

  it("hands offers on while there is room, holds the rest and releases them as accepts are answered", () => {
    const { window, delivered, answer } = accepting(2);
    const [a, b, c, d] = offers(4);

    window.offered([a!]);
    window.offered([b!, c!, d!]);
    expect(delivered()).toEqual([[a!.id], [b!.id]]);
    expect([window.acceptsInFlight, window.offersHeld]).toEqual([2, 2]);

    answer(0);
    answer(0); // twice counts once
    expect(delivered()).toEqual([[a!.id], [b!.id], [c!.id]]);
    answer(1);
    expect(delivered().at(-1)).toEqual([d!.id]);
    expect([window.acceptsInFlight, window.acceptsInFlightPeak, window.offersHeld]).toEqual([2, 2, 0]);
  });

  it("hands held offers on in arrival order", () => {
    const { window, delivered, answer } = accepting(1);
    const [a, b, c] = offers(3);
    window.offered([a!]);
    window.offered([b!]);
    window.offered([c!]);
    expect(window.offersHeld).toBe(2);

    answer(0);
    answer(1);
    expect(delivered()).toEqual([[a!.id], [b!.id], [c!.id]]);
  });

  it("goes on handing offers on while the framework declines them (no accept would release them)", () => {
    const delivered: Offer[][] = [];
    const window = new AcceptWindow(2, (batch) => delivered.push(batch));
    const batch = offers(5);
    const answer = window.opened();
    window.opened();
    window.offered(batch);
    expect(delivered).toEqual([]);

    answer();
    expect(delivered.map(ids)).toEqual([
      [batch[0]!.id],
      [batch[1]!.id],
      [batch[2]!.id],
      [batch[3]!.id],
      [batch[4]!.id],
    ]);
    expect(window.offersHeld).toBe(0);
  });

  it("drops a held offer that is rescinded, and says whether it held it", () => {
    const delivered: Offer[][] = [];
    const window = new AcceptWindow(1, (batch) => delivered.push(batch));
    const [a, b] = offers(2);
    const answer = window.opened();
    window.offered([a!, b!]);

    expect(window.rescinded(a!.id)).toBe(true);
    expect(window.rescinded("unknown" as OfferId)).toBe(false);
    answer();
    expect(delivered.map(ids)).toEqual([[b!.id]]);
  });

  it("with limit 0 hands every offer on at once", () => {
    const deliver = vi.fn();
    const window = new AcceptWindow(0, deliver);
    for (let i = 0; i < 5; i++) window.opened();
    const batch = offers(3);
    window.offered(batch);
    expect(deliver).toHaveBeenCalledWith(batch);
    expect(window.offersHeld).toBe(0);
  });
});

describe("Scheduler with maxAcceptsInFlight", () => {
  it("holds offers while that many accepts are unanswered; no call waits, and the held go on as answers arrive", async () => {
    const { master, scheduler, id, barrier } = await subscribed({ maxAcceptsInFlight: 2 });
    master.hold = (call) => call.type === "accept";
    const seen: OfferId[] = [];
    const rescinded: OfferId[] = [];
    scheduler.on("rescind", (offerId) => {
      rescinded.push(offerId);
    });
    scheduler.on("offers", (batch) => {
      for (const offer of batch) {
        seen.push(offer.id);
        void scheduler.launch(offer, [taskOn(offer)]);
      }
    });
    const sent = [makeOffer(id), makeOffer(id), makeOffer(id), makeOffer(id), makeOffer(id)];

    master.publish(id, { type: "offers", epoch: 1, offers: sent });
    await vi.waitFor(() => expect(master.callsOf("accept")).toHaveLength(2));
    await barrier();
    expect(seen).toEqual(ids(sent.slice(0, 2)));
    expect(scheduler.stats).toMatchObject({ acceptsInFlight: 2, offersHeld: 3 });
    // Other calls are not held back: the kill is answered while both accepts wait.
    await scheduler.kill("t1" as TaskId);

    // A held offer rescinded is dropped without a `rescind` event: the framework never saw it.
    master.publish(id, { type: "rescind", epoch: 1, offerId: sent[2]!.id });
    master.publish(id, { type: "rescind", epoch: 1, offerId: sent[0]!.id });
    master.answerHeld(1);
    await vi.waitFor(() => expect(seen).toEqual(ids([sent[0]!, sent[1]!, sent[3]!])));
    expect(rescinded).toEqual([sent[0]!.id]);

    master.answerHeld();
    await vi.waitFor(() => expect(seen).toEqual(ids([sent[0]!, sent[1]!, sent[3]!, sent[4]!])));
    master.answerHeld();
    await vi.waitFor(() => expect(scheduler.stats).toMatchObject({ acceptsInFlight: 0, offersHeld: 0 }));
    expect(scheduler.stats.acceptsInFlightPeak).toBe(2);
  });

  it("counts a refused accept as answered: the offers held behind it go on", async () => {
    const { master, scheduler, id } = await subscribed({ maxAcceptsInFlight: 1 });
    master.refuse = (call) =>
      call.type === "accept" ? { code: "INVALID_OFFERS", message: "offer is gone" } : undefined;
    const seen: OfferId[] = [];
    const failures: unknown[] = [];
    scheduler.on("offers", (batch) => {
      for (const offer of batch) {
        seen.push(offer.id);
        scheduler.launch(offer, [taskOn(offer)]).catch((err: unknown) => failures.push(err));
      }
    });
    const sent = [makeOffer(id), makeOffer(id)];

    master.publish(id, { type: "offers", epoch: 1, offers: sent });

    await vi.waitFor(() => expect(failures).toHaveLength(2));
    expect(seen).toEqual(ids(sent));
    expect(failures[0]).toMatchObject({ code: "CALL_FAILED", masterCode: "INVALID_OFFERS" });
    expect(scheduler.stats.acceptsInFlight).toBe(0);
  });

  it("drops the offers it holds when another master leads: the old one's offers are void", async () => {
    const { master, scheduler, id } = await subscribed({ maxAcceptsInFlight: 1 });
    master.hold = (call) => call.type === "accept";
    const seen: OfferId[] = [];
    scheduler.on("offers", (batch) => {
      for (const offer of batch) {
        seen.push(offer.id);
        void scheduler.launch(offer, [taskOn(offer)]).catch(() => {});
      }
    });
    const [first, second] = [makeOffer(id), makeOffer(id)];
    master.publish(id, { type: "offers", epoch: 1, offers: [first!, second!] });
    await vi.waitFor(() => expect(scheduler.stats.offersHeld).toBe(1));

    master.epoch = 2; // a new leader: the scheduler re-subscribes to it
    master.publish(id, { type: "heartbeat", epoch: 2 });
    await vi.waitFor(() => expect(master.callsOf("subscribe")).toHaveLength(2));
    await vi.waitFor(() => expect(scheduler.stats.offersHeld).toBe(0));
    master.answerHeld();
    const fresh = makeOffer(id);
    master.publish(id, { type: "offers", epoch: 2, offers: [fresh] });

    await vi.waitFor(() => expect(seen).toEqual([first!.id, fresh.id]));
  });

  it("refuses a limit that is not a whole number of 0 or more, naming the option", () => {
    const { bus } = harness();
    for (const maxAcceptsInFlight of [-1, 1.5, Number.NaN]) {
      const make = () => new Scheduler({ bus, framework: { name: "f" }, maxAcceptsInFlight });
      expect(make).toThrow(SchedulerError);
      expect(make).toThrow(/^maxAcceptsInFlight: /);
    }
  });
});
