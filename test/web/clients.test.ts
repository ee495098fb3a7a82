// Issue 14, item 1 in a real browser: a CSM (not an admin) creates a client with its playbook's
// facts, adds two contacts with client roles, invites one to the portal (a sign-in link is mailed),
// edits the client, starts an onboarding of a built-in playbook after seeing every planned date and
// go-live, assigns and reassigns the team with each candidate's load, and sees the ownership
// transfer in the audit trail. Every new page: axe with no serious or critical violation, no
// horizontal overflow at 1440 and 390 px wide, screenshots under test-artifacts/web/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  artifact,
  assertNoOverflow,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  PASSWORD,
  settled,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

let web: WebServer;
let browser: Browser | undefined;

async function must(response: Promise<{ status: number; body: unknown }>, what: string) {
  const r = await response;
  assert.ok(r.status < 300, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

before(async () => {
  web = await startWebServer();
  // The team: accounts made in Admin are the people the project's roles are assigned to.
  for (const [id, name, roles] of [
    ["casey", "Casey Morgan", ["csm"]],
    ["ira", "Ira Patel", ["implementation"]],
    ["jo", "Jo Lindqvist", ["implementation"]],
  ] as const) {
    await must(web.admin.post("/users", { id, email: `${id}@example.com`, name, roles, password: PASSWORD }), `user ${id}`);
  }
  await must(web.admin.request("PUT", "/people/ira", { body: { name: "Ira Patel", roles: ["implementation_specialist"] } }), "ira's roles");
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

/** axe, overflow and a screenshot of the page as it is, at 1440 and at 390 px wide. */
async function check(page: Page, name: string, problems: string[]) {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await settled(page);
    await page.screenshot({ path: artifact(`clients-${name}-${width}.png`), fullPage: true });
    await assertNoOverflow(page, `${name} at ${width}`);
    problems.push(...(await axeViolations(page)).map((v) => `${name} at ${width}: ${v}`));
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe("a CSM onboards a client from start to finish in the browser", () => {
  test("client, contacts, portal invitation, edit, planned dates, start, team and its audit entry", async (t) => {
    if (skipWithoutChromium(t)) return;
    const errors: string[] = [];
    const problems: string[] = [];
    const page = await openPage(browser, { viewport: { width: 1440, height: 900 }, locale: "en-US", timezoneId: "Europe/Berlin", errors });
    await signIn(page, web.url, "casey@example.com", PASSWORD);

    // Clients, from the navigation.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Clients" }).click();
    await page.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
    await page.getByText("No clients yet").waitFor();
    await check(page, "list-empty", problems);

    // New client, with the facts the chosen playbook declares (a generated form with its validation).
    await page.getByRole("button", { name: "New client" }).click();
    const dialog = page.getByRole("dialog", { name: "New client" });
    await dialog.getByLabel("Name").fill("Northwind Traders");
    await dialog.getByLabel("Domain").fill("not a domain");
    await dialog.getByLabel("Time zone").selectOption("Europe/Berlin");
    await dialog.getByLabel("Country for holidays").fill("de");
    await dialog.getByLabel("Segment").fill("Mid-market");
    await dialog.getByLabel("Playbook").selectOption({ label: "Client Onboarding SOP" });
    await dialog.getByLabel("Account type").selectOption("smb");
    await dialog.getByLabel("Data migration applicable").selectOption("yes");
    await dialog.getByRole("button", { name: "Create client" }).click();
    // The server refuses the domain: the message stands next to the field, in words.
    await dialog.getByText("must be a domain name such as acme.example").waitFor();
    await dialog.getByText("Some fields need attention: see the messages next to them.").waitFor();
    await check(page, "new-client-invalid", problems);
    await dialog.getByLabel("Domain").fill("northwind.example");
    await dialog.getByRole("button", { name: "Create client" }).click();
    await page.getByRole("heading", { name: "Northwind Traders", level: 1 }).waitFor();
    const details = page.getByRole("region", { name: "Details" });
    await details.getByText("northwind.example").waitFor();
    await details.getByText("Account type").waitFor();
    assert.equal(await details.locator("dd", { hasText: /^smb$/ }).count(), 1);

    // Two contacts with client roles.
    for (const [name, email, role] of [
      ["Dana Whitfield", "dana@northwind.example", "Client Primary Contact (Project Manager)"],
      ["Sam Ortiz", "sam@northwind.example", "Client Technical Contact (Technical Lead)"],
    ] as const) {
      await page.getByRole("button", { name: "Add contact" }).click();
      const add = page.getByRole("dialog", { name: "Add contact" });
      await add.getByLabel("Name").fill(name);
      await add.getByLabel("Email").fill(email);
      await add.getByLabel(role).check();
      await add.getByRole("button", { name: "Add contact" }).click();
      await page.getByText(`${name} added.`).waitFor();
    }
    const contacts = page.getByRole("region", { name: "Contacts" });
    await contacts.getByText("Dana Whitfield").waitFor();
    await contacts.getByText("Client Technical Contact (Technical Lead)").waitFor();

    // Invite one to the portal: the sign-in link goes out through the outbox.
    await page.getByRole("button", { name: "Invite to portal: Dana Whitfield" }).click();
    await page.getByText("Sign-in link sent to dana@northwind.example.").waitFor();
    await web.deliverSignInLinks();
    const link = web.mailer.sent.find((m) => m.to.some((a) => a.address === "dana@northwind.example"));
    assert.ok(link, "Dana was mailed a sign-in link");
    assert.match(link.text, /\/portal\/sign-in#token=/);

    // Deactivate and restore the other.
    await page.getByRole("button", { name: "Deactivate Sam Ortiz" }).click();
    await page.getByText("Sam Ortiz can no longer sign in to the portal.").waitFor();
    await contacts.getByText("Access revoked").waitFor();
    await page.getByRole("button", { name: "Restore access for Sam Ortiz" }).click();
    await page.getByText("Sam Ortiz may sign in to the portal again.").waitFor();
    await check(page, "client", problems);

    // Edit the client.
    await page.getByRole("button", { name: "Edit details" }).click();
    await details.getByLabel("Name").fill("Northwind Traders GmbH");
    await details.getByLabel("Account type").selectOption("enterprise");
    await details.getByRole("button", { name: "Save client" }).click();
    await page.getByText("Client saved.").waitFor();
    await page.getByRole("heading", { name: "Northwind Traders GmbH", level: 1 }).waitFor();
    assert.equal(await details.locator("dd", { hasText: /^enterprise$/ }).count(), 1);

    // Start onboarding: the planned dates of every step and of go-live first.
    await page.getByRole("link", { name: "Start onboarding" }).click();
    await page.getByRole("heading", { name: "Start onboarding", level: 1 }).waitFor();
    await page.getByLabel("Playbook", { exact: true }).selectOption({ label: "Client Onboarding SOP (version 1.0.0)" });
    assert.equal(await page.getByLabel("Account type").inputValue(), "enterprise", "the client's facts are filled in");
    await page.getByRole("button", { name: "Show planned dates" }).click();
    await page.getByText("Company name is required").waitFor();
    await page.getByLabel("Company name").fill("Contoso Software");
    await page.getByRole("button", { name: "Show planned dates" }).click();
    const plan = page.getByRole("region", { name: "Planned dates" });
    await plan.waitFor();
    const goLive = await plan.locator("dt", { hasText: "Planned go-live" }).locator("xpath=following-sibling::dd").textContent();
    assert.match(goLive ?? "", /\d{4}/, `a planned go-live date: ${goLive}`);
    const rows = await plan.locator("tbody tr").count();
    assert.ok(rows > 10, `every step has its row (${rows})`);
    const undated = await plan.locator("tbody td.nowrap", { hasText: /^—$/ }).count();
    assert.equal(undated, 0, "every applying step has its dates");
    assert.equal((await web.admin.get("/projects")).body.items.length, 0, "nothing is created by planning");
    await check(page, "start", problems);

    await page.getByRole("button", { name: "Confirm and start onboarding" }).click();
    // The new project opens on its Team tab.
    await page.getByRole("heading", { name: "Northwind Traders GmbH", level: 1 }).waitFor();
    const team = page.getByRole("region", { name: "Assign the team" });
    await team.waitFor();
    await team.getByText("Implementation Specialist").first().waitFor();

    // Assign, then reassign, with each candidate's load in the choice.
    const role = team.getByLabel("Person for Implementation Specialist");
    const row = team.getByRole("listitem").filter({ has: page.getByRole("combobox", { name: "Person for Implementation Specialist" }) });
    const options = await role.locator("option").allTextContents();
    assert.ok(
      options.some((o) => /^Ira Patel \(0 open projects, 0 open steps\)$/.test(o)),
      `Ira is offered with her load: ${options.join(" | ")}`,
    );
    assert.ok(
      options.some((o) => o.startsWith("Jo Lindqvist (")),
      "accounts made in Admin are assignable",
    );
    await role.selectOption({ label: "Ira Patel (0 open projects, 0 open steps)" });
    await row.getByRole("button", { name: "Assign" }).click();
    await page.getByText("Ira Patel is now Implementation Specialist.").waitFor();
    const jo = (await role.locator("option").allTextContents()).find((o) => o.startsWith("Jo Lindqvist ("));
    assert.ok(jo);
    await role.selectOption({ label: jo });
    await row.getByRole("button", { name: "Reassign" }).click();
    await page.getByText("Implementation Specialist moved from Ira Patel to Jo Lindqvist.").waitFor();
    await team.getByText("Implementation Specialist: ownership transferred from Ira Patel to Jo Lindqvist").waitFor();
    await team
      .getByText(/by Casey Morgan/)
      .first()
      .waitFor();
    await check(page, "project-team", problems);

    // The audit trail has the transfer with who did it.
    await page.getByRole("tab", { name: "Audit trail" }).click();
    await page.getByRole("row").filter({ hasText: "Casey Morgan" }).nth(1).waitFor();
    const audit = await web.admin.get("/projects");
    const projectId = audit.body.items[0].id as string;
    const events = (await web.admin.get(`/projects/${projectId}/events?limit=200`)).body.items as {
      type: string;
      actor: string;
      data: Record<string, unknown>;
    }[];
    const transfer = events.find((e) => e.type === "role.assigned" && e.data.previous === "ira");
    assert.deepEqual(transfer && { actor: transfer.actor, data: transfer.data }, {
      actor: "casey",
      data: { role: "implementation_specialist", person: "jo", previous: "ira" },
    });
    // New projects point to the team panel, not to assigning "by hand".
    await page.getByRole("tab", { name: "Activity" }).click();
    await page.getByText("Implementation Specialist handed over from Ira Patel to Jo Lindqvist").first().waitFor();
    assert.equal(await page.getByText(/by hand/).count(), 0);

    // The client's page lists the project; the list finds the client by filter.
    await page.goto(`${web.url}/app/clients`);
    await page.getByLabel("Filter clients").fill("north");
    await page.getByRole("link", { name: "Northwind Traders GmbH" }).waitFor();
    await page.getByLabel("Filter clients").fill("zzz");
    await page.getByText("No client matches “zzz”").waitFor();
    await page.getByLabel("Filter clients").fill("");
    await page.getByRole("link", { name: "Northwind Traders GmbH" }).click();
    await page.getByRole("region", { name: "Projects" }).getByRole("link", { name: "Client Onboarding SOP" }).waitFor();
    await check(page, "client-with-project", problems);

    // Years later the relationship ends: record retention counts from that day (issue 22, item 11).
    await page.getByRole("button", { name: "Edit details" }).click();
    await details.getByLabel("Relationship ended on").fill("2026-03-31");
    await details.getByLabel("Why it ended").fill("Contract not renewed");
    await details.getByRole("button", { name: "Save client" }).click();
    await page.getByText("Client saved.").waitFor();
    await details.getByText("2026-03-31: Contract not renewed").waitFor();

    await page.context().close();
    assert.deepEqual(errors, []);
    assert.deepEqual(problems, []);
  });
});
