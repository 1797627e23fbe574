import { describe, expect, it } from "vitest";
import { attributeValues } from "./attributes.js";

describe("attributeValues", () => {
  it("reads scalar, ranges and set attributes as text", () => {
    expect(
      attributeValues([
        { name: "zone", text: "a" },
        { name: "gen", scalar: 3 },
        { name: "slots", ranges: [{ begin: 1, end: 4 }] },
        { name: "disks", set: ["ssd", "hdd"] },
      ]),
    ).toEqual({ zone: "a", gen: "3", slots: "[1-4]", disks: "{hdd,ssd}" });
  });
});
