import type { AppDefinition } from "../model/app-definition.js";
import type { Instance } from "../model/instance.js";
import { segmentsOf } from "../model/path-id.js";
import { servicePorts } from "./views.js";

/**
 * `GET /v2/tasks` as `text/plain` (Marathon's endpoints format, read by haproxy scripts): per app and
 * service port one line, tab-separated: the app id with `_` for `/`, the service port, then
 * `host:port` for every task. An app without ports lists its tasks' hosts.
 */
export function endpointsText(apps: readonly AppDefinition[], instances: readonly Instance[]): string {
  const byApp = new Map<string, Instance[]>();
  for (const i of instances) {
    const tasks = byApp.get(i.appId);
    if (tasks) tasks.push(i);
    else byApp.set(i.appId, [i]);
  }
  let out = "";
  for (const app of apps) {
    const tasks = byApp.get(app.id) ?? [];
    const name = segmentsOf(app.id).join("_");
    const ports = servicePorts(app);
    if (ports.length === 0) {
      out += `${name}\t \t${tasks.map((t) => `${t.host}\t`).join("")}\n`;
      continue;
    }
    ports.forEach((port, i) => {
      const endpoints = tasks.flatMap((t) => (t.ports[i] === undefined ? [] : [`${t.host}:${t.ports[i]}\t`]));
      out += `${name}\t${port}\t${endpoints.join("")}\n`;
    });
  }
  return out;
}
