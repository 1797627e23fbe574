import { describe, expect, it } from "vitest";
import type { FrameworkId } from "./ids.js";
import { principalToken, subjects } from "./subjects.js";

describe("subjects", () => {
  it("keeps a framework without a principal on the plain subjects", () => {
    const s = subjects("prod");
    expect(s.callsOf(undefined)).toBe("agora.prod.master.call");
    expect(s.frameworkEvents("f1" as FrameworkId)).toBe("agora.prod.framework.f1.events");
  });

  it("puts a principal's calls and events under its own token", () => {
    const s = subjects("prod");
    expect(s.callsOf("ads")).toBe("agora.prod.master.call.ads");
    expect(s.frameworkEvents("f1" as FrameworkId, "ads")).toBe("agora.prod.framework.ads.f1.events");
  });

  it("encodes a principal that is not a subject token, one way only", () => {
    expect(principalToken("team.ads")).toBe("team%2Eads");
    expect(principalToken("a*b >c")).toBe("a%2Ab%20%3Ec");
    expect(principalToken("100%")).toBe("100%25");
    expect(principalToken("é")).toBe("%C3%A9");
    // `%` is encoded too, so an encoded-looking principal cannot collide with another's token.
    expect(principalToken("team%2Eads")).not.toBe(principalToken("team.ads"));
  });
});
