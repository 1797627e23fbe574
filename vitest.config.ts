import react from "@vitejs/plugin-react";
import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Workspace packages export their TypeScript sources under the "source" condition, so unit tests
// run against src/ (no build needed, and one module instance per file) while cross-process tests
// spawn the built CLI. Node tests resolve in Vite's server (SSR) environment, whose conditions are
// `ssr.resolve.conditions`: `resolve.conditions` alone reaches only the client environment, and
// @agora/* then resolved to dist/ (test/repo/source-condition.test.ts checks it).
export default defineConfig({
  resolve: {
    conditions: ["source"],
  },
  ssr: {
    resolve: {
      conditions: ["source", ...defaultServerConditions],
    },
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
          setupFiles: ["test/harness/failure-output.ts"],
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
