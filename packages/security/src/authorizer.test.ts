import { describe, expect, it } from "vitest";
import { SecurityError } from "./errors.js";
import { parseAcls } from "./load.js";

describe("Authorizer (Mesos' local authorizer)", () => {
  const acls = parseAcls(
    JSON.stringify({
      permissive: false,
      register_frameworks: [
        { principals: { values: ["ads"] }, roles: { values: ["ads", "ads-batch"] } },
        { principals: { values: ["ads"] }, roles: { type: "NONE" } },
        { principals: { type: "ANY" }, roles: { values: ["public"] } },
      ],
      update_weights: [{ principals: { values: ["ops"] }, roles: { type: "ANY" } }],
      teardown_frameworks: [{ principals: { type: "NONE" }, framework_principals: { values: ["ads"] } }],
    }),
    "test",
  );

  it("lets the first rule that matches both the principal and the object decide", () => {
    expect(acls.allows("register_frameworks", "ads", "ads")).toBe(true);
    expect(acls.allows("register_frameworks", "ads", "web")).toBe(false); // the NONE rule
    expect(acls.allows("register_frameworks", "ads", "public")).toBe(false); // NONE comes first
    expect(acls.allows("register_frameworks", "web", "public")).toBe(true);
  });

  it("falls back to permissive when no rule matches, and matches an anonymous principal only by ANY or NONE", () => {
    expect(acls.allows("register_frameworks", "web", "web")).toBe(false);
    expect(acls.allows("register_frameworks", undefined, "public")).toBe(true);
    expect(acls.allows("update_weights", undefined, "ads")).toBe(false);
    expect(acls.allows("update_weights", "ops", "anything")).toBe(true);
    expect(acls.allows("get_quotas", "ops", "ads")).toBe(false);
    expect(parseAcls("{}", "t").allows("get_quotas", "ops", "ads")).toBe(true);
  });

  it("denies everyone with NONE principals", () => {
    expect(acls.allows("teardown_frameworks", "ops", "ads")).toBe(false);
    expect(acls.allows("teardown_frameworks", "ops", "web")).toBe(false); // permissive: false
  });

  it("refuses an unknown action or a rule without its object field, naming it", () => {
    expect(() => parseAcls(JSON.stringify({ register_framework: [] }), "acls.json")).toThrowError(
      /acls\.json: register_framework/,
    );
    const missing = () =>
      parseAcls(
        JSON.stringify({ run_tasks: [{ principals: { type: "ANY" }, roles: { type: "ANY" } }] }),
        "a",
      );
    expect(missing).toThrowError(SecurityError);
    expect(missing).toThrowError(/run_tasks\.0/);
    expect(() => parseAcls("{", "a")).toThrowError(/not JSON/);
  });
});
