import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { vi } from "vitest";

/** `/master/state` of a master with one agent and nothing on it: spread and override what a test needs. */
export const idleMasterState = {
  version: "0.1.0",
  id: "m1",
  hostname: "master.test",
  start_time: 1,
  activated_slaves: 1,
  deactivated_slaves: 0,
  unreachable_slaves: 0,
  slaves: [],
  frameworks: [],
  completed_frameworks: [],
};

/** Renders `element` at `path` (matching `pattern`) with a fresh query cache and no retries. */
export function renderAt(
  element: ReactNode,
  { path = "/", pattern = "/" }: { path?: string; pattern?: string } = {},
) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createMemoryRouter([{ path: pattern, element }], { initialEntries: [path] });
  return {
    client,
    ...render(
      <QueryClientProvider client={client}>{<RouterProvider router={router} />}</QueryClientProvider>,
    ),
  };
}

/** Answers fetches by path (method + path, or path alone) with JSON; unknown paths are 404s. Returns the calls. */
export function mockFetch(
  routes: Record<string, unknown | ((init?: RequestInit) => { status: number; body: unknown })>,
) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      calls.push({ url, init });
      const path = url.split("?", 1)[0]!;
      const method = init?.method ?? "GET";
      const route = routes[`${method} ${path}`] ?? routes[path];
      if (route === undefined) return new Response(JSON.stringify({ message: "not found" }), { status: 404 });
      const answer =
        typeof route === "function"
          ? (route as (i?: RequestInit) => { status: number; body: unknown })(init)
          : { status: 200, body: route };
      return new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { "content-type": "application/json" },
      });
    }),
  );
  return calls;
}
