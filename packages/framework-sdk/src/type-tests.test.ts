import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Runs the compiler over the whole package, tests included: `types.test-d.ts` holds the
 * compile-time assertions on the public types (and `@ts-expect-error` lines that must stay errors).
 */
describe("public types", () => {
  it("compile as types.test-d.ts and the tests expect", () => {
    const configPath = fileURLToPath(new URL("../tsconfig.test.json", import.meta.url));
    const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(configPath));
    expect(parsed.fileNames.some((f) => f.endsWith("types.test-d.ts"))).toBe(true);

    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where =
        d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      return `${d.file?.fileName ?? ""}:${where ? where.line + 1 : 0}: ${text}`;
    });

    expect(diagnostics).toEqual([]);
  });
});
