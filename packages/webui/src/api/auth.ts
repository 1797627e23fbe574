import { useSyncExternalStore } from "react";
import { z } from "zod";

/** What the master's `POST /login` answers: the bearer token of a login session and when it ends. */
export const Session = z.object({
  principal: z.string().min(1),
  token: z.string().min(1),
  /** Milliseconds since the epoch. */
  expiresAt: z.number(),
});
export type Session = z.output<typeof Session>;

/**
 * Where the dashboard stands with the master's authentication:
 * - `anonymous`: no login, and nothing has asked for one (a master without `--authenticate-http-*`);
 * - `required`: an API call answered 401 (or the session ended): the login form replaces the page,
 *   whose URL stays, so a login returns to it;
 * - `signed-in`: every request carries the session's token.
 */
export type AuthState =
  | { readonly kind: "anonymous" }
  | { readonly kind: "required"; readonly reason: "needed" | "expired" | "logged-out" }
  | { readonly kind: "signed-in"; readonly session: Session };

export type AuthEvent =
  /** An API call answered 401; `token` is the one it sent (undefined when it sent none). */
  | { readonly type: "unauthorized"; readonly token: string | undefined }
  | { readonly type: "logged-in"; readonly session: Session }
  | { readonly type: "logged-out" }
  /** The session's `expiresAt` has passed. */
  | { readonly type: "expired" }
  /** The user would rather browse without logging in (a master that lets anonymous principals read). */
  | { readonly type: "browse-anonymously" }
  /** The user asks for the login form (browsing anonymously, before a write needs it). */
  | { readonly type: "login-requested" };

/** The next state after `event`. Pure: persistence and timers live in `AuthStore`. */
export function nextAuthState(state: AuthState, event: AuthEvent): AuthState {
  switch (event.type) {
    case "unauthorized":
      if (state.kind === "anonymous") return { kind: "required", reason: "needed" };
      // A 401 answering a request sent with an older token (before a new login) says nothing of this session.
      if (state.kind === "signed-in" && event.token === state.session.token)
        return { kind: "required", reason: "expired" };
      return state;
    case "logged-in":
      return { kind: "signed-in", session: event.session };
    case "logged-out":
      return { kind: "required", reason: "logged-out" };
    case "expired":
      return state.kind === "signed-in" ? { kind: "required", reason: "expired" } : state;
    case "browse-anonymously":
      return state.kind === "required" ? { kind: "anonymous" } : state;
    case "login-requested":
      return state.kind === "anonymous" ? { kind: "required", reason: "needed" } : state;
  }
}

/** The session a tab kept, if it is well formed and not over; otherwise nobody is logged in. */
export function initialAuthState(stored: string | null, nowMs: number): AuthState {
  if (stored === null) return { kind: "anonymous" };
  let parsed: ReturnType<typeof Session.safeParse>;
  try {
    parsed = Session.safeParse(JSON.parse(stored));
  } catch {
    return { kind: "anonymous" };
  }
  if (!parsed.success || parsed.data.expiresAt <= nowMs) return { kind: "anonymous" };
  return { kind: "signed-in", session: parsed.data };
}

/** The sessionStorage key of the login: the credential lives as long as the tab, as the issue asks. */
export const SESSION_KEY = "agora-session";

/** setTimeout's longest delay (about 24.8 days); a later expiry is checked again after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type SessionStorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/**
 * The tab's login: the state of `nextAuthState`, kept in sessionStorage while signed in (so a reload
 * keeps it and closing the tab forgets it), with a timer that asks for a login again when the session
 * ends. Components read it with `useAuth`; the fetch wrapper reads `token()` and reports 401s.
 */
export class AuthStore {
  private state: AuthState;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly storage: SessionStorageLike,
    private readonly now: () => number = Date.now,
  ) {
    this.state = initialAuthState(storage.getItem(SESSION_KEY), now());
    if (this.state.kind === "anonymous") storage.removeItem(SESSION_KEY);
    this.armExpiry();
  }

  readonly getSnapshot = (): AuthState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The bearer token every request carries, while signed in. */
  token(): string | undefined {
    return this.state.kind === "signed-in" ? this.state.session.token : undefined;
  }

  dispatch(event: AuthEvent): void {
    const next = nextAuthState(this.state, event);
    if (next === this.state) return;
    this.state = next;
    if (next.kind === "signed-in") this.storage.setItem(SESSION_KEY, JSON.stringify(next.session));
    else this.storage.removeItem(SESSION_KEY);
    this.armExpiry();
    for (const listener of this.listeners) listener();
  }

  private armExpiry(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state.kind !== "signed-in") return;
    const left = this.state.session.expiresAt - this.now();
    if (left <= 0) {
      this.dispatch({ type: "expired" });
      return;
    }
    this.timer = setTimeout(() => this.armExpiry(), Math.min(left, MAX_TIMER_MS));
  }
}

/**
 * The tab's one login, as the browser scopes sessionStorage: one per tab. Everything that sends a
 * request reads it here rather than through React context, because query functions and the event
 * stream run outside components.
 */
export const auth = new AuthStore(
  typeof sessionStorage === "undefined"
    ? { getItem: () => null, setItem: () => undefined, removeItem: () => undefined }
    : sessionStorage,
);

/** The login state, re-rendering on every change. */
export function useAuth(): AuthState {
  return useSyncExternalStore(auth.subscribe, auth.getSnapshot);
}
