import { beforeEach } from "vitest";
import { startedProcesses } from "./processes.js";

/** Characters of each stream shown: the last few dozen log lines. */
const TAIL_CHARS = 4000;

/**
 * When a test fails, the end of what every process its file started wrote, so that a failure seen
 * once in CI (a task that never reached RUNNING, a master that never led) can be read from the log
 * instead of waiting for it to happen again.
 */
beforeEach(({ onTestFailed }) => {
  const before = startedProcesses.length;
  onTestFailed(() => {
    for (const [i, { name, spawned }] of startedProcesses.entries()) {
      const ended = spawned.child.exitCode ?? spawned.child.signalCode;
      const header = `--- ${name} (pid ${spawned.pid}, ${ended === null ? "running" : `exited ${ended}`}${i < before ? ", started before this test" : ""})`;
      for (const [stream, text] of [
        ["stderr", spawned.stderr()],
        ["stdout", spawned.stdout()],
      ] as const) {
        if (text.length === 0) continue;
        const tail = text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text;
        process.stderr.write(`\n${header}: ${stream}\n${tail}\n`);
      }
    }
  });
});
