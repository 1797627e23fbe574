import { describe, expect, it } from "vitest";
import { z } from "zod";
import { firstIssue } from "./zod-issue.js";

describe("firstIssue", () => {
  const Schema = z.object({ resources: z.array(z.object({ scalar: z.number() })) });

  it("names the first failing field by its dotted path, with zod's message", () => {
    const parsed = Schema.safeParse({ resources: [{ scalar: 1 }, { scalar: "two" }] });
    expect(parsed.success).toBe(false);
    const issue = firstIssue(parsed.error!);
    expect(issue.field).toBe("resources.1.scalar");
    expect(issue.message).toMatch(/expected number/);
  });

  it("names no field when the value itself is wrong", () => {
    const parsed = Schema.safeParse("not an object");
    expect(firstIssue(parsed.error!).field).toBe("");
  });
});
