import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
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
import { devPorts } from "./harness/ports.js";
import { type Spawned, spawnAgora } from "./harness/processes.js";
import { stopDev } from "./harness/spawned-dev.js";
import { waitFor } from "./harness/wait.js";

const webuiDist = path.resolve(import.meta.dirname, "../packages/webui/dist/index.html");

const CREDENTIALS = {
  credentials: [
    { principal: "ops", secret: "ops-secret" },
    { principal: "viewer", secret: "viewer-secret" },
  ],
};
/** Permissive, but `viewer` reads only: every write the dashboard offers is refused to it. */
const NONE = { type: "NONE" };
const viewer = { principals: { values: ["viewer"] } };
const ACLS = {
  permissive: true,
  update_weights: [{ ...viewer, roles: NONE }],
  update_quotas: [{ ...viewer, roles: NONE }],
  teardown_frameworks: [{ ...viewer, framework_principals: NONE }],
  update_apps: [{ ...viewer, apps: NONE }],
  update_jobs: [{ ...viewer, jobs: NONE }],
};
const basic = (principal: string, secret: string) =>
  `Basic ${Buffer.from(`${principal}:${secret}`).toString("base64")}`;
const OPS = basic("ops", "ops-secret");

/**
 * The dashboard's login in a real browser (Debian's chromium) against a real `agora dev` (master,
 * agent, Marathon, Chronos) started with `--http-credentials`, `--authenticate-http-readonly`,
 * `--authenticate-http-readwrite` and `--acls` (a read-only principal): an unauthenticated visit shows
 * the login form, a wrong secret says so, the right one shows the cluster, updated live through the
 * event stream (its token as `access_token`), with a sandbox file downloaded through the bearer
 * header; a reload keeps the session within the tab, another tab has none, logging out returns to the
 * form; a session the master refuses goes back to the form and, after a login, to the same page; a
 * read-only principal's write is refused with a message naming it. Screenshots, light and dark, under
 * test-results/webui/; axe-core finds no serious WCAG 2 A/AA problem on them.
 */
describe.skipIf(!browserAvailable())("the web dashboard's login in chromium against agora dev", () => {
  let dir: string;
  let dev: Spawned;
  let base: string;
  let marathon: string;
  let browser: Browser;
  const a11y: string[] = [];
  const audit = async (page: Page, name: string) => {
    for (const problem of await accessibilityProblems(page)) a11y.push(`${name}: ${problem}`);
  };

  beforeAll(async () => {
    if (!existsSync(webuiDist)) throw new Error("the web UI is not built: run `npm run build`");
    dir = mkdtempSync(path.join(os.tmpdir(), "agora-webui-login-"));
    const credentials = path.join(dir, "credentials.json");
    writeFileSync(credentials, JSON.stringify(CREDENTIALS));
    const acls = path.join(dir, "acls.json");
    writeFileSync(acls, JSON.stringify(ACLS));
    const [port, marathonPort, chronosPort] = await devPorts(2);
    dev = spawnAgora(
      [
        "dev",
        ...[
          "--port",
          String(port),
          "--marathon-port",
          String(marathonPort),
          "--chronos-port",
          String(chronosPort),
        ],
        ...["--data-dir", path.join(dir, "data"), "--agents", "1", "--docker", "off"],
        ...[
          "--http-credentials",
          credentials,
          "--authenticate-http-readonly",
          "--authenticate-http-readwrite",
        ],
        ...["--acls", acls],
      ],
      { AGORA_LOG_LEVEL: "warn" },
    );
    base = `http://127.0.0.1:${port}`;
    marathon = `http://127.0.0.1:${marathonPort}`;
    await waitFor("the master and its agent", async () => {
      const res = await fetch(`${base}/master/state`, { headers: { authorization: OPS } });
      return res.ok && ((await res.json()) as { slaves: unknown[] }).slaves.length === 1;
    });
    await waitFor("Marathon through the master", async () => {
      const res = await fetch(`${base}/service/marathon/v2/info`, { headers: { authorization: OPS } });
      return res.ok && ((await res.json()) as { frameworkId?: string }).frameworkId;
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stopDev(dev, dir);
  });

  function checkClean(watch: PageWatch) {
    expect(watch.foreignRequests, "requests to another host than the master").toEqual([]);
    expect(watch.consoleErrors, "console errors").toEqual([]);
  }

  async function logIn(page: Page, principal: string, secret: string) {
    const form = page.getByTestId("login-form");
    await form.getByLabel("Principal").fill(principal);
    await form.getByLabel("Secret").fill(secret);
    await form.getByRole("button", { name: "Log in" }).click();
  }

  const storedSession = (page: Page) =>
    page.evaluate<string | null>(`sessionStorage.getItem("agora-session")`);

  /** A watched page in a fresh context (no session, no cookies) with the theme asked for. */
  async function open(
    theme: "light" | "dark",
  ): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
    const context = await newContext(browser, theme);
    const page = await context.newPage();
    return { context, page, watch: watchPage(page, base) };
  }

  it("asks who you are, says a wrong secret is wrong, then shows the cluster live, downloads with the token, and keeps the session in the tab only", async () => {
    const { context, page, watch } = await open("light");
    watch.expectFailure(/401 POST .*\/login$/);
    const streams: string[] = [];
    page.on("response", (res) => {
      if (new URL(res.url()).pathname === "/master/events") streams.push(`${res.status()} ${res.url()}`);
    });

    await page.goto(`${base}/ui/`);
    await page.getByTestId("login-form").waitFor();
    expect(await page.getByRole("button", { name: "Browse without logging in" }).count()).toBe(0);
    await screenshot(page, "login", "light");
    await audit(page, "login (light)");

    await logIn(page, "ops", "not-the-secret");
    const error = page.getByTestId("login-error");
    await error.waitFor();
    expect(await error.textContent()).toBe("Wrong principal or secret.");
    expect(await storedSession(page)).toBeNull();
    await screenshot(page, "login-error", "light");
    await audit(page, "login-error (light)");

    await logIn(page, "ops", "ops-secret");
    await page.getByTestId("agents-active").filter({ hasText: "1" }).waitFor();
    await page.getByTestId("resource-cpus").waitFor();
    await page.locator(".live-live").waitFor();
    expect(await page.getByTestId("signed-in-as").textContent()).toBe("Logged in as ops");
    expect(new URL(page.url()).pathname).toBe("/ui/");
    // The event stream carries the token in its URL (EventSource sends no header), and is let in.
    expect(streams.length).toBeGreaterThan(0);
    expect(
      streams.every((s) => /^200 .*[?&]access_token=/.test(s)),
      streams.join("\n"),
    ).toBe(true);
    await page.waitForFunction("!document.querySelector('.state-loading')");
    await screenshot(page, "overview-logged-in", "light");
    await audit(page, "overview-logged-in (light)");

    // Live: a task launched now shows on the tasks page without a reload (the state is read once,
    // then patched by the stream's task events).
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tasks" }).click();
    await page.waitForFunction("!document.querySelector('.state-loading')");
    const created = await fetch(`${marathon}/v2/apps`, {
      method: "POST",
      headers: { authorization: OPS, "content-type": "application/json" },
      body: JSON.stringify({
        id: "/e2e-login",
        cmd: "while true; do echo hello-after-login; sleep 1; done",
        cpus: 0.1,
        mem: 32,
        instances: 1,
      }),
    });
    expect(created.status, await created.text()).toBe(201);
    const taskLink = page.getByRole("link", { name: /^e2e-login\./ }).first();
    await taskLink.waitFor({ timeout: 30_000 });

    // The task's stdout: tailed through the master's agent proxy, and downloaded with the header.
    await taskLink.click();
    const stdout = page.getByTestId("log-stdout");
    await stdout.getByText("hello-after-login").first().waitFor({ timeout: 30_000 });
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      stdout.getByRole("link", { name: "Download" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("stdout");
    expect(readFileSync((await download.path())!, "utf8")).toContain("hello-after-login");
    await screenshot(page, "task-logged-in", "light");

    // Marathon's and Chronos' pages, through the master's proxies, take the same token.
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Services" }).click();
    await page.getByTestId("app-row").filter({ hasText: "e2e-login" }).waitFor();
    await nav.getByRole("link", { name: "Jobs" }).click();
    await page.getByText("No jobs yet.").waitFor();
    await page.goBack();
    await page.goBack();

    // A reload keeps the session: the same page, no form.
    const taskUrl = page.url();
    await page.reload();
    await stdout.getByText("hello-after-login").first().waitFor({ timeout: 30_000 });
    expect(page.url()).toBe(taskUrl);
    expect(await page.getByTestId("login-form").count()).toBe(0);
    expect(JSON.parse((await storedSession(page))!)).toMatchObject({ principal: "ops" });

    // Another tab has a session storage of its own: it asks again.
    const other = await context.newPage();
    const otherWatch = watchPage(other, base);
    await other.goto(`${base}/ui/`);
    await other.getByTestId("login-form").waitFor();
    checkClean(otherWatch);
    await other.close();

    // Logging out returns to the form and forgets the session, across a reload too.
    await page.getByTestId("log-out").click();
    await page.getByTestId("login-form").waitFor();
    await page.getByText("You have logged out.").waitFor();
    expect(await storedSession(page)).toBeNull();
    await page.reload();
    await page.getByTestId("login-form").waitFor();
    checkClean(watch);
    await context.close();
  }, 180_000);

  it("goes back to the login form when the master refuses the session, then returns to the same page", async () => {
    const { context, page, watch } = await open("light");
    // The refused token's requests, the event stream's among them.
    watch.expectFailure(/^401 GET /);
    await page.goto(`${base}/ui/roles`);
    await logIn(page, "ops", "ops-secret");
    await page.getByRole("rowheader", { name: "*" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/ui/roles");

    // As after a master restart with a new session key: the kept token no longer opens anything.
    await page.evaluate(`{
      const s = JSON.parse(sessionStorage.getItem("agora-session"));
      sessionStorage.setItem("agora-session", JSON.stringify({ ...s, token: s.token + "x" }));
    }`);
    await page.reload();
    await page.getByTestId("login-form").waitFor();
    await page.getByText(/Your session has ended/).waitFor();
    await screenshot(page, "login-expired", "light");
    await logIn(page, "ops", "ops-secret");
    await page.getByRole("rowheader", { name: "*" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/ui/roles");
    // Only the chromium log lines of the refused token's requests were let through.
    expect(watch.consoleErrors, "console errors").toEqual([]);
    await context.close();
  }, 120_000);

  for (const theme of ["light", "dark"] as const)
    it(`tells a read-only principal which write was refused (${theme})`, async () => {
      const { context, page, watch } = await open(theme);
      watch.expectFailure(/403 PUT .*\/weights$/);
      watch.expectFailure(/403 PUT .*\/service\/marathon\/v2\/apps\//);
      await page.goto(`${base}/ui/roles`);
      if (theme === "dark") {
        await page.getByTestId("login-form").waitFor();
        await screenshot(page, "login", "dark");
        await audit(page, "login (dark)");
      }
      await logIn(page, "viewer", "viewer-secret");
      const weight = page.getByTestId("role-weight-*");
      await weight.waitFor();
      expect(await page.getByTestId("signed-in-as").textContent()).toBe("Logged in as viewer");
      await weight.fill("3");
      await weight.press("Enter");
      const refusal = page.getByTestId("forbidden");
      await refusal.waitFor();
      expect(await refusal.textContent()).toContain("Not allowed: viewer may not change role weights.");
      expect(await refusal.textContent()).toContain("update_weights");
      await screenshot(page, "roles-forbidden", theme);
      await audit(page, `roles-forbidden (${theme})`);
      const weights = (await (
        await fetch(`${base}/weights`, { headers: { authorization: OPS } })
      ).json()) as Array<{
        role: string;
        weight: number;
      }>;
      expect(weights.find((w) => w.role === "*")?.weight ?? 1).not.toBe(3);
      // Marathon refuses it too, through the master's proxy.
      if (theme === "light") {
        await page.goto(`${base}/ui/services/e2e-login`);
        await page.getByLabel("Instances").fill("2");
        await page.getByRole("button", { name: "Scale" }).click();
        await refusal.waitFor();
        expect(await refusal.textContent()).toContain("Not allowed: viewer may not change apps.");
        await screenshot(page, "service-app-forbidden", theme);
      }
      if (theme === "dark") {
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
        await page.getByTestId("agents-active").filter({ hasText: "1" }).waitFor();
        await page.waitForFunction("!document.querySelector('.state-loading')");
        await screenshot(page, "overview-logged-in", "dark");
        await audit(page, "overview-logged-in (dark)");
        const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
        expect(background).toBe("rgb(13, 17, 23)");
      }
      checkClean(watch);
      await context.close();
    }, 120_000);

  it("finds no serious accessibility problem on the pages it saw", () => {
    expect(a11y, "serious or critical WCAG 2 A/AA problems (axe-core), light and dark").toEqual([]);
  });
});
