import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { NavLink, Outlet } from "react-router";
import { type AuthState, auth, useAuth } from "../api/auth";
import { LiveStatusContext, useLiveCluster } from "../api/events";
import { LoginPage, useLoginInfo } from "../features/login/LoginPage";
import { routes } from "../routes";
import { testIds } from "../testids";
import { Loading } from "./States";

type Theme = "system" | "light" | "dark";
const THEME_KEY = "agora-theme";

function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(
    () => (localStorage.getItem(THEME_KEY) as Theme | null) ?? "system",
  );
  useEffect(() => {
    if (theme === "system") document.documentElement.removeAttribute("data-theme");
    else document.documentElement.setAttribute("data-theme", theme);
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);
  return [theme, setTheme];
}

const nav: Array<[string, string]> = [
  [routes.overview(), "Overview"],
  [routes.agents(), "Agents"],
  [routes.frameworks(), "Frameworks"],
  [routes.tasks(), "Tasks"],
  [routes.roles(), "Roles"],
  [routes.maintenance(), "Maintenance"],
  [routes.services(), "Services"],
  [routes.jobs(), "Jobs"],
];

function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  const next: Theme = theme === "system" ? "dark" : theme === "dark" ? "light" : "system";
  return (
    <button
      type="button"
      className="theme-toggle"
      data-testid={testIds.themeToggle}
      onClick={() => setTheme(next)}
      title={`Switch to the ${next} theme`}
    >
      Theme: {theme === "system" ? "auto" : theme}
    </button>
  );
}

/**
 * Who is logged in, and "Log out"; browsing anonymously a master that has principals, "Log in".
 * Logging out forgets the cached answers too: the next principal may be allowed to see less.
 */
function Account({ state }: { state: Exclude<AuthState, { kind: "required" }> }) {
  const client = useQueryClient();
  const info = useLoginInfo(state.kind === "anonymous");
  if (state.kind === "signed-in")
    return (
      <span className="account">
        <span data-testid={testIds.signedInAs}>
          <span className="muted">Logged in as</span> <strong>{state.session.principal}</strong>
        </span>
        <button
          type="button"
          data-testid={testIds.logOut}
          onClick={() => {
            auth.dispatch({ type: "logged-out" });
            client.clear();
          }}
        >
          Log out
        </button>
      </span>
    );
  if (!info.data?.credentials) return null;
  return (
    <button type="button" onClick={() => auth.dispatch({ type: "login-requested" })}>
      Log in
    </button>
  );
}

function Frame({ children, header }: { children: ReactNode; header: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Agora</span>
        {header}
        <ThemeToggle />
      </header>
      {children}
    </>
  );
}

/**
 * The frame of every page: navigation, the live-connection banner, who is logged in, the theme switch.
 * Without a session, the master's `GET /login` (open) is asked first whether reading needs a login:
 * if so the form shows at once, instead of after a burst of 401s and an event stream refused.
 */
export function Layout() {
  const state = useAuth();
  const info = useLoginInfo(state.kind === "anonymous");
  const mustLogIn = state.kind === "anonymous" && info.data?.authenticateReadonly === true;
  useEffect(() => {
    if (mustLogIn) auth.dispatch({ type: "login-requested" });
  }, [mustLogIn]);
  if (state.kind === "required" || (state.kind === "anonymous" && (info.isPending || mustLogIn)))
    return (
      <Frame header={<span className="topbar-spacer" />}>
        <main id="main" tabIndex={-1}>
          {state.kind === "required" ? <LoginPage reason={state.reason} /> : <Loading what="the dashboard" />}
        </main>
      </Frame>
    );
  return <LiveLayout state={state} />;
}

/** The dashboard itself, once nothing asks for a login: only then is the event stream opened. */
function LiveLayout({ state }: { state: Exclude<AuthState, { kind: "required" }> }) {
  const status = useLiveCluster();
  return (
    <LiveStatusContext.Provider value={status}>
      <Frame
        header={
          <>
            <nav aria-label="Main">
              <ul>
                {nav.map(([to, label]) => (
                  <li key={to}>
                    <NavLink to={to} end={to === "/"}>
                      {label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
            <span className={`live live-${status}`} title={`Live updates: ${status}`}>
              <span aria-hidden="true">●</span> {status === "live" ? "live" : status}
            </span>
            <Account state={state} />
          </>
        }
      >
        {status === "offline" && (
          <div className="offline-banner" role="alert" data-testid={testIds.offlineBanner}>
            Offline: the master does not answer. Reconnecting… (what you see may be out of date)
          </div>
        )}
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </Frame>
    </LiveStatusContext.Provider>
  );
}
