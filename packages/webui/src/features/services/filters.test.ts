import { describe, expect, it } from "vitest";
import { type AppFilter, allLabelPairs, filterApps } from "./filters";

const app = (id: string, labels: Record<string, string> = {}, volumes = 0) => ({
  id,
  labels,
  container: volumes
    ? { volumes: Array.from({ length: volumes }, () => ({ containerPath: "/data" })) }
    : null,
});
const apps = [
  app("/web", { tier: "front", team: "a" }),
  app("/db", { tier: "back" }, 1),
  app("/batch/report", { team: "a" }),
  app("/cache"),
];
const none: AppFilter = { text: "", status: "", labels: [], volumes: false };
const ids = (f: Partial<AppFilter>) =>
  filterApps(apps, { ...none, ...f }, (a) => (a.id === "/db" ? "waiting" : "running")).map((a) => a.id);

describe("filterApps", () => {
  it("offers every label pair once, sorted", () => {
    expect(allLabelPairs(apps)).toEqual(["team:a", "tier:back", "tier:front"]);
  });

  it("keeps apps with any chosen label, with volumes, matching the text and the status — together", () => {
    expect(ids({})).toEqual(["/web", "/db", "/batch/report", "/cache"]);
    expect(ids({ labels: ["team:a"] })).toEqual(["/web", "/batch/report"]);
    expect(ids({ labels: ["tier:back", "tier:front"] })).toEqual(["/web", "/db"]);
    expect(ids({ volumes: true })).toEqual(["/db"]);
    expect(ids({ labels: ["team:a"], text: "BATCH" })).toEqual(["/batch/report"]);
    expect(ids({ labels: ["tier:back", "tier:front"], status: "running" })).toEqual(["/web"]);
    expect(ids({ labels: ["team:b"] })).toEqual([]);
  });
});
