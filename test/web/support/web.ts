// What the browser tests share: the web bundle (built when missing or older than its sources), a
// real server on a fresh in-memory database with a clock the test moves, real HTTP callers, a
// portfolio seeded through the public API, and Debian's headless Chromium driven by playwright-core.
// Without Chromium the browser tests skip with the reason, except under CI=true where they fail.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { parseConfig } from "../../../src/api/config.ts";
import { type RunningServer, startServer } from "../../../src/api/server.ts";
import type { Mailer, OutgoingMail } from "../../../src/notify/mailer.ts";
import { openDatabase } from "../../../src/store/database.ts";
import { dispatchOutbox, runDueTicks } from "../../../src/store/index.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, Caller, cookieHeader, PASSWORD } from "../../api/support/http.ts";
import { WEB_PLAYBOOK } from "./playbook.ts";

export { ADMIN_EMAIL, ADMIN_PASSWORD, Caller, PASSWORD };

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const WEB_SRC = join(ROOT, "src/web");
const BUNDLE_INDEX = join(ROOT, "dist/web/app/index.html");
export const ARTIFACTS = join(ROOT, "test-artifacts/web");
export const CHROMIUM = "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
const DAY = 86_400_000;

/** Skip a browser test without Chromium (never under CI=true: there it must run). */
export function skipWithoutChromium(t: TestContext): boolean {
  if (HAVE_CHROMIUM) return false;
  if (process.env.CI === "true") throw new Error(`${CHROMIUM} is missing: CI must run the browser tests (apt-get install chromium)`);
  t.skip(`${CHROMIUM} not installed (Debian package chromium): browser tests skipped`);
  return true;
}

function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    latest = Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs);
  }
  return latest;
}

/** Build dist/web when it is missing or older than src/web; one build at a time across test processes. */
export async function ensureBundle(): Promise<void> {
  const fresh = () => existsSync(BUNDLE_INDEX) && statSync(BUNDLE_INDEX).mtimeMs >= newest(WEB_SRC);
  if (fresh()) return;
  const lock = join(ROOT, "dist/.web-build-lock");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() - started > 180_000) throw new Error(`${lock} is held for 3 minutes: remove it if no build runs`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (fresh()) return;
    const vite = join(ROOT, "node_modules/.bin/vite");
    const result = spawnSync(process.execPath, [vite, "build", "--config", join(WEB_SRC, "vite.config.ts"), "--logLevel", "warn"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}

/** Mail kept in memory, so a test can follow the sign-in link a client was sent. */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
  /** The token of the last sign-in link mailed to `email`. */
  tokenFor(email: string): string {
    const mail = this.sent.findLast((m) => m.to.some((to) => to.address === email));
    const token = mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined;
    if (!token) throw new Error(`no sign-in link was mailed to ${email}`);
    return token;
  }
}

export interface WebServer {
  readonly url: string;
  readonly server: RunningServer;
  readonly admin: Caller;
  readonly mailer: RecordingMailer;
  /** Move the server's clock. */
  setNow(at: number): void;
  /** Deliver the portal sign-in links asked for (the outbox is off in tests). */
  deliverSignInLinks(): Promise<void>;
  login(email: string, password: string): Promise<Caller>;
  close(): Promise<void>;
}

/** `env`: more configuration (e.g. SURVEY_SECRET), over the tests' defaults. */
export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  await ensureBundle();
  let now = Date.now();
  const database = await openDatabase({ kind: "pglite" });
  const config = parseConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    SCHEDULER: "off",
    OUTBOX: "off",
    ONBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
    ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOGIN_RATE_LIMIT: "10000",
    ...env,
  });
  const mailer = new RecordingMailer();
  const server = await startServer(config, { database, mailer, clock: () => new Date(now).toISOString() });
  const url = await server.listen();
  const anonymous = new Caller(url);
  const login = async (email: string, password: string) => {
    const response = await anonymous.post("/auth/login", { email, password });
    if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${JSON.stringify(response.body)}`);
    return new Caller(url, { cookie: cookieHeader(response), csrfToken: response.body.csrfToken });
  };
  const admin = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
  return {
    url,
    server,
    admin,
    mailer,
    login,
    setNow(at) {
      now = at;
    },
    async deliverSignInLinks() {
      await dispatchOutbox(database, new Date(now).toISOString(), {
        handlers: server.outboxHandlers,
        kinds: ["send_sign_in_link"],
        batchSize: 1000,
      });
    },
    async close() {
      await server.close();
      await database.close();
    },
  };
}

async function ok(response: Promise<{ status: number; body: unknown }>, what: string) {
  const r = await response;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

export interface Seeded {
  readonly csm: { id: string; email: string; name: string };
  /** Project ids by client name. */
  readonly projects: Record<string, string>;
  readonly late: { client: string; projectId: string };
}

/**
 * A portfolio through the public API: the playbook, two CSMs, clients in three time zones, and
 * projects started 1 to 25 days ago (the server's clock is moved back for each start, then to now),
 * so some are late. Casey Morgan (the first CSM) holds the late "Northwind Traders".
 */
export async function seedPortfolio(web: WebServer): Promise<Seeded> {
  const { admin } = web;
  await ok(admin.request("POST", "/playbooks", { raw: WEB_PLAYBOOK, headers: { "content-type": "application/yaml" } }), "upload playbook");
  const csm = { id: "casey", email: "casey@example.com", name: "Casey Morgan" };
  for (const person of [csm, { id: "jordan", email: "jordan@example.com", name: "Jordan Lee" }]) {
    await ok(admin.post("/users", { ...person, roles: ["csm"], password: PASSWORD }), `user ${person.id}`);
    await ok(
      admin.request("PUT", `/people/${person.id}`, { body: { name: person.name, roles: ["csm"], capacity: 12 } }),
      `person ${person.id}`,
    );
  }
  const clients = [
    { name: "Northwind Traders", zone: "America/New_York", country: "US", daysAgo: 25, segment: "enterprise", csm: "casey" },
    { name: "Globex Corporation", zone: "Europe/Berlin", country: "DE", daysAgo: 12, segment: "mid_market", csm: "jordan" },
    { name: "Initech", zone: "Europe/London", country: "GB", daysAgo: 2, segment: "smb", csm: "casey" },
    { name: "Umbrella Health", zone: "Asia/Tokyo", country: "JP", daysAgo: 8, segment: "enterprise", csm: "jordan" },
    { name: "Stark Logistics", zone: "America/Los_Angeles", country: "US", daysAgo: 1, segment: "smb", csm: "casey" },
  ];
  const projects: Record<string, string> = {};
  const real = Date.now();
  for (const [i, c] of clients.entries()) {
    const clientId = `client-${i + 1}`;
    await ok(admin.post("/clients", { id: clientId, name: c.name, timeZone: c.zone, country: c.country }), `client ${c.name}`);
    web.setNow(real - c.daysAgo * DAY);
    const created = await ok(
      admin.post("/projects", {
        id: `onb-${i + 1}`,
        clientId,
        playbook: { id: "web_onboarding", version: "1.0" },
        facts: { segment: c.segment },
      }),
      `project ${c.name}`,
    );
    const project = created.project as { id: string; version: number };
    const current = (await admin.get(`/projects/${project.id}`)).body as { assignments: Record<string, string>; version: number };
    if (current.assignments.csm !== c.csm) {
      await ok(
        admin.post(
          `/projects/${project.id}/commands`,
          { type: "assign", role: "csm", person: c.csm },
          { "if-match": `"${current.version}"` },
        ),
        "assign",
      );
    }
    projects[c.name] = project.id;
  }
  web.setNow(real);
  // The scheduler is off in tests: one round of due ticks marks the late steps overdue (and the playbook's rule turns health red).
  await runDueTicks(web.server.database, new Date(real).toISOString());
  return { csm, projects, late: { client: "Northwind Traders", projectId: projects["Northwind Traders"] ?? "" } };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Sign in through the sign-in form, as a person would. */
/**
 * A page in a fresh browser context (its own cookies) with the viewer's locale and zone; page
 * errors go to `errors` when given (tests assert none after each test).
 */
export async function openPage(
  browser: Browser | undefined,
  options: { viewport: { width: number; height: number }; locale: string; timezoneId: string; errors?: string[] },
): Promise<Page> {
  assert.ok(browser, "the browser was launched");
  const context = await browser.newContext({ viewport: options.viewport, locale: options.locale, timezoneId: options.timezoneId });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors = options.errors;
  if (errors) page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
  return page;
}

export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/app/`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator(".shell main h1").first().waitFor();
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugging protocol: the page's CSP (script-src 'self') rightly refuses inline scripts.
  await page.evaluate(AXE);
  const violations = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)')) as {
    id: string;
    impact: string;
    help: string;
    nodes: { target: string[] }[];
  }[];
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** The page's globals, for functions that run in the page (the tests are type-checked without the DOM library). */
export type PageGlobals = { document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> } };

/** Wait until nothing on the page says it is loading. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('[aria-busy="true"]').length === 0);
}

type OverflowBox = { left: number; right: number; width: number };
type OverflowEl = {
  tagName: string;
  id: string;
  className: unknown;
  parentElement: OverflowEl | null;
  getBoundingClientRect(): OverflowBox;
  children: ArrayLike<OverflowEl>;
};
type OverflowWindow = {
  innerWidth: number;
  document: {
    documentElement: OverflowEl & { scrollWidth: number; clientWidth: number };
    body: OverflowEl;
    querySelectorAll(s: string): ArrayLike<OverflowEl>;
  };
  getComputedStyle(e: OverflowEl): { overflowX: string; position: string; display: string; visibility: string; clip: string };
};

/** Sideways overflow of the page: how far the document scrolls, and the elements that reach past the viewport. */
export async function sidewaysOverflow(page: Page): Promise<{ extra: number; wide: string[] }> {
  return page.evaluate(() => {
    const w = globalThis as unknown as OverflowWindow;
    const root = w.document.documentElement;
    const extra = root.scrollWidth - root.clientWidth;
    const width = root.clientWidth;
    // Held by a box that clips or scrolls sideways: one in its chain of containing blocks (an
    // absolutely placed element escapes the scrolling boxes between it and its positioned ancestor).
    const clipped = (el: OverflowEl): boolean => {
      let position = w.getComputedStyle(el).position;
      for (let p = el.parentElement; p && p !== w.document.body; p = p.parentElement) {
        if (position === "fixed") return false;
        const style = w.getComputedStyle(p);
        const contains = position !== "absolute" || style.position !== "static";
        if (!contains) continue;
        const overflow = style.overflowX;
        if (overflow === "auto" || overflow === "scroll" || overflow === "hidden" || overflow === "clip") return true;
        position = style.position;
      }
      return false;
    };
    const name = (el: OverflowEl) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}`;
    const wide: string[] = [];
    for (const el of Array.from(w.document.querySelectorAll("body *"))) {
      const style = w.getComputedStyle(el);
      // Not drawn (hidden, or clipped to nothing for screen readers): only the document's scroll width counts for it.
      if (style.display === "none" || style.visibility === "hidden" || style.clip === "rect(0px, 0px, 0px, 0px)") continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0) continue;
      // Only the right edge: what lies left of the page (a skip link waiting for focus) scrolls nothing.
      if (box.right > width + 1 && !clipped(el)) {
        const parent = el.parentElement;
        const parentBox = parent?.getBoundingClientRect();
        // Name the outermost offender only, not each of its children.
        if (parent && parentBox && parentBox.right > width + 1 && !clipped(parent)) continue;
        wide.push(`${name(el)} (${Math.round(box.left)}..${Math.round(box.right)} px)`);
      }
    }
    return { extra, wide: wide.slice(0, 8) };
  });
}

/** The page does not scroll sideways; on failure, names the elements that reach past the window. */
export async function assertNoOverflow(page: Page, what: string): Promise<void> {
  // A resize lays out again on the next frames (and on loaded cores, later): give it a moment to fit.
  await page
    .waitForFunction(
      () => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document
          .documentElement;
        return root.scrollWidth <= root.clientWidth;
      },
      undefined,
      { timeout: 3000 },
    )
    .catch(() => undefined);
  const { extra, wide } = await sidewaysOverflow(page);
  const width = page.viewportSize()?.width;
  assert.ok(
    extra <= 0,
    `${what}: the page scrolls ${extra} px sideways in a ${width} px window (${wide.join(", ") || "no element named"})`,
  );
}

/** An API call of a test's setup that must succeed: its body, or a failure naming what and why. */
export async function must(response: Promise<{ status: number; body: unknown }>, what: string): Promise<Record<string, unknown>> {
  const r = await response;
  assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

/** Sign a client contact in to the portal the way they do: ask for a link, open it from the mail. */
export async function portalSignIn(page: Page, web: WebServer, email: string): Promise<void> {
  await page.goto(`${web.url}/portal/sign-in`);
  await page.getByLabel("Work email").fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByText("a sign-in link is on its way").waitFor();
  await web.deliverSignInLinks();
  await page.goto(`${web.url}/portal/sign-in#token=${web.mailer.tokenFor(email)}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator(".portal-header").waitFor();
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
