import type { AppDefinition } from "./app-definition.js";

/**
 * Marathon's service ports: a port definition (or container port mapping) with port 0 gets a port
 * of its own from 10000–20000, unique across all apps, so load balancers (marathon-lb, the
 * `text/plain` task list) can tell apps apart. With `requirePorts` false the number is only a
 * label; tasks get host ports from the offers.
 */
export const SERVICE_PORT_RANGE = { from: 10000, to: 20000 } as const;

/**
 * An update that says port 0 where the app had a service port keeps it (as Marathon), so sending an
 * app's JSON back unchanged is no change.
 */
export function inheritServicePorts(previous: AppDefinition | undefined, next: AppDefinition): AppDefinition {
  if (previous === undefined) return next;
  const portDefinitions = next.portDefinitions.map((d, i) => {
    const had = previous.portDefinitions[i]?.port;
    return d.port === 0 && had !== undefined && had !== 0 ? { ...d, port: had } : d;
  });
  const mappings = mappingsOf(next);
  const before = mappingsOf(previous);
  if (mappings === undefined || before === undefined) return { ...next, portDefinitions };
  const inherited = mappings.map((m, i) => {
    const had = before[i]?.servicePort;
    return m.servicePort === 0 && had !== undefined && had !== 0 ? { ...m, servicePort: had } : m;
  });
  return { ...withMappings(next, inherited), portDefinitions };
}

/**
 * Gives every port-0 definition and mapping of `apps` a free service port, none of those in `used`
 * (the other apps' ports); returns the apps with their ports and marks the new ones used.
 */
export function assignServicePorts(apps: readonly AppDefinition[], used: Set<number>): AppDefinition[] {
  const next = (): number => {
    for (let p = SERVICE_PORT_RANGE.from; p < SERVICE_PORT_RANGE.to; p++)
      if (!used.has(p)) {
        used.add(p);
        return p;
      }
    throw new Error("no service port left in 10000-20000");
  };
  return apps.map((app) => {
    const zero =
      app.portDefinitions.some((d) => d.port === 0) || mappingsOf(app)?.some((m) => m.servicePort === 0);
    if (app.requirePorts || !zero) return app;
    const portDefinitions = app.portDefinitions.map((d) => (d.port === 0 ? { ...d, port: next() } : d));
    const mappings = mappingsOf(app);
    const withPorts = { ...app, portDefinitions };
    if (mappings === undefined) return withPorts;
    return withMappings(
      withPorts,
      mappings.map((m) => (m.servicePort === 0 ? { ...m, servicePort: next() } : m)),
    );
  });
}

/**
 * Marathon's rule that no two apps ask for the same non-zero service port: for each app of
 * `changed`, its ports that another app of `all` holds, as Marathon words the refusal.
 */
export function servicePortConflicts(
  changed: readonly AppDefinition[],
  all: readonly AppDefinition[],
): string[] {
  const problems: string[] = [];
  for (const app of changed) {
    const requested = servicePortsInUse([app]);
    for (const other of all) {
      if (other.id === app.id) continue;
      for (const port of servicePortsInUse([other]))
        if (requested.has(port))
          problems.push(`Requested service port ${port} conflicts with a service port in app ${other.id}`);
    }
  }
  return problems;
}

/** Every service port `apps` hold already. */
export function servicePortsInUse(apps: Iterable<AppDefinition>): Set<number> {
  const used = new Set<number>();
  for (const app of apps) {
    for (const d of app.portDefinitions) if (d.port !== 0) used.add(d.port);
    for (const m of mappingsOf(app) ?? []) if (m.servicePort !== 0) used.add(m.servicePort);
  }
  return used;
}

type Mappings = NonNullable<NonNullable<AppDefinition["container"]>["portMappings"]>;

function mappingsOf(app: AppDefinition): Mappings | undefined {
  return app.container?.portMappings ?? app.container?.docker?.portMappings;
}

function withMappings(app: AppDefinition, mappings: Mappings): AppDefinition {
  const container = app.container!;
  if (container.portMappings !== undefined)
    return { ...app, container: { ...container, portMappings: mappings } };
  return { ...app, container: { ...container, docker: { ...container.docker!, portMappings: mappings } } };
}
