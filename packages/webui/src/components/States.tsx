import type { ReactNode } from "react";
import { useAuth } from "../api/auth";
import { type ApiError, isApiError } from "../api/client";
import { testIds } from "../testids";
import { refusedAction } from "./refusal";

export function Loading({ what }: { what: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  if (isApiError(error, 403)) return <Refused error={error} />;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>Could not load this.</strong> {message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/**
 * A 403: who was refused what, in words, and the server's own message (which names the ACL action).
 * Nothing to retry: the same principal would be refused again.
 */
function Refused({ error }: { error: ApiError }) {
  const auth = useAuth();
  const who = auth.kind === "signed-in" ? auth.session.principal : "Anonymous visitors";
  const action = error.request ? refusedAction(error.request.method, error.request.path) : "do this";
  return (
    <div className="state state-error" role="alert" data-testid={testIds.forbidden}>
      <p>
        <strong>Not allowed:</strong> {who} may not {action}.{" "}
        <span className="refusal-detail">{error.message}</span>
      </p>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** Renders loading and error states of a query, and `children(data)` once it has data. */
export function QueryView<T>({
  query,
  what,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.error) return <ErrorState error={query.error} retry={() => void query.refetch()} />;
  return <Loading what={what} />;
}
