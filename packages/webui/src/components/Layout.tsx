import { useEffect, useState } from "react";
import { NavLink, Outlet } from "react-router";
import { LiveStatusContext, useLiveCluster } from "../api/events";
import { routes } from "../routes";
import { testIds } from "../testids";

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

/** The frame of every page: navigation, the live-connection banner, the theme switch. */
export function Layout() {
  const status = useLiveCluster();
  const [theme, setTheme] = useTheme();
  const next: Theme = theme === "system" ? "dark" : theme === "dark" ? "light" : "system";
  return (
    <LiveStatusContext.Provider value={status}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Agora</span>
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
        <button
          type="button"
          className="theme-toggle"
          data-testid={testIds.themeToggle}
          onClick={() => setTheme(next)}
          title={`Switch to the ${next} theme`}
        >
          Theme: {theme === "system" ? "auto" : theme}
        </button>
      </header>
      {status === "offline" && (
        <div className="offline-banner" role="alert" data-testid={testIds.offlineBanner}>
          Offline: the master does not answer. Reconnecting… (what you see may be out of date)
        </div>
      )}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </LiveStatusContext.Provider>
  );
}
