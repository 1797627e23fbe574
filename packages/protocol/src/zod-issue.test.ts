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

  it("gives the path as segments too, numbers kept, for APIs that print paths their own way", () => {
    const parsed = Schema.safeParse({ resources: [{ scalar: 1 }, { scalar: "two" }] });
    expect(firstIssue(parsed.error!).path).toEqual(["resources", 1, "scalar"]);
  });

  it("names the unexpected key of a strict object, not the object", () => {
    const Strict = z.object({ info: z.strictObject({ name: z.string() }) });
    const parsed = Strict.safeParse({ info: { name: "web", rolez: ["*"], extra: 1 } });
    const issue = firstIssue(parsed.error!);
    expect(issue.field).toBe("info.rolez");
    expect(issue.path).toEqual(["info", "rolez"]);
    expect(issue.message).toMatch(/rolez/);
  });
});
