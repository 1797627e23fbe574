import { parseResources } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { ancestorRoles, RoleSorter } from "./role-sorter.js";

const r = parseResources;

describe("RoleSorter", () => {
  it("ranks subtrees by their whole allocation before the roles inside them", () => {
    const s = new RoleSorter();
    s.setTotal(r("cpus:100"));
    for (const role of ["eng/web", "eng/batch", "ops"]) s.add(role);
    s.allocated("eng/web", r("cpus:30"));
    s.allocated("ops", r("cpus:20"));
    // eng (30) is behind ops (20) although eng/batch holds nothing.
    expect(s.sort()).toEqual(["ops", "eng/batch", "eng/web"]);
    expect(s.share("eng")).toBeCloseTo(0.3);
  });

  it("applies a parent's weight to its whole subtree", () => {
    const s = new RoleSorter();
    s.setTotal(r("cpus:100"));
    s.add("eng/web");
    s.add("ops");
    s.setWeight("eng", 4);
    s.allocated("eng/web", r("cpus:30"));
    s.allocated("ops", r("cpus:10"));
    expect(s.sort()).toEqual(["eng/web", "ops"]);
  });

  it("lets a role with frameworks of its own compete with its children", () => {
    const s = new RoleSorter();
    s.setTotal(r("cpus:100"));
    s.add("eng");
    s.add("eng/web");
    s.allocated("eng", r("cpus:10"));
    expect(s.sort()).toEqual(["eng/web", "eng"]);
    s.allocated("eng/web", r("cpus:20"));
    expect(s.sort()).toEqual(["eng", "eng/web"]);
  });

  it("prunes paths that lead to no role once their roles are removed", () => {
    const s = new RoleSorter();
    s.setTotal(r("cpus:10"));
    s.add("a/b/c");
    s.allocated("a/b/c", r("cpus:5"));
    s.remove("a/b/c");
    expect(s.share("a")).toBe(0);
    expect(s.sort()).toEqual([]);
  });

  it("names a role's ancestors, nearest last", () => {
    expect(ancestorRoles("a/b/c")).toEqual(["a", "a/b"]);
    expect(ancestorRoles("*")).toEqual([]);
  });
});
