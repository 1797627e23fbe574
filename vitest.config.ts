import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Workspace packages export their TypeScript sources under the "source" condition,
    // so unit tests run against src/ while cross-process tests spawn the built CLI.
    conditions: ["source"],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    globalSetup: ["test/harness/global-setup.ts"],
    reporters: ["default", "./test/harness/summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["**/node_modules/**", "packages/webui/**"],
        },
      },
      {
        // The dashboard's component tests: a DOM (happy-dom) for these files only.
        extends: true,
        plugins: [react()],
        test: {
          name: "webui",
          include: ["packages/webui/src/**/*.test.{ts,tsx}"],
          environment: "happy-dom",
          setupFiles: ["packages/webui/src/test-setup.ts"],
        },
      },
    ],
  },
});
