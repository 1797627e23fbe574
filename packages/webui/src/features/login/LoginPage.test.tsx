import { QueryClient, QueryClientProvider, useMutation, useQuery } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { auth, SESSION_KEY } from "../../api/auth";
import { getJson, sendJson } from "../../api/client";
import { MasterState } from "../../api/schemas";
import { Layout } from "../../components/Layout";
import { ErrorState } from "../../components/States";
import { idleMasterState, mockFetch } from "../../test-utils";

afterEach(() => {
  // Unmounted first: a state change with the page still shown would fetch without the mock.
  cleanup();
  vi.unstubAllGlobals();
  auth.dispatch({ type: "logged-out" });
  auth.dispatch({ type: "browse-anonymously" });
  sessionStorage.clear();
});

/** A page that reads the master and writes a weight, as the dashboard's pages do. */
function Page() {
  const state = useQuery({
    queryKey: ["master", "state"],
    queryFn: () => getJson("/master/state", MasterState),
  });
  const save = useMutation({ mutationFn: () => sendJson("PUT", "/weights", [{ role: "*", weight: 2 }]) });
  return (
    <div>
      <p>{state.data ? `master ${state.data.hostname}` : "loading"}</p>
      <button type="button" onClick={() => save.mutate()}>
        Save weight
      </button>
      {save.isSuccess && <p>saved</p>}
      {save.error && <ErrorState error={save.error} />}
    </div>
  );
}

/** The session tokens the master takes (a restart with a new key empties it). */
let tokens: Record<string, string> = {};

/**
 * The master: ops/ops-secret may do anything, viewer/viewer-secret only read; reads need a login
 * unless `readonlyOpen` (Mesos' `--authenticate-http-readwrite` alone).
 */
function master({ readonlyOpen = false } = {}) {
  tokens = { "ops-token": "ops", "viewer-token": "viewer" };
  const who = (init?: RequestInit) =>
    tokens[new Headers(init?.headers).get("authorization")?.replace(/^Bearer /, "") ?? ""];
  return mockFetch({
    "GET /login": { credentials: true, authenticateReadonly: !readonlyOpen, authenticateReadwrite: true },
    "POST /login": (init?: RequestInit) => {
      const { principal, secret } = JSON.parse(String(init?.body)) as Record<string, string>;
      if (secret !== `${principal}-secret`) return { status: 401, body: "401 Unauthorized." };
      return {
        status: 200,
        body: { principal, token: `${principal}-token`, expiresAt: Date.now() + 60_000 },
      };
    },
    "/master/state": (init?: RequestInit) =>
      who(init) || readonlyOpen ? { status: 200, body: idleMasterState } : { status: 401, body: "" },
    "/master/events/recent": (init?: RequestInit) =>
      who(init) ? { status: 200, body: { lastEventId: "0", events: [] } } : { status: 401, body: "" },
    "PUT /weights": (init?: RequestInit) =>
      who(init) === "ops"
        ? { status: 200, body: {} }
        : who(init)
          ? {
              status: 403,
              body: { message: "Not authorized: principal 'viewer' may not update_weights on '*'" },
            }
          : { status: 401, body: "" },
  });
}

function renderDashboard() {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(
    [{ element: <Layout />, children: [{ path: "/roles", element: <Page /> }] }],
    {
      initialEntries: ["/roles"],
    },
  );
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

async function logIn(principal: string, secret: string) {
  fireEvent.change(await screen.findByLabelText("Principal"), { target: { value: principal } });
  fireEvent.change(screen.getByLabelText("Secret"), { target: { value: secret } });
  fireEvent.click(screen.getByRole("button", { name: "Log in" }));
}

describe("logging in to the dashboard", () => {
  it("shows the login form on a 401, says when the secret is wrong, and returns to the page after a login", async () => {
    master();
    const router = renderDashboard();
    await screen.findByTestId("login-form");
    // No "browse anonymously" where reads need a login.
    expect(screen.queryByRole("button", { name: "Browse without logging in" })).toBeNull();

    await logIn("ops", "nope");
    expect((await screen.findByTestId("login-error")).textContent).toBe("Wrong principal or secret.");
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();

    await logIn("ops", "ops-secret");
    expect(await screen.findByText("master master.test")).toBeTruthy();
    expect(router.state.location.pathname).toBe("/roles");
    expect(screen.getByTestId("signed-in-as").textContent).toBe("Logged in as ops");
    expect(JSON.parse(sessionStorage.getItem(SESSION_KEY)!)).toMatchObject({
      principal: "ops",
      token: "ops-token",
    });

    fireEvent.click(screen.getByTestId("log-out"));
    await screen.findByTestId("login-form");
    expect(screen.getByText("You have logged out.")).toBeTruthy();
    expect(sessionStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it("tells a read-only principal which write was refused, and keeps the page", async () => {
    master();
    renderDashboard();
    await logIn("viewer", "viewer-secret");
    fireEvent.click(await screen.findByRole("button", { name: "Save weight" }));
    const refusal = await screen.findByTestId("forbidden");
    expect(refusal.textContent).toContain("Not allowed: viewer may not change role weights.");
    expect(refusal.textContent).toContain("update_weights");
    expect(screen.getByText("master master.test")).toBeTruthy();
  });

  it("goes back to the login form when the session is refused later, with a word on why", async () => {
    master();
    renderDashboard();
    await logIn("ops", "ops-secret");
    await screen.findByText("master master.test");
    // The master restarted with a new key: the token no longer opens anything.
    auth.dispatch({ type: "unauthorized", token: "ops-token" });
    await screen.findByTestId("login-form");
    expect(screen.getByText(/Your session has ended/)).toBeTruthy();
  });

  it("lets anyone read where only writes need a login: a write asks for it, and the reader may go on without", async () => {
    master({ readonlyOpen: true });
    renderDashboard();
    expect(await screen.findByText("master master.test")).toBeTruthy();
    expect(screen.queryByTestId("login-form")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Save weight" }));
    await screen.findByTestId("login-form");
    fireEvent.click(await screen.findByRole("button", { name: "Browse without logging in" }));
    expect(await screen.findByText("master master.test")).toBeTruthy();
    // The header offers the login again.
    fireEvent.click(await screen.findByRole("button", { name: "Log in" }));
    await logIn("ops", "ops-secret");
    fireEvent.click(await screen.findByRole("button", { name: "Save weight" }));
    await screen.findByText("saved");
    expect(screen.getByTestId("signed-in-as").textContent).toBe("Logged in as ops");
  });

  it("goes back to the login form when the event stream is refused, on a page that polls nothing", async () => {
    const streams: FakeEventSource[] = [];
    class FakeEventSource {
      static readonly CLOSED = 2;
      readyState = 0;
      onopen: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onmessage: (() => void) | null = null;
      constructor(readonly url: string) {
        streams.push(this);
      }
      addEventListener() {}
      close() {
        this.readyState = FakeEventSource.CLOSED;
      }
    }
    vi.stubGlobal("EventSource", FakeEventSource);
    master();
    renderDashboard();
    await logIn("ops", "ops-secret");
    await screen.findByText("master master.test");
    expect(streams.map((s) => s.url)).toEqual(["/master/events?access_token=ops-token"]);
    // The master restarts with a new session key; the stream's reconnection is refused (EventSource
    // closes without saying why).
    tokens = {};
    streams[0]!.readyState = FakeEventSource.CLOSED;
    streams[0]!.onerror?.();
    await screen.findByTestId("login-form");
    expect(screen.getByText(/Your session has ended/)).toBeTruthy();
  });
});
