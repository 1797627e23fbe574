import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Progress, type ProgressState } from "./deployment.js";

/** A stream that says it is a terminal and keeps what is written to it. */
function stream(tty: boolean) {
  let out = "";
  const s = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  s.isTTY = tty;
  s.columns = 100;
  return { s: s as unknown as NodeJS.WriteStream, out: () => out };
}

const at = (done: number, seconds: number, wanted = 2): ProgressState => ({
  label: "/web: deploy",
  wanted,
  done,
  counts: `${done}/${wanted} running`,
  seconds,
  failure: "",
});

describe("a followed deployment's progress", () => {
  it("on a terminal: a bar of instances done of wanted, redrawn in place, ended with a newline", () => {
    const t = stream(true);
    const p = new Progress(t.s, false);
    p.draw(at(0, 0));
    p.draw(at(1, 1));
    p.draw(at(2, 2));
    p.done();
    // Each redraw rewrites the line in place (cli-progress: cursor escapes, no newline between).
    expect(t.out()).toContain(`/web: deploy ${"░".repeat(20)} 0/2 running, 0s`);
    expect(t.out()).toContain(`/web: deploy ${"█".repeat(20)} 2/2 running, 2s`);
    expect(t.out().split("\n")).toHaveLength(2);
    expect(t.out().endsWith("\n")).toBe(true);
  });

  it("not on a terminal: a line each time the counts change, none with --json", () => {
    const log = stream(false);
    const p = new Progress(log.s, false);
    p.draw(at(0, 0));
    p.draw(at(0, 1));
    p.draw(at(2, 3));
    p.done();
    expect(log.out()).toBe("/web: deploy 0/2 running, 0s\n/web: deploy 2/2 running, 3s\n");
    const quiet = stream(true);
    const q = new Progress(quiet.s, true);
    q.draw(at(1, 1));
    q.done();
    expect(quiet.out()).toBe("");
  });
});
