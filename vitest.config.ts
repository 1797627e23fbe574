import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Workspace packages export their TypeScript sources under the "source" condition,
    // so unit tests run against src/ while cross-process tests spawn the built CLI.
    conditions: ["source"],
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/harness/global-setup.ts"],
    reporters: ["default", "./test/harness/summary-reporter.ts"],
  },
});
