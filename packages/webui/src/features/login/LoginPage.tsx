import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { type AuthState, auth } from "../../api/auth";
import { getJson, isApiError, login } from "../../api/client";
import { keys } from "../../api/queries";
import { LoginInfo } from "../../api/schemas";
import { testIds } from "../../testids";

const REASONS: Record<Extract<AuthState, { kind: "required" }>["reason"], string> = {
  needed: "This cluster wants to know who you are.",
  expired: "Your session has ended: log in again to go on where you were.",
  "logged-out": "You have logged out.",
};

/** What the master's `GET /login` says of its authentication (open: it answers before any login). */
export function useLoginInfo(enabled = true) {
  return useQuery({
    queryKey: keys.login,
    queryFn: ({ signal }) => getJson("/login", LoginInfo, signal),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    enabled,
  });
}

/**
 * The login form, shown in place of the page whose API call answered 401 (its URL stays, so a login
 * returns to it). The principal and secret go to the master's `POST /login` as JSON; the session it
 * answers is kept for this tab only. The cache is emptied, since another principal may see less.
 */
export function LoginPage({ reason }: { reason: Extract<AuthState, { kind: "required" }>["reason"] }) {
  const client = useQueryClient();
  const info = useLoginInfo();
  const [principal, setPrincipal] = useState("");
  const [secret, setSecret] = useState("");
  const id = useId();
  const submit = useMutation({
    mutationFn: () => login(principal.trim(), secret),
    onSuccess: (session) => {
      client.clear();
      auth.dispatch({ type: "logged-in", session });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate();
  };
  const error = submit.error
    ? isApiError(submit.error, 401)
      ? "Wrong principal or secret."
      : submit.error.message
    : undefined;
  return (
    <div className="login">
      <form
        className="card login-card"
        onSubmit={onSubmit}
        data-testid={testIds.loginForm}
        aria-labelledby={`${id}-h`}
      >
        <h1 id={`${id}-h`}>Log in</h1>
        <p className="muted">{REASONS[reason]}</p>
        <label className="label" htmlFor={`${id}-principal`}>
          Principal
        </label>
        <input
          id={`${id}-principal`}
          name="username"
          autoComplete="username"
          required
          // biome-ignore lint/a11y/noAutofocus: the form is the whole page; the principal is what to type first
          autoFocus
          value={principal}
          onChange={(e) => setPrincipal(e.target.value)}
        />
        <label className="label" htmlFor={`${id}-secret`}>
          Secret
        </label>
        <input
          id={`${id}-secret`}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
        {error && (
          <p className="state-error login-error" role="alert" data-testid={testIds.loginError}>
            {error}
          </p>
        )}
        <div className="login-actions">
          <button
            type="submit"
            className="primary"
            disabled={submit.isPending || !principal.trim() || !secret}
          >
            {submit.isPending ? "Logging in…" : "Log in"}
          </button>
          {info.data && !info.data.authenticateReadonly && (
            <button type="button" onClick={() => auth.dispatch({ type: "browse-anonymously" })}>
              Browse without logging in
            </button>
          )}
        </div>
        <p className="muted small">
          The session lasts until it expires or this tab closes; a reload keeps it.
        </p>
      </form>
    </div>
  );
}
