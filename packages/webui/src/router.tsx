import type { ComponentType } from "react";
import {
  createBrowserRouter,
  isRouteErrorResponse,
  Link,
  type RouteObject,
  useRouteError,
} from "react-router";
import { Layout } from "./components/Layout";
import { AgentPage } from "./features/agents/AgentPage";
import { AgentsPage } from "./features/agents/AgentsPage";
import { FrameworkPage } from "./features/frameworks/FrameworkPage";
import { FrameworksPage } from "./features/frameworks/FrameworksPage";
import { MaintenancePage } from "./features/maintenance/MaintenancePage";
import { OverviewPage } from "./features/overview/OverviewPage";
import { RolesPage } from "./features/roles/RolesPage";
import { TaskPage } from "./features/tasks/TaskPage";
import { TasksPage } from "./features/tasks/TasksPage";

function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <div className="state state-error" role="alert">
      <h1>Something went wrong</h1>
      <p>{message}</p>
      <Link to="/">Back to the overview</Link>
    </div>
  );
}

function NotFound() {
  return (
    <div className="state">
      <h1>No such page</h1>
      <Link to="/">Back to the overview</Link>
    </div>
  );
}

/** A page loaded on first visit (its own chunk: Marathon's and Chronos' pages stay out of the first load). */
async function page<M extends Record<string, unknown>>(module: Promise<M>, name: keyof M & string) {
  return { Component: (await module)[name] as ComponentType };
}

/** The route table (paths under `/ui`). */
export const routeObjects: RouteObject[] = [
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: "agents", element: <AgentsPage /> },
      { path: "agents/:agentId", element: <AgentPage /> },
      { path: "frameworks", element: <FrameworksPage /> },
      { path: "frameworks/:frameworkId", element: <FrameworkPage /> },
      { path: "tasks", element: <TasksPage /> },
      { path: "tasks/:frameworkId/:taskId", element: <TaskPage /> },
      { path: "roles", element: <RolesPage /> },
      { path: "maintenance", element: <MaintenancePage /> },
      { path: "services", lazy: () => page(import("./features/services/ServicesPage"), "ServicesPage") },
      { path: "services/new", lazy: () => page(import("./features/services/AppEditPage"), "AppEditPage") },
      {
        path: "services/:appId/edit",
        lazy: () => page(import("./features/services/AppEditPage"), "AppEditPage"),
      },
      { path: "services/:appId", lazy: () => page(import("./features/services/AppPage"), "AppPage") },
      { path: "jobs", lazy: () => page(import("./features/jobs/JobsPage"), "JobsPage") },
      { path: "jobs/new", lazy: () => page(import("./features/jobs/JobEditPage"), "JobEditPage") },
      { path: "jobs/:name/edit", lazy: () => page(import("./features/jobs/JobEditPage"), "JobEditPage") },
      { path: "jobs/:name", lazy: () => page(import("./features/jobs/JobPage"), "JobPage") },
      { path: "*", element: <NotFound /> },
    ],
  },
];

export const router = createBrowserRouter(routeObjects, { basename: "/ui" });
