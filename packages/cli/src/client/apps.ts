import { readFile } from "node:fs/promises";
import { firstIssue } from "@agora/protocol";
import { z } from "zod";
import { CliError } from "../errors.js";
import { duration } from "../flags.js";
import type { FlagSpec } from "../options.js";
import {
  AppAnswer,
  appPath,
  DeploymentAnswer,
  type DeploymentOutcome,
  type FollowOptions,
  followDeployment,
  MarathonApp,
} from "./deployment.js";
import { age, cut, megabytes, num, paintState, renderFields, renderTable } from "./table.js";
import { type VerbContext, type VerbGroup, verb } from "./verbs.js";

const AppsAnswer = z.looseObject({ apps: z.array(MarathonApp) });

/** Flags of the verbs that start a deployment. */
const deployFlags: FlagSpec = {
  detach: { type: "boolean", description: "return once Marathon accepted the change, without following it" },
  timeout: {
    type: "string",
    description: "give up following after this long, exit 3 (default 10mins; the deployment goes on)",
  },
  force: { type: "boolean", description: "override a deployment that holds the app (Marathon's force=true)" },
  "poll-interval": { type: "string", description: "how often the deployment is polled (default 500ms)" },
};
const deployOptions = {
  detach: z.boolean().default(false),
  timeout: duration.default(600_000),
  force: z.boolean().default(false),
  pollInterval: duration.default(500),
};
type DeployOptions = { detach: boolean; timeout: number; force: boolean; pollInterval: number };

const normalizeId = (id: string) => `/${id.replace(/^\/+/, "")}`;
const force = (o: { force: boolean }) => (o.force ? "?force=true" : "");

/** Follows (or with `--detach` only reports) the deployment a write started, and prints the outcome. */
async function finish(
  ctx: VerbContext,
  o: DeployOptions,
  what: Omit<FollowOptions, "timeoutMs" | "pollMs">,
): Promise<void> {
  if (o.detach) {
    const outcome: DeploymentOutcome = { ...what, result: "detached" };
    ctx.print(
      outcome,
      () => `${what.appId}: deployment ${what.deploymentId} started (version ${what.version})\n`,
    );
    return;
  }
  const outcome = await followDeployment(ctx, { ...what, timeoutMs: o.timeout, pollMs: o.pollInterval });
  const c = ctx.colors;
  const done = { deploy: "deployed", scale: "scaled", restart: "restarted", remove: "removed" }[what.kind];
  ctx.print(
    outcome,
    () =>
      `${c.green("✔")} ${what.appId} ${done}${
        outcome.instances === undefined ? "" : `: ${outcome.tasksRunning}/${outcome.instances} running`
      } (deployment ${what.deploymentId}, ${outcome.seconds}s)\n`,
  );
}

function image(app: MarathonApp): string {
  return app.container?.docker?.image
    ? `docker:${app.container.docker.image}`
    : (app.cmd ?? app.args?.join(" ") ?? "");
}

const appList = verb({
  summary: "List Marathon's apps: instances running/healthy of wanted, resources, deployments.",
  flags: {},
  options: {},
  async run(ctx) {
    const { apps } = await ctx.http.get("marathon", "/v2/apps", AppsAnswer);
    const c = ctx.colors;
    ctx.print(apps, () =>
      apps.length === 0
        ? "no apps ('agora app deploy FILE' deploys one)\n"
        : renderTable(
            [
              { header: "ID", value: (a) => a.id },
              {
                header: "RUNNING",
                value: (a) => {
                  const text = `${a.tasksRunning}/${a.instances}`;
                  return a.tasksRunning === a.instances ? c.green(text) : c.yellow(text);
                },
                right: true,
              },
              {
                header: "HEALTHY",
                value: (a) => (a.healthChecks.length > 0 ? `${a.tasksHealthy}/${a.instances}` : "-"),
                right: true,
              },
              { header: "CPUS", value: (a) => num(a.cpus), right: true },
              { header: "MEM", value: (a) => megabytes(a.mem), right: true },
              { header: "DEPLOYING", value: (a) => (a.deployments.length > 0 ? c.yellow("yes") : "no") },
              { header: "COMMAND", value: (a) => cut(image(a), 50) },
            ],
            apps,
            c,
          ),
    );
  },
});

const appShow = verb({
  summary: "Show one Marathon app with its tasks and last failure.",
  usage: "ID",
  flags: {},
  options: {},
  async run(ctx, [id]) {
    const { app } = await ctx.http.get(
      "marathon",
      `${appPath(id!)}?embed=app.tasks&embed=app.lastTaskFailure`,
      AppAnswer,
    );
    const c = ctx.colors;
    ctx.print(app, () => {
      const head = renderFields(
        [
          ["id", app.id],
          ["command", image(app) || undefined],
          [
            "instances",
            `${app.tasksRunning}/${app.instances} running${app.healthChecks.length ? `, ${app.tasksHealthy} healthy` : ""}`,
          ],
          [
            "resources",
            `cpus:${num(app.cpus)} mem:${megabytes(app.mem)}${app.disk ? ` disk:${megabytes(app.disk)}` : ""}`,
          ],
          ["version", app.version],
          ["deployments", app.deployments.length ? app.deployments.map((d) => d.id).join(", ") : "none"],
          [
            "last failure",
            app.lastTaskFailure
              ? c.red(
                  `${app.lastTaskFailure.state ?? ""} ${app.lastTaskFailure.message ?? ""} ${app.lastTaskFailure.timestamp ?? ""}`.trim(),
                )
              : undefined,
          ],
        ],
        c,
      );
      const tasks = app.tasks ?? [];
      if (tasks.length === 0) return `${head}\nno tasks\n`;
      return `${head}\n${renderTable(
        [
          { header: "TASK", value: (t) => t.id },
          { header: "HOST", value: (t) => `${t.host ?? ""}${t.ports.length ? `:${t.ports.join(",")}` : ""}` },
          { header: "STATE", value: (t) => paintState(t.state ?? "", c) },
          {
            header: "HEALTH",
            value: (t) =>
              t.healthCheckResults.length === 0
                ? "-"
                : t.healthCheckResults.every((h) => h.alive)
                  ? c.green("healthy")
                  : c.red("unhealthy"),
          },
          {
            header: "STARTED",
            value: (t) =>
              t.startedAt
                ? age(Date.parse(t.startedAt))
                : t.stagedAt
                  ? `staged ${age(Date.parse(t.stagedAt))}`
                  : "",
          },
        ],
        tasks,
        c,
      )}`;
    });
  },
});

/** An app definition from a file (or `-`: stdin): a JSON object with an `id`. */
const AppFile = z.looseObject({ id: z.string({ error: 'an app needs an "id"' }).min(1) });

export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = file === "-" ? await readStdin() : await readFile(file, "utf8");
  } catch (cause) {
    throw new CliError("USAGE", `agora: cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CliError("USAGE", `agora: ${file} is not JSON: ${(cause as Error).message}`, { cause });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const appDeploy = verb({
  summary: "Create or update a Marathon app from a JSON file ('-': stdin) and follow its deployment.",
  usage: "FILE",
  flags: deployFlags,
  options: deployOptions,
  async run(ctx, [file], o) {
    const definition = await readJsonFile(file!);
    const parsed = AppFile.safeParse(definition);
    if (!parsed.success)
      throw new CliError(
        "USAGE",
        `agora: ${file}: ${firstIssue(parsed.error).message} (a Marathon app definition)`,
      );
    const appId = normalizeId(parsed.data.id);
    const existing = await ctx.http.request("marathon", appPath(appId), { accept: [404] });
    let deploymentId: string;
    let version: string;
    if (existing.status === 404) {
      const created = await ctx.http.request("marathon", `/v2/apps${force(o)}`, {
        method: "POST",
        json: definition,
        schema: MarathonApp,
      });
      deploymentId = created.body.deployments[0]?.id ?? "";
      version = created.body.version;
    } else {
      ({ deploymentId, version } = (
        await ctx.http.request("marathon", `${appPath(appId)}${force(o)}`, {
          method: "PUT",
          json: definition,
          schema: DeploymentAnswer,
        })
      ).body);
    }
    await finish(ctx, o, { appId, deploymentId, version, kind: "deploy" });
  },
});

const appScale = verb({
  summary: "Scale a Marathon app to N instances and follow the deployment.",
  usage: "ID N",
  flags: deployFlags,
  options: deployOptions,
  async run(ctx, [id, n], o) {
    const instances = z.coerce.number().int().min(0).safeParse(n);
    if (!instances.success)
      throw new CliError("USAGE", `agora app scale: N must be a whole number ≥ 0, not '${n}'`);
    const appId = normalizeId(id!);
    const { body } = await ctx.http.request("marathon", `${appPath(appId)}${force(o)}`, {
      method: "PUT",
      json: { instances: instances.data },
      schema: DeploymentAnswer,
    });
    await finish(ctx, o, { appId, ...body, kind: "scale" });
  },
});

const appRestart = verb({
  summary: "Restart a Marathon app's tasks (rolling, within its upgradeStrategy) and follow it.",
  usage: "ID",
  flags: deployFlags,
  options: deployOptions,
  async run(ctx, [id], o) {
    const appId = normalizeId(id!);
    const { body } = await ctx.http.request("marathon", `${appPath(appId)}/restart${force(o)}`, {
      method: "POST",
      schema: DeploymentAnswer,
    });
    await finish(ctx, o, { appId, ...body, kind: "restart" });
  },
});

const appRemove = verb({
  summary: "Remove a Marathon app (its tasks are killed) and follow until it is gone.",
  usage: "ID",
  flags: deployFlags,
  options: deployOptions,
  async run(ctx, [id], o) {
    const appId = normalizeId(id!);
    const { body } = await ctx.http.request("marathon", `${appPath(appId)}${force(o)}`, {
      method: "DELETE",
      schema: DeploymentAnswer,
    });
    await finish(ctx, o, { appId, ...body, kind: "remove" });
  },
});

export const appVerbs: VerbGroup = {
  summary: "Marathon apps (long-running services), through the master or --marathon URL.",
  verbs: {
    list: appList,
    show: appShow,
    deploy: appDeploy,
    scale: appScale,
    restart: appRestart,
    remove: appRemove,
  },
};
