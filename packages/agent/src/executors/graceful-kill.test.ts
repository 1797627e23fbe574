import { ManualClock } from "@agora/transport";
import { describe, expect, it } from "vitest";
import { GracefulKill, type KillSignal } from "./graceful-kill.js";

function setup() {
  const clock = new ManualClock();
  const sent: KillSignal[] = [];
  return { clock, sent, killer: new GracefulKill(clock, (s) => sent.push(s)) };
}

describe("GracefulKill", () => {
  it("sends SIGTERM at once and SIGKILL when the grace period is over", () => {
    const { clock, sent, killer } = setup();
    expect(killer.requested).toBe(false);
    killer.start(3000);
    expect(killer.requested).toBe(true);
    expect(sent).toEqual(["SIGTERM"]);
    clock.advance(2999);
    expect(sent).toEqual(["SIGTERM"]);
    clock.advance(1);
    expect(sent).toEqual(["SIGTERM", "SIGKILL"]);
  });

  it("sends no SIGKILL once cancelled (the task ended within its grace period)", () => {
    const { clock, sent, killer } = setup();
    killer.start(1000);
    killer.cancel();
    clock.advance(10_000);
    expect(sent).toEqual(["SIGTERM"]);
  });

  it("signals once however often it is started, on the first grace period", () => {
    const { clock, sent, killer } = setup();
    killer.start(1000);
    killer.start(50);
    clock.advance(999);
    expect(sent).toEqual(["SIGTERM"]);
    clock.advance(1);
    expect(sent).toEqual(["SIGTERM", "SIGKILL"]);
  });
});
