import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch } from "../test-utils";
import {
  type AuthState,
  AuthStore,
  auth,
  initialAuthState,
  nextAuthState,
  SESSION_KEY,
  type Session,
} from "./auth";
import { getJson, login, sendJson } from "./client";
import { eventsUrl } from "./events";
import { LoginInfo } from "./schemas";

const session = (token = "tok-1", expiresAt = 10_000): Session => ({ principal: "ops", token, expiresAt });
const signedIn = (token = "tok-1"): AuthState => ({ kind: "signed-in", session: session(token) });

/** A Storage of one tab, in memory. */
function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    removeItem: (k: string) => void items.delete(k),
  };
}

describe("the login state", () => {
  it("asks for a login when a request without a token answers 401", () => {
    expect(nextAuthState({ kind: "anonymous" }, { type: "unauthorized", token: undefined })).toEqual({
      kind: "required",
      reason: "needed",
    });
  });

  it("says the session ended when its own token is refused, and ignores refusals of an older token", () => {
    expect(nextAuthState(signedIn("tok-1"), { type: "unauthorized", token: "tok-1" })).toEqual({
      kind: "required",
      reason: "expired",
    });
    const current = signedIn("tok-2");
    expect(nextAuthState(current, { type: "unauthorized", token: "tok-1" })).toBe(current);
  });

  it("logs in from the form, logs out to the form, and lets a reader go on anonymously", () => {
    const required: AuthState = { kind: "required", reason: "needed" };
    expect(nextAuthState(required, { type: "logged-in", session: session() })).toEqual(signedIn());
    expect(nextAuthState(signedIn(), { type: "logged-out" })).toEqual({
      kind: "required",
      reason: "logged-out",
    });
    expect(nextAuthState(required, { type: "browse-anonymously" })).toEqual({ kind: "anonymous" });
    expect(nextAuthState({ kind: "anonymous" }, { type: "login-requested" })).toEqual(required);
    // Only a session can expire; only an anonymous reader asks for the form.
    expect(nextAuthState(required, { type: "expired" })).toBe(required);
    const s = signedIn();
    expect(nextAuthState(s, { type: "login-requested" })).toBe(s);
  });

  it("keeps a stored session only while it is well formed and not over", () => {
    const stored = JSON.stringify(session("tok", 5_000));
    expect(initialAuthState(stored, 4_999)).toEqual({ kind: "signed-in", session: session("tok", 5_000) });
    expect(initialAuthState(stored, 5_000)).toEqual({ kind: "anonymous" });
    expect(initialAuthState("{not json", 0)).toEqual({ kind: "anonymous" });
    expect(initialAuthState(JSON.stringify({ principal: "ops" }), 0)).toEqual({ kind: "anonymous" });
    expect(initialAuthState(null, 0)).toEqual({ kind: "anonymous" });
  });
});

describe("the tab's login store", () => {
  afterEach(() => vi.useRealTimers());

  it("keeps the session in the tab's storage while signed in, and forgets it on logout", () => {
    const storage = memoryStorage();
    const store = new AuthStore(storage, () => 0);
    const changes: AuthState[] = [];
    store.subscribe(() => changes.push(store.getSnapshot()));
    store.dispatch({ type: "unauthorized", token: undefined });
    store.dispatch({ type: "logged-in", session: session() });
    expect(store.token()).toBe("tok-1");
    expect(JSON.parse(storage.items.get(SESSION_KEY)!)).toEqual(session());
    // A reload: a new store reads the same tab's storage.
    expect(new AuthStore(storage, () => 0).getSnapshot()).toEqual(signedIn());
    store.dispatch({ type: "logged-out" });
    expect(storage.items.has(SESSION_KEY)).toBe(false);
    expect(store.token()).toBeUndefined();
    expect(changes.map((c) => c.kind)).toEqual(["required", "signed-in", "required"]);
  });

  it("drops a stale stored session at once", () => {
    const storage = memoryStorage({ [SESSION_KEY]: JSON.stringify(session("old", 100)) });
    expect(new AuthStore(storage, () => 200).getSnapshot()).toEqual({ kind: "anonymous" });
    expect(storage.items.has(SESSION_KEY)).toBe(false);
  });

  it("asks for a login again when the session's time is up", () => {
    vi.useFakeTimers({ now: 1_000 });
    const store = new AuthStore(memoryStorage(), Date.now);
    store.dispatch({ type: "logged-in", session: session("tok", 61_000) });
    vi.advanceTimersByTime(59_999);
    expect(store.getSnapshot().kind).toBe("signed-in");
    vi.advanceTimersByTime(1);
    expect(store.getSnapshot()).toEqual({ kind: "required", reason: "expired" });
  });
});

describe("requests of a logged-in tab", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    auth.dispatch({ type: "logged-out" });
    auth.dispatch({ type: "browse-anonymously" });
  });

  it("carry the token as Bearer, on the event stream as access_token, and a 401 asks for the login again", async () => {
    let refuse = false;
    const calls = mockFetch({
      "/login": { credentials: true, authenticateReadonly: true, authenticateReadwrite: true },
      "PUT /weights": () => (refuse ? { status: 401, body: "401 Unauthorized." } : { status: 200, body: {} }),
    });
    auth.dispatch({ type: "unauthorized", token: undefined });
    auth.dispatch({ type: "logged-in", session: session("tok/+=", Date.now() + 60_000) });
    await getJson("/login", LoginInfo);
    await sendJson("PUT", "/weights", []);
    expect(calls.map((c) => new Headers(c.init?.headers).get("authorization"))).toEqual([
      "Bearer tok/+=",
      "Bearer tok/+=",
    ]);
    expect(eventsUrl(auth.token())).toBe("/master/events?access_token=tok%2F%2B%3D");
    expect(eventsUrl(undefined)).toBe("/master/events");

    refuse = true;
    await expect(sendJson("PUT", "/weights", [])).rejects.toMatchObject({ status: 401 });
    expect(auth.getSnapshot()).toEqual({ kind: "required", reason: "expired" });
  });

  it("log in with a JSON body; a wrong secret is a 401 that says so", async () => {
    const calls = mockFetch({
      "POST /login": (init?: RequestInit) => {
        const { secret } = JSON.parse(String(init?.body)) as { secret: string };
        return secret === "right"
          ? { status: 200, body: { principal: "ops", token: "t", expiresAt: 5 } }
          : { status: 401, body: "401 Unauthorized." };
      },
    });
    await expect(login("ops", "wrong")).rejects.toMatchObject({
      status: 401,
      message: "Wrong principal or secret.",
    });
    expect(await login("ops", "right")).toEqual({ principal: "ops", token: "t", expiresAt: 5 });
    expect(new Headers(calls[0]!.init?.headers).get("content-type")).toBe("application/json");
    // A wrong secret at the form is no reason to leave the state it is in.
    expect(auth.getSnapshot()).toEqual({ kind: "anonymous" });
  });
});
