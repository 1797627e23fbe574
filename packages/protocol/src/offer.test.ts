import { describe, expect, it } from "vitest";
import { decode, encode } from "./codec.js";
import { Offer } from "./framework.js";

const offer = {
  id: "o1",
  frameworkId: "f1",
  agentId: "a1",
  hostname: "h1",
  role: "*",
  resources: [],
  attributes: [],
  capabilities: ["shell"],
};

describe("Offer", () => {
  it("decodes without an unavailability, as before maintenance existed", () => {
    const r = decode(Offer, encode(offer));
    expect(r.ok && r.value.unavailability).toBeUndefined();
  });

  it("carries a DRAINING machine's unavailability and refuses a negative duration", () => {
    const unavailability = {
      start: { nanoseconds: 1_700_000_000_000_000_000 },
      duration: { nanoseconds: 60e9 },
    };
    const r = decode(Offer, encode({ ...offer, unavailability }));
    expect(r.ok && r.value.unavailability).toEqual(unavailability);
    const bad = decode(
      Offer,
      encode({ ...offer, unavailability: { ...unavailability, duration: { nanoseconds: -1 } } }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.field).toBe("unavailability.duration.nanoseconds");
  });
});
