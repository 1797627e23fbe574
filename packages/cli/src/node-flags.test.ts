import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SERVER_NODE_FLAGS } from "./node-flags.js";

const BIN = fileURLToPath(new URL("../bin/agora.js", import.meta.url));

describe("the agora command's V8 flags", () => {
  it("the #! line of bin/agora.js passes exactly SERVER_NODE_FLAGS to node", () => {
    const shebang = readFileSync(BIN, "utf8").split("\n")[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(" ")}`);
  });

  it("run as a program, the command's node has them (env -S splits the #! line)", () => {
    const out = execFileSync(BIN, ["--version"], {
      encoding: "utf8",
      env: {
        ...process.env,
        NODE_OPTIONS: "--import=data:text/javascript,console.log(JSON.stringify(process.execArgv))",
      },
    });
    expect(JSON.parse(out.split("\n")[0]!)).toEqual(SERVER_NODE_FLAGS);
  });
});
