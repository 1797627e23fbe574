import { AGORA_VERSION } from "@agora/protocol";
import { type HttpSecurity, upstreamTls } from "@agora/security";
import { Agent, fetch as undiciFetch } from "undici";
import { z } from "zod";
import { aclOptions, authorizerFrom } from "../acl-flags.js";
import {
  agentCredentialOptions,
  devBusIdentity,
  frameworkCredentialOptions,
  masterAuthenticationOptions,
  natsIdentityOptions,
  withoutBusIdentity,
} from "../bus-identity.js";
import { type Colors, colorsFor } from "../client/table.js";
import { type DevCluster, startDevCluster } from "../dev-cluster.js";
import {
  chronosJobOptions,
  cluster,
  host,
  masterTiming,
  masterTimingOptions,
  natsUrl,
  port,
  resourcesText,
} from "../flags.js";
import { httpSecurityFrom, httpSecurityOptions } from "../http-flags.js";
import { createLogger, LogFormat, LogLevel } from "../logger.js";
import { type FlagValues, parseOptions } from "../options.js";
import { devFlags } from "../role-flags.js";
import { stopOnSignal } from "../runtime.js";

const DevOptions = z.object({
  ...httpSecurityOptions,
  ...aclOptions,
  ...natsIdentityOptions,
  ...masterAuthenticationOptions,
  ...agentCredentialOptions,
  ...frameworkCredentialOptions,
  port: port(5050),
  host: host("127.0.0.1"),
  agents: z.coerce.number().int().min(0).max(64).default(1),
  dataDir: z.string().min(1).default(".agora"),
  nats: natsUrl.optional(),
  agentResources: resourcesText.optional(),
  cluster,
  marathonPort: z.union([z.literal("off"), port(8080)]).default(8080),
  chronosPort: z.union([z.literal("off"), port(4400)]).default(4400),
  docker: z.enum(["auto", "off"]).default("auto"),
  logLevel: LogLevel.optional(),
  logFormat: LogFormat.optional(),
  ...chronosJobOptions,
  ...masterTiming,
});

export async function runDev(values: FlagValues): Promise<void> {
  const o = parseOptions("dev", values, process.env, devFlags, DevOptions);
  const security = await httpSecurityFrom("dev", o);
  const authorizer = await authorizerFrom("dev", o);
  const busIdentity = await devBusIdentity(o);
  const logger = createLogger("agora-dev", { level: o.logLevel, format: o.logFormat });
  const {
    marathonPort,
    chronosPort,
    mesosTaskCpu,
    mesosTaskMem,
    mesosTaskDisk,
    user,
    failureRetry,
    disableAfterFailures,
    historySize,
    docker,
    logLevel: _level,
    logFormat: _format,
    httpCredentials: _credentials,
    authenticateHttpReadonly: _readonly,
    authenticateHttpReadwrite: _readwrite,
    tlsCert: _cert,
    tlsKey: _key,
    corsOrigin: _cors,
    acls: _acls,
    ...rest
  } = withoutBusIdentity(o);
  const dev = await startDevCluster({
    ...rest,
    timing: masterTimingOptions(o),
    logger,
    security,
    ...(authorizer ? { authorizer } : {}),
    busIdentity,
    docker: docker === "auto",
    ...(marathonPort === "off" ? {} : { marathonPort }),
    ...(chronosPort === "off" ? {} : { chronosPort }),
    chronos: {
      jobDefaults: { cpus: mesosTaskCpu, mem: mesosTaskMem, disk: mesosTaskDisk, user },
      failureRetryMs: failureRetry,
      disableAfterFailures,
      historySize,
    },
  });
  logger.info(
    {
      master: dev.masterUrl,
      agents: dev.agents.map((a) => a.url),
      marathon: dev.marathonUrl,
      chronos: dev.chronosUrl,
      docker: dev.docker,
    },
    "Agora dev mode is up",
  );
  process.stdout.write(
    process.stdout.isTTY
      ? banner(
          dev,
          { nats: o.nats, docker, dashboard: await dashboardState(dev.masterUrl, security) },
          colorsFor(process.stdout),
        )
      : oneLine(dev),
  );
  stopOnSignal(logger, async () => {
    process.stdout.write(
      "\nStopping Agora dev mode: Chronos, Marathon, agents (their tasks are killed), master…\n",
    );
    await dev.stop();
    process.stdout.write("Agora dev mode stopped.\n");
  });
}

/**
 * Whether the master serves the web UI (it is built separately: `npm run build`). Under `--tls-cert`
 * the probe trusts that certificate as the roles do (`upstreamTls`): Node's fetch alone refuses a
 * self-signed one, and the banner said "not built" of a dashboard that was there.
 */
async function dashboardState(masterUrl: string, security: HttpSecurity): Promise<"ok" | "not built"> {
  const tls = upstreamTls(security);
  const dispatcher = tls ? new Agent({ connect: tls }) : undefined;
  try {
    const res = await undiciFetch(`${masterUrl}/ui/`, {
      signal: AbortSignal.timeout(20_000),
      ...(dispatcher ? { dispatcher } : {}),
    });
    await res.arrayBuffer();
    return res.ok ? "ok" : "not built";
  } catch {
    return "not built";
  } finally {
    await dispatcher?.close();
  }
}

/** The one line written when stdout is not a terminal (scripts and tests read it). */
function oneLine(dev: DevCluster): string {
  const frameworks = [
    dev.marathonUrl ? `Marathon on ${dev.marathonUrl}` : undefined,
    dev.chronosUrl ? `Chronos on ${dev.chronosUrl}` : undefined,
  ].filter((f) => f !== undefined);
  return `Agora dev mode: master on ${dev.masterUrl}, ${dev.agents.length} agent(s)${frameworks.map((f) => `, ${f}`).join("")}. Ctrl-C stops.\n`;
}

/** The banner on a terminal: where everything is, and whether Docker tasks can run. */
export function banner(
  dev: Pick<DevCluster, "masterUrl" | "agents" | "marathonUrl" | "chronosUrl" | "docker" | "dataDir">,
  o: { nats: string | undefined; docker: "auto" | "off"; dashboard: "ok" | "not built" },
  c: Colors,
): string {
  const rows: [string, string][] = [
    [
      "dashboard",
      o.dashboard === "ok"
        ? c.cyan(`${dev.masterUrl}/ui/`)
        : `${dev.masterUrl}/ui/ ${c.yellow("(not built: run npm run build)")}`,
    ],
    ["master", c.cyan(dev.masterUrl)],
    ...dev.agents.map((a, i): [string, string] => [dev.agents.length > 1 ? `agent ${i}` : "agent", a.url]),
    ["marathon", dev.marathonUrl ? c.cyan(dev.marathonUrl) : c.dim("off")],
    ["chronos", dev.chronosUrl ? c.cyan(dev.chronosUrl) : c.dim("off")],
    ...(o.nats ? ([["nats", o.nats]] as [string, string][]) : []),
    [
      "docker",
      dev.docker
        ? c.green("available: the agents run Docker containers")
        : o.docker === "off"
          ? c.dim("off (--docker off)")
          : c.yellow("not available: no Docker daemon answered; shell tasks only"),
    ],
    ["data", dev.dataDir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return [
    "",
    `  ${c.bold(`Agora ${AGORA_VERSION}`)} dev mode${o.nats ? " on NATS" : ""}`,
    "",
    ...rows.map(([k, v]) => `  ${c.dim(k.padEnd(width))}${v}`),
    "",
    `  Try ${c.bold("agora status")}, ${c.bold("agora app deploy app.json")}, ${c.bold("agora task list")}. Ctrl-C stops everything.`,
    "",
    "",
  ].join("\n");
}
