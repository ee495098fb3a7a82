// The client portal in a real browser: the vendor's branding; a client contact asks for a magic
// link, confirms it (the GET shows a page, only pressing "Sign in" spends the token), sees their
// plan and what they owe and nothing internal, approves the success plan with a comment; the CSM
// then sees it signed in the team's app; and client A cannot reach client B's plan by editing the
// URL. The client sends the team a file and sees it listed. axe-core on the portal pages;
// screenshots under test-artifacts/web/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { WEB_PLAYBOOK } from "./support/playbook.ts";
import {
  artifact,
  axeViolations,
  type Caller,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  PASSWORD,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const CONTACT_A = "dana@northwind.example";
const CONTACT_B = "lee@globex.example";

let web: WebServer;
let browser: Browser | undefined;
let projectA = "";
let projectB = "";

async function must(response: Promise<{ status: number; body: unknown }>, what: string) {
  const r = await response;
  assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, never>;
}

/** Run a team command on the project's current version. */
async function command(caller: Caller, id: string, body: object) {
  const current = await caller.get(`/projects/${id}`);
  await must(caller.post(`/projects/${id}/commands`, body, { "if-match": current.headers.get("etag") ?? "" }), JSON.stringify(body));
}

before(async () => {
  web = await startWebServer();
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: WEB_PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(
    admin.post("/users", { id: "casey", email: "casey@example.com", name: "Casey Morgan", roles: ["csm"], password: PASSWORD }),
    "user",
  );
  await must(admin.request("PUT", "/people/casey", { body: { name: "Casey Morgan", roles: ["csm"] } }), "person");
  await must(
    admin.request("PUT", "/settings/branding", {
      body: { vendorName: "Brightwave Software", primaryColor: "#0f766e", logoUrl: null, supportEmail: "success@brightwave.example" },
    }),
    "branding",
  );
  for (const [client, name, email, contact] of [
    ["northwind", "Northwind Traders", CONTACT_A, "Dana Whitfield"],
    ["globex", "Globex Corporation", CONTACT_B, "Lee Park"],
  ] as const) {
    await must(admin.post("/clients", { id: client, name, timeZone: "America/New_York", country: "US" }), "client");
    await must(admin.post(`/clients/${client}/contacts`, { name: contact, email, roles: ["client_primary"] }), "contact");
    const created = await must(
      admin.post("/projects", {
        id: `onb-${client}`,
        clientId: client,
        playbook: { id: "web_onboarding", version: "1.0" },
        facts: { segment: "enterprise" },
      }),
      "project",
    );
    const id = (created.project as unknown as { id: string }).id;
    // The team's part before the sign-off: the introduction email and the kickoff call.
    await command(admin, id, { type: "complete_step", step: "intro_email" });
    await command(admin, id, { type: "tick_checklist", step: "kickoff_call", item: "1", checked: true });
    await command(admin, id, { type: "tick_checklist", step: "kickoff_call", item: "2", checked: true });
    await command(admin, id, { type: "complete_step", step: "kickoff_call" });
    if (client === "northwind") projectA = id;
    else projectB = id;
  }
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function newPage(viewport = { width: 1280, height: 860 }): Promise<Page> {
  return openPage(browser, { viewport, locale: "en-US", timezoneId: "America/New_York" });
}

/** The client's sign-in: ask for a link on the page, then open the mailed link and confirm. */
async function portalSignIn(page: Page, email: string, problems: string[] = []): Promise<void> {
  await page.goto(`${web.url}/portal/sign-in`);
  await page.getByLabel("Work email").fill(email);
  for (const v of await axeViolations(page)) problems.push(`portal sign-in: ${v}`);
  await page.screenshot({ path: artifact("portal-sign-in.png") });
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await page.getByText("a sign-in link is on its way").waitFor();
  await web.deliverSignInLinks();
  const token = web.mailer.tokenFor(email);
  await page.goto(`${web.url}/portal/sign-in#token=${token}`);
  await page.getByRole("heading", { name: "Sign in to your onboarding" }).waitFor();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator(".portal-header").waitFor();
}

describe("the client portal", () => {
  test("a client signs in by magic link, sees their plan and nothing internal, and approves the success plan; the CSM sees it", async (t) => {
    if (skipWithoutChromium(t)) return;
    const problems: string[] = [];
    const page = await newPage();
    await portalSignIn(page, CONTACT_A, problems);
    await page.getByRole("heading", { level: 1, name: "Your onboarding" }).waitFor();
    assert.equal(new URL(page.url()).hash, "", "the spent token is not left in the address bar");
    const header = (await page.locator(".portal-header").textContent()) ?? "";
    assert.match(header, /Brightwave Software/);
    const background = await page
      .locator(".portal-header")
      .evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor,
      );
    assert.equal(background, "rgb(15, 118, 110)", "the vendor's colour");
    const owed = page.getByRole("region", { name: "What we need from you" });
    assert.match((await owed.textContent()) ?? "", /Agree the success plan/);
    const text = (await page.locator("main").textContent()) ?? "";
    assert.doesNotMatch(text, /Send the introduction email|Hold the kickoff call|Casey/, "internal steps and people stay internal");
    for (const v of await axeViolations(page)) problems.push(`portal plan: ${v}`);
    await page.screenshot({ path: artifact("portal-plan.png"), fullPage: true });

    const step = page.locator("#step-success_plan");
    await step.getByLabel("Comment").fill("Looks good: go ahead with the March timeline.");
    await step.getByRole("button", { name: "Approve", exact: true }).click();
    await page.getByText("is approved").waitFor();
    await step.locator(".badge", { hasText: "Approved" }).waitFor();
    await page.screenshot({ path: artifact("portal-approved.png"), fullPage: true });

    // Files: the accepted types and size are shown; a type the server refuses is caught before
    // sending; a small CSV goes up and is listed with a link that downloads it.
    const files = page.getByRole("region", { name: "Files" });
    assert.match((await files.textContent()) ?? "", /No files shared yet[\s\S]*CSV[\s\S]*up to 10 MB/);
    const chooser = files.getByLabel("Send the team a file");
    await chooser.setInputFiles({ name: "setup.exe", mimeType: "application/x-msdownload", buffer: Buffer.from("MZ") });
    await files.getByRole("alert").getByText("setup.exe is not a type we accept").waitFor();
    const csv = "email,name\ndana@northwind.example,Dana Whitfield\n";
    await chooser.setInputFiles({ name: "users.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await files.getByRole("button", { name: "Upload" }).click();
    const link = files.getByRole("link", { name: "users.csv" });
    await link.waitFor();
    await files.getByText("Sent: users.csv.").waitFor();
    const href = (await link.getAttribute("href")) ?? "";
    assert.match(href, new RegExp(`^/portal/api/projects/${projectA}/attachments/[^/]+$`));
    const download = await page.request.get(`${web.url}${href}`);
    assert.equal(download.status(), 200);
    assert.equal(await download.text(), csv);
    for (const v of await axeViolations(page)) problems.push(`portal files: ${v}`);
    await files.screenshot({ path: artifact("portal-files.png") });

    const phone = await newPage({ width: 390, height: 844 });
    await portalSignIn(phone, CONTACT_A);
    await phone.getByRole("heading", { level: 1, name: "Your onboarding" }).waitFor();
    for (const v of await axeViolations(phone)) problems.push(`portal plan (phone): ${v}`);
    await phone.screenshot({ path: artifact("portal-plan-phone.png"), fullPage: true });
    await phone.context().close();

    // The CSM sees the signature in the team's app.
    const team = await newPage();
    await signIn(team, web.url, "casey@example.com", PASSWORD);
    await team.goto(`${web.url}/app/projects/${projectA}?step=success_plan`);
    const box = team.locator("#s-success_plan");
    await box.getByText(/Primary contact:/).waitFor();
    assert.match((await box.textContent()) ?? "", /Approved/);
    await team.getByRole("tab", { name: "Activity" }).click();
    await team.getByText(/approved by the Primary contact/i).waitFor();
    await team.context().close();
    await page.context().close();
    assert.deepEqual(problems, []);
  });

  test("client A cannot reach client B's plan by editing the URL", async (t) => {
    if (skipWithoutChromium(t)) return;
    const page = await newPage();
    await portalSignIn(page, CONTACT_A);
    await page.getByRole("heading", { level: 1, name: "Your onboarding" }).waitFor();
    await page.goto(`${web.url}/portal/projects/${projectB}`);
    await page.getByRole("alert").waitFor();
    const text = (await page.locator("main").textContent()) ?? "";
    assert.match(text, /Not found/);
    assert.doesNotMatch(text, /Globex|Agree the success plan/);
    await page.screenshot({ path: artifact("portal-other-client.png") });
    await page.context().close();
  });
});
