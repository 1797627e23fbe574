import { describe, expect, it } from "vitest";
import { isMarathonError } from "../errors.js";
import { matchesLabels, parseLabelSelector } from "./label-selector.js";

describe("label selectors", () => {
  const labels = { tier: "front", team: "a,b", "x y": "1" };
  const matches = (selector: string) => matchesLabels(labels, parseLabelSelector(selector));

  it("supports existence, ==, != and set terms, all of which must hold", () => {
    expect(matches("tier")).toBe(true);
    expect(matches("missing")).toBe(false);
    expect(matches("tier==front")).toBe(true);
    expect(matches("tier!=front")).toBe(false);
    expect(matches("missing!=front")).toBe(true);
    expect(matches("tier in (back, front)")).toBe(true);
    expect(matches("tier notin (back, front)")).toBe(false);
    expect(matches("missing notin (x)")).toBe(true);
    expect(matches("tier==front,missing")).toBe(false);
  });

  it("reads escaped commas and spaces", () => {
    expect(matches("team==a\\,b")).toBe(true);
    expect(matches("x\\ y==1")).toBe(true);
  });

  it("refuses what it cannot parse with INVALID_REQUEST", () => {
    let error: unknown;
    try {
      parseLabelSelector("tier in (a");
    } catch (e) {
      error = e;
    }
    expect(isMarathonError(error, "INVALID_REQUEST")).toBe(true);
  });
});
