import { afterEach } from "vitest";
import { isRunning } from "./fake-master.js";

export interface Cleanup {
  push(step: () => Promise<void> | void): void;
  /** Kills a task's process group after the test, should the test leave it running. */
  killGroup(pid: number): void;
}

/** Steps a test file's tests register as they go, run last-first after each test. Call at the top of the file. */
export function cleanupAfterEach(): Cleanup {
  const steps: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of steps.reverse()) await step();
    steps.length = 0;
  });
  return {
    push: (step) => {
      steps.push(step);
    },
    killGroup: (pid) => {
      steps.push(() => {
        if (isRunning(pid)) process.kill(-pid, "SIGKILL");
      });
    },
  };
}
