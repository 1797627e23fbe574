import { readFileSync } from "node:fs";
import type { TaskState } from "@agora/protocol";
import { InProcessBus } from "@agora/transport";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { runToCompletion } from "./examples/run-to-completion.js";
import { FakeMaster, makeOffer, makeStatus } from "./test-support/fake-master.js";

const readme = () => readFileSync(new URL("../README.md", import.meta.url), "utf8");
const example = () => readFileSync(new URL("./examples/run-to-completion.ts", import.meta.url), "utf8");

describe("README example", () => {
  it("is the code of src/examples/run-to-completion.ts, importing the package by name", () => {
    const block = /<!-- example: src\/examples\/run-to-completion\.ts -->\n```ts\n([\s\S]*?)```/.exec(
      readme(),
    )?.[1];
    expect(block).toBeDefined();
    expect(block).toBe(example().replace('from "../index.js"', 'from "@agora/framework-sdk"'));
  });

  it("runs every command to completion against a master, then tears the framework down", async () => {
    const bus = new InProcessBus();
    onTestFinished(() => bus.close());
    const master = new FakeMaster(bus);
    const small = { cpus: 0.05, mem: 256 };
    let spare = "";
    master.onSubscribe = (id) => {
      const offers = [
        makeOffer(id, { agent: "a", cpus: 0.2, mem: 256 }),
        makeOffer(id, { agent: "b", cpus: 0.1, mem: 256 }),
        makeOffer(id, { agent: "c", ...small }),
      ];
      spare = offers[2]!.id;
      master.publish(id, { type: "offers", epoch: 1, offers });
    };
    // Plays the agents: every launched task runs, then finishes, each update with its own uuid.
    master.onCall = (call) => {
      if (call.type !== "accept") return;
      for (const op of call.operations) {
        if (op.type !== "launch") continue;
        for (const task of op.tasks) {
          for (const state of ["TASK_RUNNING", "TASK_FINISHED"] as TaskState[]) {
            const status = makeStatus({ taskId: task.taskId, agentId: task.agentId, state });
            master.publish(call.frameworkId, { type: "update", epoch: 1, status });
          }
        }
      }
    };
    master.start();

    const statuses = await runToCompletion(bus, ["echo a", "echo b", "echo c"]);

    expect(statuses.map((s) => s.state)).toEqual(["TASK_FINISHED", "TASK_FINISHED", "TASK_FINISHED"]);
    expect(master.callsOf("accept").flatMap((c) => c.offerIds)).toHaveLength(2);
    expect(master.callsOf("decline").flatMap((c) => c.offerIds)).toEqual([spare]);
    expect(master.callsOf("suppress")).toHaveLength(1);
    expect(master.callsOf("teardown")).toHaveLength(1);
    await vi.waitFor(() => expect(master.acknowledgements()).toHaveLength(6));
  });
});
