import { describe, expect, it } from "vitest";
import { UPDATE_BATCHES } from "../events.js";
import { FrameworkInfo } from "../framework.js";
import type { FrameworkId } from "../ids.js";
import { toMesosFrameworkInfo } from "./index.js";

describe("our FrameworkInfo as Mesos'", () => {
  it("leaves out UPDATE_BATCHES, which is not a Mesos capability, and keeps Mesos' own", () => {
    const info = FrameworkInfo.parse({ name: "sdk", capabilities: ["PARTITION_AWARE", UPDATE_BATCHES] });
    expect(toMesosFrameworkInfo(info, "fw-1" as FrameworkId).capabilities).toEqual([
      { type: "PARTITION_AWARE" },
    ]);
  });
});
