import { describe, expect, it } from "vitest";
import { parseCredentials } from "./credentials.js";

describe("credentials", () => {
  it("reads Mesos' JSON and checks secrets", () => {
    const c = parseCredentials(
      JSON.stringify({
        credentials: [
          { principal: "ops", secret: "s3cret" },
          { principal: "ci", secret: "t0ken" },
        ],
      }),
      "creds.json",
    );
    expect(c.size).toBe(2);
    expect(c.check("ops", "s3cret")).toBe(true);
    expect(c.check("ops", "t0ken")).toBe(false);
    expect(c.check("nobody", "s3cret")).toBe(false);
    expect(c.principalOfToken("t0ken")).toBe("ci");
    expect(c.principalOfToken("guess")).toBeUndefined();
  });

  it("reads the older text form, one `principal secret` per line", () => {
    const c = parseCredentials("# operators\nops s3cret\n\nci t0ken\n", "creds");
    expect(c.check("ci", "t0ken")).toBe(true);
    expect(() => parseCredentials("ops\n", "creds")).toThrowError(
      /creds: line 1: expected `principal secret`/,
    );
  });

  it("names the field of a malformed JSON file", () => {
    expect(() => parseCredentials('{"credentials":[{"principal":"ops"}]}', "c.json")).toThrowError(
      /c\.json: credentials\.0\.secret/,
    );
  });
});
