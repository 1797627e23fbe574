/** Test ids shared by component tests and the browser tests (test/webui-*.test.ts). */
export const testIds = {
  offlineBanner: "offline-banner",
  themeToggle: "theme-toggle",
  resourceCard: (name: string) => `resource-${name}`,
  agentRow: "agent-row",
  taskRow: "task-row",
  taskTable: "task-table",
  logTail: (file: string) => `log-${file}`,
  roleWeight: (role: string) => `role-weight-${role}`,
  appRow: "app-row",
  appEditor: "app-editor",
  fieldError: "field-error",
  recentEvents: "recent-events",
  usageChart: (name: string) => `usage-chart-${name}`,
} as const;
