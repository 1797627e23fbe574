import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's chromium: the only browser the tests drive (never a downloaded one). */
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Whether the browser tests run: they skip when chromium is absent, unless AGORA_REQUIRE_BROWSER=1
 * (CI), where a missing browser fails the run with the fix.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.AGORA_REQUIRE_BROWSER === "1")
    throw new Error(`${CHROMIUM} is missing: run \`sudo scripts/setup-host.sh --browser\``);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Where the e2e run leaves a screenshot of every page, light and dark (gitignored). */
export const SCREENSHOTS = path.resolve(import.meta.dirname, "../../test-results/webui");

/** What a page did that a test must check: console errors and requests to any other origin than `origin`. */
export interface PageWatch {
  readonly consoleErrors: string[];
  readonly foreignRequests: string[];
  /** Failed loads the test expects (a 422 from a bad app), matched by URL and status. */
  expectFailure(match: RegExp): void;
}

/**
 * Records console errors, uncaught page errors and every request whose origin is not the
 * master's. Chromium logs each failed load (4xx/5xx) as a console error; those the test provoked on
 * purpose are declared with `expectFailure` and left out.
 */
export function watchPage(page: Page, origin: string): PageWatch {
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const expected: RegExp[] = [];
  const failedUrls: string[] = [];
  page.on("response", (res) => {
    if (res.status() >= 400) failedUrls.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const text = msg.text();
    if (text.startsWith("Failed to load resource")) {
      const url = msg.location().url;
      if (expected.some((m) => m.test(url) || failedUrls.some((f) => f.includes(url) && m.test(f)))) return;
    }
    consoleErrors.push(`${text} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => consoleErrors.push(`uncaught: ${err.message}`));
  page.on("request", (req) => {
    const url = req.url();
    if (url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank") return;
    if (new URL(url).origin !== origin) foreignRequests.push(url);
  });
  return { consoleErrors, foreignRequests, expectFailure: (m) => expected.push(m) };
}

/** Saves `<name>-<theme>.png` under SCREENSHOTS, the whole page. */
export async function screenshot(page: Page, name: string, theme: "light" | "dark"): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}-${theme}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function newContext(browser: Browser, theme: "light" | "dark"): Promise<BrowserContext> {
  return browser.newContext({
    colorScheme: theme,
    viewport: { width: 1280, height: 860 },
    reducedMotion: "reduce",
  });
}

const axeSource = path.resolve(import.meta.dirname, "../../node_modules/axe-core/axe.min.js");

/**
 * WCAG 2 A and AA problems axe-core finds on the page as it is now (serious and critical ones), as
 * "rule: help — targets" lines; empty when there are none.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'")))
    await page.addScriptTag({ path: axeSource });
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })))`,
  )) as Array<{ id: string; impact: string | null; help: string; targets: string[] }>;
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} — ${v.targets.join(", ")}`);
}
