/** Every page's path (under the router's `/ui` basename) and a builder for links to it. */
export const routes = {
  overview: () => "/",
  agents: () => "/agents",
  agent: (id: string) => `/agents/${encodeURIComponent(id)}`,
  frameworks: () => "/frameworks",
  framework: (id: string) => `/frameworks/${encodeURIComponent(id)}`,
  tasks: (query?: Record<string, string>) => `/tasks${query ? `?${new URLSearchParams(query)}` : ""}`,
  task: (frameworkId: string, taskId: string) =>
    `/tasks/${encodeURIComponent(frameworkId)}/${encodeURIComponent(taskId)}`,
  roles: () => "/roles",
  maintenance: () => "/maintenance",
  services: () => "/services",
  service: (appId: string) => `/services/${encodeURIComponent(appId.replace(/^\//, ""))}`,
  newService: () => "/services/new",
  jobs: () => "/jobs",
  job: (name: string) => `/jobs/${encodeURIComponent(name)}`,
  newJob: () => "/jobs/new",
};
