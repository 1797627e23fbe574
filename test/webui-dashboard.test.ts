import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibilityProblems,
  browserAvailable,
  launchBrowser,
  newContext,
  type PageWatch,
  screenshot,
  watchPage,
} from "./harness/browser.js";
import { MesosSchedulerClient } from "./harness/mesos-scheduler.js";
import { devPorts, freePort } from "./harness/ports.js";
import { runAgora, type Spawned, spawnAgora } from "./harness/processes.js";
import { stopDev } from "./harness/spawned-dev.js";
import { waitFor } from "./harness/wait.js";

const webuiDist = path.resolve(import.meta.dirname, "../packages/webui/dist/index.html");

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against a real
 * `agora dev` with Marathon: every page loads with data, a Marathon app is created, shown wrong
 * first (Marathon's field error, in the list and on the key in the editor), then running, filtered
 * by label, scaled, and its task's stdout tailed through the master; a role's weight is edited; a
 * Chronos job runs and shows its exit code and output; a framework is torn down after a confirmation. The browser never asks any host but the master and logs no
 * error; axe-core finds no serious WCAG 2 A/AA problem (contrast included) on any page, light or dark.
 * Every page is saved as a screenshot, light and dark, under test-results/webui/.
 */
describe.skipIf(!browserAvailable())("web dashboard in chromium against agora dev", () => {
  let dir: string;
  let dev: Spawned;
  let base: string;
  let browser: Browser;
  const pages: Array<[string, string]> = [];
  const a11y: string[] = [];
  const audit = async (page: Page, name: string) => {
    for (const problem of await accessibilityProblems(page)) a11y.push(`${name}: ${problem}`);
  };

  beforeAll(async () => {
    if (!existsSync(webuiDist)) throw new Error("the web UI is not built: run `npm run build`");
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-webui-"));
    const [port, marathonPort] = await devPorts(1);
    const args = ["dev", "--port", String(port), "--data-dir", dir, "--agents", "1"];
    args.push("--marathon-port", String(marathonPort));
    // Chronos joins `agora dev` when the CLI has it; give it a free port rather than its default.
    const help = await runAgora(["dev", "--help"]);
    if (help.stdout.includes("--chronos-port")) args.push("--chronos-port", String(await freePort()));
    dev = spawnAgora(args, { AGORA_LOG_LEVEL: "warn" });
    base = `http://127.0.0.1:${port}`;
    await waitFor("the master to answer", async () => (await fetch(`${base}/health`)).ok, {
      timeoutMs: 30_000,
    });
    await waitFor("Marathon through the master", async () => {
      const res = await fetch(`${base}/service/marathon/v2/info`);
      return res.ok && ((await res.json()) as { frameworkId?: string }).frameworkId;
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stopDev(dev, dir);
  });

  async function visit(page: Page, pathname: string, ready: () => Promise<unknown>, name: string) {
    await page.goto(`${base}/ui${pathname}`);
    await ready();
    await page.waitForFunction("!document.querySelector('.state-loading')");
    await screenshot(page, name, "light");
    await audit(page, `${name} (light)`);
    pages.push([name, pathname]);
  }

  function checkClean(watch: PageWatch) {
    expect(watch.foreignRequests, "requests to another host than the master").toEqual([]);
    expect(watch.consoleErrors, "console errors").toEqual([]);
  }

  it("shows the cluster, runs a Marathon app created in the UI, tails its stdout, scales it, and edits a weight", async () => {
    const context = await newContext(browser, "light");
    const page = await context.newPage();
    const watch = watchPage(page, base);
    watch.expectFailure(/422 POST .*\/service\/marathon\/v2\/apps/);

    // `/` sends a browser to the dashboard.
    await page.goto(base);
    expect(new URL(page.url()).pathname).toBe("/ui/");

    await visit(
      page,
      "/",
      async () => {
        await page.getByTestId("agents-active").filter({ hasText: "1" }).waitFor();
        await page.getByTestId("resource-cpus").waitFor();
        await page.locator(".live-live").waitFor();
      },
      "overview",
    );

    // A bad app: Marathon's 422 shows at the field.
    await page.goto(`${base}/ui/services/new`);
    const editor = page.getByLabel("App definition (Marathon JSON)");
    await editor.fill(
      JSON.stringify({ id: "/e2e-bad", cmd: "sleep 100", cpus: 0.1, mem: 32, instances: -1 }, null, 2),
    );
    await page.getByRole("button", { name: "Create" }).click();
    const fieldError = page.getByTestId("field-error");
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain("/instances");
    // …and in the editor, as a lint diagnostic on the key it names.
    const marked = page.locator(".cm-lintRange-error");
    await marked.first().waitFor();
    expect(await marked.allTextContents()).toEqual(['"instances"']);
    await screenshot(page, "service-new-invalid", "light");
    pages.push(["service-new-invalid", "/services/new"]);

    // A good one reaches RUNNING.
    const app = {
      id: "/e2e-hello",
      cmd: "while true; do echo hello-from-e2e; sleep 1; done",
      cpus: 0.1,
      mem: 32,
      instances: 1,
      labels: { team: "e2e" },
    };
    await editor.fill(JSON.stringify(app, null, 2));
    await page.getByRole("button", { name: "Create" }).click();
    await page.waitForURL(`${base}/ui/services/e2e-hello`);
    await page
      .getByTestId("app-instances")
      .filter({ hasText: "1 of 1 running" })
      .waitFor({ timeout: 30_000 });
    await screenshot(page, "service-app", "light");
    pages.push(["service-app", "/services/e2e-hello"]);

    // Its task page tails stdout through the master's agent proxy.
    await page
      .getByRole("link", { name: /^e2e-hello\./ })
      .first()
      .click();
    await page.waitForURL(/\/ui\/tasks\//);
    const taskPath = new URL(page.url()).pathname.replace(/^\/ui/, "");
    await page.getByTestId("log-stdout").getByText("hello-from-e2e").first().waitFor({ timeout: 30_000 });
    await page.getByRole("cell", { name: "running" }).first().waitFor();
    await screenshot(page, "task", "light");
    pages.push(["task", taskPath]);

    // Scaling from the app page.
    await page.goto(`${base}/ui/services/e2e-hello`);
    await page.getByLabel("Instances").fill("2");
    await page.getByRole("button", { name: "Scale" }).click();
    await page
      .getByTestId("app-instances")
      .filter({ hasText: "2 of 2 running" })
      .waitFor({ timeout: 30_000 });

    await visit(page, "/services", () => page.getByTestId("app-row").first().waitFor(), "services");
    // Marathon's filters: by label (kept in the URL), and apps with volumes (this one has none).
    await page.locator("summary", { hasText: "Labels" }).click();
    await page.getByLabel("team:e2e").check();
    await page.waitForURL(/[?&]label=team%3Ae2e/);
    expect(await page.getByTestId("app-row").count()).toBe(1);
    await page.getByLabel(/With volumes/).check();
    await page.getByText("No app matches.").waitFor();
    await page.getByLabel(/With volumes/).uncheck();
    await visit(
      page,
      "/tasks?state=TASK_RUNNING",
      () => page.getByTestId("task-row").nth(1).waitFor(),
      "tasks",
    );
    expect(await page.getByTestId("task-row").count()).toBe(2);
    await visit(page, "/agents", () => page.getByTestId("agent-row").first().waitFor(), "agents");
    await page.getByTestId("agent-row").first().getByRole("link").first().click();
    await page.getByRole("heading", { name: "Tasks (2)" }).waitFor();
    await page.getByTestId("agent-usage-chart-cpus").waitFor();
    const agentPath = new URL(page.url()).pathname.replace(/^\/ui/, "");
    await screenshot(page, "agent", "light");
    pages.push(["agent", agentPath]);
    await visit(
      page,
      "/frameworks",
      () => page.getByRole("link", { name: "marathon" }).waitFor(),
      "frameworks",
    );
    await page.getByRole("link", { name: "marathon" }).click();
    await page.getByRole("heading", { name: "Framework marathon" }).waitFor();
    const frameworkPath = new URL(page.url()).pathname.replace(/^\/ui/, "");
    await screenshot(page, "framework", "light");
    pages.push(["framework", frameworkPath]);

    // A weight edited on the roles page, still there after a reload.
    await visit(page, "/roles", () => page.getByRole("rowheader", { name: "*" }).waitFor(), "roles");
    const weight = page.getByTestId("role-weight-*");
    await weight.fill("2.5");
    await weight.press("Enter");
    await page.getByText("saved").waitFor();
    const weights = (await (await fetch(`${base}/weights`)).json()) as Array<{
      role: string;
      weight: number;
    }>;
    expect(weights).toContainEqual({ role: "*", weight: 2.5 });
    await page.reload();
    expect(await page.getByTestId("role-weight-*").inputValue()).toBe("2.5");

    await visit(
      page,
      "/maintenance",
      () => page.getByRole("heading", { name: "Schedule" }).waitFor(),
      "maintenance",
    );

    // Reloading a deep link works (the master serves index.html for every /ui/* page).
    await page.goto(`${base}/ui${taskPath}`);
    await page.getByTestId("log-stdout").getByText("hello-from-e2e").first().waitFor({ timeout: 30_000 });

    checkClean(watch);
    await context.close();
  }, 240_000);

  it("creates Chronos jobs in the UI: one runs and shows in its history, a dependent one draws a parent → child edge", async () => {
    const context = await newContext(browser, "light");
    const page = await context.newPage();
    const watch = watchPage(page, base);
    const create = async (job: Record<string, unknown>) => {
      await page.goto(`${base}/ui/jobs/new`);
      await page.getByLabel("Job definition (Chronos JSON)").fill(JSON.stringify(job, null, 2));
      await page.getByRole("button", { name: "Create" }).click();
      await page.waitForURL(`${base}/ui/jobs/${job.name}`);
    };
    await create({
      name: "e2e-parent",
      command: "echo parent-ran",
      schedule: "R/2030-01-01T00:00:00Z/PT1H",
      scheduleTimeZone: "Europe/Paris",
      epsilon: "PT1M",
      cpus: 0.1,
      mem: 32,
    });
    await page.getByRole("button", { name: "Run now" }).click();
    await page
      .getByTestId("job-runs")
      .getByRole("cell", { name: "SUCCESS" })
      .first()
      .waitFor({ timeout: 60_000 });
    await page
      .getByText(/every hour/)
      .first()
      .waitFor();
    // The run's task: its exit code, and its stdout from the sandbox through the master.
    await page.getByTestId("exit-code").filter({ hasText: "0" }).first().waitFor({ timeout: 30_000 });
    const stdout = page.getByRole("link", { name: /^stdout of / }).first();
    await stdout.waitFor({ timeout: 30_000 });
    const output = await fetch(new URL((await stdout.getAttribute("href"))!, base));
    expect(await output.text()).toContain("parent-ran");
    await screenshot(page, "job", "light");
    pages.push(["job", "/jobs/e2e-parent"]);

    await create({
      name: "e2e-child",
      command: "echo child-ran",
      parents: ["e2e-parent"],
      epsilon: "PT1M",
      cpus: 0.1,
      mem: 32,
    });
    await visit(
      page,
      "/jobs",
      () => page.locator('[data-edge="e2e-parent->e2e-child"]').waitFor({ state: "attached" }),
      "jobs",
    );
    expect(await page.getByTestId("job-row").count()).toBe(2);
    await page.goto(`${base}/ui/jobs/new`);
    await page.locator(".cm-content").waitFor();
    await screenshot(page, "job-new", "light");
    await audit(page, "job-new (light)");
    pages.push(["job-new", "/jobs/new"]);
    checkClean(watch);
    await context.close();
  }, 180_000);

  it("tears a framework down from its page after a confirmation", async () => {
    const framework = await MesosSchedulerClient.subscribe(base, {
      type: "SUBSCRIBE",
      subscribe: { framework_info: { user: "root", name: "e2e-teardown" } },
    });
    try {
      await framework.next("SUBSCRIBED");
      const context = await newContext(browser, "light");
      const page = await context.newPage();
      const watch = watchPage(page, base);
      await visit(
        page,
        `/frameworks/${framework.frameworkId}`,
        () => page.getByRole("heading", { name: "Framework e2e-teardown" }).waitFor(),
        "framework-teardown",
      );
      await page.getByRole("button", { name: "Tear down" }).click();
      const dialog = page.getByRole("dialog", { name: "Tear down e2e-teardown?" });
      await dialog.waitFor();
      await screenshot(page, "framework-teardown-dialog", "light");
      await audit(page, "framework-teardown-dialog (light)");
      const completed = async () => {
        const state = (await (await fetch(`${base}/master/state`)).json()) as {
          completed_frameworks: Array<{ id: string }>;
        };
        return state.completed_frameworks.some((f) => f.id === framework.frameworkId);
      };
      // Cancel is the default: Escape leaves the framework alone.
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      expect(await completed()).toBe(false);
      await page.getByRole("button", { name: "Tear down" }).click();
      await dialog.getByRole("button", { name: "Tear down" }).click();
      await page.getByText("completed", { exact: true }).waitFor({ timeout: 30_000 });
      expect(await completed()).toBe(true);
      checkClean(watch);
      await context.close();
    } finally {
      framework.close();
    }
  }, 120_000);

  it("says it is offline while the master's event stream cannot be reached, and goes live again by itself", async () => {
    const context = await newContext(browser, "light");
    const page = await context.newPage();
    const watch = watchPage(page, base);
    watch.expectFailure(/\/master\/events/);
    await page.route("**/master/events", (route) => route.abort());
    await page.goto(`${base}/ui/`);
    await page.getByTestId("offline-banner").waitFor({ timeout: 30_000 });
    await page.getByTestId("agents-active").filter({ hasText: "1" }).waitFor();
    await screenshot(page, "overview-offline", "light");
    await page.unroute("**/master/events");
    await page.locator(".live-live").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("offline-banner").count()).toBe(0);
    checkClean(watch);
    await context.close();
  }, 120_000);

  it("renders every page in dark mode too", async () => {
    const context = await newContext(browser, "dark");
    const page = await context.newPage();
    const watch = watchPage(page, base);
    watch.expectFailure(/404 GET .*\/service\/chronos\//);
    for (const [name, pathname] of pages) {
      if (name === "service-new-invalid") continue;
      await page.goto(`${base}/ui${pathname}`);
      await page.locator("main h1").first().waitFor();
      await page.waitForFunction("!document.querySelector('.state-loading')");
      await screenshot(page, name, "dark");
      await audit(page, `${name} (dark)`);
    }
    expect(a11y, "serious or critical WCAG 2 A/AA problems (axe-core), light and dark").toEqual([]);
    const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
    expect(background).toBe("rgb(13, 17, 23)");
    checkClean(watch);
    await context.close();
  }, 120_000);
});
