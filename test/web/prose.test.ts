// Markdown in step text in a real browser: the team's project page and the client portal show a
// step description's links as links (opening a new tab), its list as a list and its emphasis as
// emphasis; a script tag, raw HTML and a javascript: link in the same text are shown as text or
// dropped, never run or linked.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { WEB_PLAYBOOK } from "./support/playbook.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  artifact,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const CONTACT = "dana@northwind.example";
const LINKS = ["https://example.com/guide", "https://cal.example.com/csm", "mailto:team@example.com"];

/** The success plan (shown to the client) with a description in Markdown, hostile parts included. */
const PLAYBOOK = WEB_PLAYBOOK.replace("id: web_onboarding", "id: web_prose").replace(
  "        gate: { approvers: [client_primary], sign_off: The success plan }\n",
  `        gate: { approvers: [client_primary], sign_off: The success plan }
        description: |
          Read the [onboarding guide](https://example.com/guide) and **confirm** the *scope*.

          - Book the call at <https://cal.example.com/csm>
          - Mail [the team](mailto:team@example.com) the \`SSO\` details

          <script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2"> [do not click](javascript:window.pwned=3)
        checklist:
          - Read the [plan template](https://example.com/plan)
`,
);

let web: WebServer;
let browser: Browser | undefined;
let project = "";

async function must(response: Promise<{ status: number; body: unknown }>, what: string) {
  const r = await response;
  assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, never>;
}

before(async () => {
  assert.notEqual(PLAYBOOK, WEB_PLAYBOOK, "the description was added");
  web = await startWebServer();
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(admin.post("/clients", { id: "northwind", name: "Northwind Traders", timeZone: "America/New_York", country: "US" }), "client");
  await must(admin.post("/clients/northwind/contacts", { name: "Dana Whitfield", email: CONTACT, roles: ["client_primary"] }), "contact");
  const created = await must(
    admin.post("/projects", {
      id: "onb-prose",
      clientId: "northwind",
      playbook: { id: "web_prose", version: "1.0" },
      facts: { segment: "smb" },
    }),
    "project",
  );
  project = (created.project as unknown as { id: string }).id;
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

interface Found {
  links: { href: string; text: string; target: string; rel: string }[];
  text: string;
  lists: number;
  strong: string[];
  em: string[];
  code: string[];
  pwned: unknown;
}

/** What the step's box holds, read in the page. */
async function inspect(page: Page, box: Locator): Promise<Found> {
  const found = (await box.evaluate((el) => {
    const root = el as unknown as {
      textContent: string | null;
      querySelectorAll(s: string): ArrayLike<{ textContent: string | null; getAttribute(n: string): string | null }>;
    };
    const all = (s: string) => Array.from(root.querySelectorAll(s));
    return {
      links: all("a").map((a) => ({
        href: a.getAttribute("href") ?? "",
        text: a.textContent ?? "",
        target: a.getAttribute("target") ?? "",
        rel: a.getAttribute("rel") ?? "",
      })),
      text: root.textContent ?? "",
      lists: all("ul > li").length,
      strong: all("strong").map((e) => e.textContent ?? ""),
      em: all("em").map((e) => e.textContent ?? ""),
      code: all("code").map((e) => e.textContent ?? ""),
    };
  }, undefined)) as Omit<Found, "pwned">;
  return { ...found, pwned: await page.evaluate("window.pwned") };
}

function assertProse(found: Found, where: string): void {
  for (const href of LINKS)
    assert.ok(
      found.links.some((l) => l.href === href),
      `${where}: no link to ${href} in ${JSON.stringify(found.links)}`,
    );
  const guide = found.links.find((l) => l.href === LINKS[0]);
  assert.equal(guide?.text, "onboarding guide");
  assert.equal(guide?.target, "_blank");
  assert.match(guide?.rel ?? "", /noopener/);
  assert.ok(!found.links.some((l) => /javascript:/i.test(l.href)), `${where}: a javascript: link`);
  assert.ok(found.strong.includes("confirm") && found.em.includes("scope") && found.code.includes("SSO"), `${where}: emphasis and code`);
  assert.ok(found.lists >= 2, `${where}: the list`);
  assert.match(found.text, /<script>window\.pwned = 1<\/script> <img src=x onerror="window\.pwned = 2"> do not click/);
  assert.equal(found.pwned, undefined, `${where}: nothing ran`);
}

describe("Markdown in step text, in the app and the portal", () => {
  test("the team's project page shows the description's links, list and emphasis; the checklist item's link too", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, { viewport: { width: 1280, height: 860 }, locale: "en-US", timezoneId: "America/New_York" });
    await signIn(page, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${web.url}/app/projects/${project}?step=success_plan`);
    const box = page.locator("#s-success_plan");
    await box.getByRole("link", { name: "onboarding guide" }).waitFor();
    const found = await inspect(page, box);
    assertProse(found, "app");
    assert.ok(
      found.links.some((l) => l.href === "https://example.com/plan" && l.text === "plan template"),
      "the checklist item's link",
    );
    await box.screenshot({ path: artifact("prose-app-step.png") });
    await page.context().close();
  });

  test("the client portal shows the same, and nothing in it runs", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await openPage(browser, { viewport: { width: 1280, height: 860 }, locale: "en-US", timezoneId: "America/New_York" });
    await page.goto(`${web.url}/portal/sign-in`);
    await page.getByLabel("Work email").fill(CONTACT);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.getByText("a sign-in link is on its way").waitFor();
    await web.deliverSignInLinks();
    await page.goto(`${web.url}/portal/sign-in#token=${web.mailer.tokenFor(CONTACT)}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".portal-header").waitFor();
    const box = page.locator("#step-success_plan");
    await box.getByRole("link", { name: "onboarding guide" }).waitFor();
    assertProse(await inspect(page, box), "portal");
    await box.screenshot({ path: artifact("prose-portal-step.png") });
    await page.context().close();
  });
});
