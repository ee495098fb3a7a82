// Issue 14, "Done means", as one continuous story in a real browser, through the UI alone (the API
// only reads facts back for assertions): an admin publishes the organisation's playbook and makes a
// CSM account; the CSM signs in, creates a client with its facts and two contacts, invites one to
// the portal, starts an onboarding after seeing its planned dates, assigns and reassigns the team
// (the audit entry shows), completes a task, an email (sent from its dialog), a decision and the
// team's checklist item, holds and resumes the project with reasons, reopens a step with a reason
// and completes it again; the client contact signs in by the mailed link, ticks their items, fills
// the form (an invalid email first), approves with a comment, writes a message and answers the
// survey; the CSM is told of each in the notifications and confirms go-live. Each screen: axe with
// no serious or critical violation, no horizontal overflow, screenshots at 1440 and 390 px under
// test-artifacts/web/journey/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Locator, Page } from "playwright-core";
import { dispatchOutbox } from "../../src/store/index.ts";
import { JOURNEY_PLAYBOOK } from "./support/journey-playbook.ts";
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  ARTIFACTS,
  axeViolations,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  settled,
  sidewaysOverflow,
  signIn,
  skipWithoutChromium,
  startWebServer,
  type WebServer,
} from "./support/web.ts";

const CSM_EMAIL = "casey@brightwave.example";
const CSM_PASSWORD = "casey-journey-password-1";
const CONTACT = "dana@northwind.example";
const CLIENT = "Northwind Traders";

let web: WebServer;
let browser: Browser | undefined;
const problems: string[] = [];
const errors: string[] = [];

before(async () => {
  // The outbox runs in the server, as in production: notifications, mail and sign-in links go out by themselves.
  web = await startWebServer({ OUTBOX: "on" });
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

function shot(name: string): string {
  const dir = join(ARTIFACTS, "journey");
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

/** The screen as it is, at 1440 and at 390 px wide: screenshot, no sideways scrolling, axe. */
async function screen(page: Page, name: string): Promise<void> {
  const original = page.viewportSize() ?? { width: 1440, height: 900 };
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await settled(page);
    await page.screenshot({ path: shot(`${name}-${width}`), fullPage: true });
    const { extra, wide } = await sidewaysOverflow(page);
    if (extra > 0) problems.push(`${name} at ${width}: ${extra} px too wide (${wide.join(", ")})`);
    for (const v of await axeViolations(page)) problems.push(`${name} at ${width}: ${v}`);
  }
  await page.setViewportSize(original);
}

/** The project's step by its id, its body opened on the project page (as a click on its title does). */
async function step(page: Page, id: string, title: string): Promise<Locator> {
  const item = page.locator(`li#s-${id}`);
  const head = item.locator(".step-head");
  assert.ok(((await head.textContent()) ?? "").includes(title), `the step shows its title “${title}”`);
  if ((await head.getAttribute("aria-expanded")) !== "true") await head.click();
  await item.locator(".step-body").waitFor();
  return item;
}

describe("a CSM onboards a client from start to finish, and the client answers in the portal", () => {
  test("the whole journey through the browser", { timeout: 900_000 }, async (t) => {
    if (skipWithoutChromium(t)) return;
    const pages: Page[] = [];
    const open = async () => {
      const page = await openPage(browser, {
        viewport: { width: 1440, height: 900 },
        locale: "en-US",
        timezoneId: "Europe/Berlin",
        errors,
      });
      pages.push(page);
      return page;
    };
    try {
      await journey(open);
    } catch (error) {
      // What the person saw when the story broke.
      for (const [i, page] of pages.entries()) if (!page.isClosed()) await page.screenshot({ path: shot(`failure-${i}`), fullPage: true });
      throw error;
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(problems, []);
  });
});

async function journey(open: () => Promise<Page>): Promise<void> {
  {
    // 1. The admin publishes the organisation's playbook and makes the CSM's account.
    const admin = await open();
    await signIn(admin, web.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Playbooks" }).click();
    await admin.getByRole("button", { name: "Upload a version" }).click();
    await admin.getByLabel("Or paste the YAML").fill(JOURNEY_PLAYBOOK);
    await admin.getByRole("button", { name: "Lint and publish" }).click();
    await admin.getByRole("heading", { level: 1, name: "Brightwave Onboarding SOP" }).waitFor();

    await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
    await admin.getByRole("heading", { level: 1, name: "Admin" }).waitFor();
    await admin.getByRole("button", { name: "Add a user" }).click();
    const add = admin.getByRole("dialog", { name: "Add a user" });
    await add.getByLabel("Name").fill("Casey Morgan");
    await add.getByLabel("Email").fill(CSM_EMAIL);
    await add.getByLabel("Password").fill(CSM_PASSWORD);
    await add.getByRole("checkbox", { name: "Csm" }).check();
    await add.getByRole("button", { name: "Save" }).click();
    await add.waitFor({ state: "hidden" });
    await admin.getByRole("cell", { name: "Casey Morgan" }).first().waitFor();
    await screen(admin, "01-admin-users");
    // A second person for the team, to reassign to.
    await admin.getByRole("button", { name: "Add a user" }).click();
    await add.getByLabel("Name").fill("Jo Lindqvist");
    await add.getByLabel("Email").fill("jo@brightwave.example");
    await add.getByLabel("Password").fill("jo-journey-password-12");
    await add.getByRole("checkbox", { name: "Csm" }).check();
    await add.getByRole("button", { name: "Save" }).click();
    await add.waitFor({ state: "hidden" });
    await admin.getByRole("cell", { name: "Jo Lindqvist" }).first().waitFor();
    await admin.context().close();

    // The CSM signs in by typing.
    const csm = await open();
    await signIn(csm, web.url, CSM_EMAIL, CSM_PASSWORD);

    // 2. A new client, with the playbook's facts; two contacts; one invited to the portal.
    await csm.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Clients" }).click();
    await csm.getByRole("button", { name: "New client" }).click();
    const newClient = csm.getByRole("dialog", { name: "New client" });
    await newClient.getByLabel("Name").fill(CLIENT);
    await newClient.getByLabel("Domain").fill("northwind.example");
    await newClient.getByLabel("Time zone").selectOption("Europe/Berlin");
    await newClient.getByLabel("Country for holidays").fill("DE");
    await newClient.getByLabel("Segment").fill("Mid-market");
    await newClient.getByLabel("Playbook").selectOption({ label: "Brightwave Onboarding SOP" });
    await newClient.getByLabel("Licensed users").fill("120");
    await screen(csm, "02-new-client");
    await newClient.getByRole("button", { name: "Create client" }).click();
    await csm.getByRole("heading", { name: CLIENT, level: 1 }).waitFor();
    for (const [name, email, role] of [
      ["Dana Whitfield", CONTACT, "Primary contact"],
      ["Sam Ortiz", "sam@northwind.example", "Technical contact"],
    ] as const) {
      await csm.getByRole("button", { name: "Add contact" }).click();
      const contact = csm.getByRole("dialog", { name: "Add contact" });
      await contact.getByLabel("Name").fill(name);
      await contact.getByLabel("Email").fill(email);
      await contact.getByLabel(role, { exact: true }).check();
      await contact.getByRole("button", { name: "Add contact" }).click();
      await csm.getByText(`${name} added.`).waitFor();
    }
    await csm.getByRole("button", { name: "Invite to portal: Dana Whitfield" }).click();
    await csm.getByText(`Sign-in link sent to ${CONTACT}.`).waitFor();
    await screen(csm, "03-client");

    // 3. Start the onboarding: the planned dates first, then confirm.
    await csm.getByRole("link", { name: "Start onboarding" }).click();
    await csm.getByRole("heading", { name: "Start onboarding", level: 1 }).waitFor();
    await csm.getByLabel("Playbook", { exact: true }).selectOption({ label: "Brightwave Onboarding SOP (version 1.0)" });
    assert.equal(await csm.getByLabel("Licensed users").inputValue(), "120", "the client's facts are filled in");
    await csm.getByRole("button", { name: "Show planned dates" }).click();
    const plan = csm.getByRole("region", { name: "Planned dates" });
    await plan.getByText("Hold the kickoff call").waitFor();
    const goLive = await plan.locator("dt", { hasText: "Planned go-live" }).locator("xpath=following-sibling::dd").textContent();
    assert.match(goLive ?? "", /\d{4}/, `a planned go-live date: ${goLive}`);
    await screen(csm, "04-start-planned-dates");
    await csm.getByRole("button", { name: "Confirm and start onboarding" }).click();
    await csm.getByRole("heading", { name: CLIENT, level: 1 }).waitFor();

    // 4. The team: the CSM takes the CSM role, Casey then Jo as implementation specialist (a reassignment).
    const team = csm.getByRole("region", { name: "Assign the team" });
    await team.waitFor();
    const assign = async (role: string, person: string, button: "Assign" | "Reassign") => {
      const select = team.getByLabel(`Person for ${role}`);
      const row = team.getByRole("listitem").filter({ has: csm.getByRole("combobox", { name: `Person for ${role}` }) });
      const label = (await select.locator("option").allTextContents()).find((o) => o.startsWith(`${person} (`));
      assert.ok(label, `${person} is offered for ${role}`);
      await select.selectOption({ label });
      await row.getByRole("button", { name: button }).click();
    };
    const csmRole = team.getByLabel("Person for Customer Success Manager");
    if (!(await csmRole.locator("option:checked").textContent())?.startsWith("Casey Morgan")) {
      await assign("Customer Success Manager", "Casey Morgan", "Assign");
      await csm.getByText("Casey Morgan is now Customer Success Manager.").waitFor();
    }
    await assign("Implementation Specialist", "Jo Lindqvist", "Assign");
    await csm.getByText("Jo Lindqvist is now Implementation Specialist.").waitFor();
    await assign("Implementation Specialist", "Casey Morgan", "Reassign");
    await csm.getByText("Implementation Specialist moved from Jo Lindqvist to Casey Morgan.").waitFor();
    await team.getByText("Implementation Specialist: ownership transferred from Jo Lindqvist to Casey Morgan").waitFor();
    await screen(csm, "05-team");
    await csm.getByRole("tab", { name: "Audit trail" }).click();
    await csm.getByRole("row").filter({ hasText: "Casey Morgan" }).first().waitFor();
    await screen(csm, "06-audit");
    const projectId = ((await web.admin.get("/projects")).body.items[0] as { id: string }).id;

    // 5. The team's steps: a task, the email (sent from its dialog), the decision.
    await csm.getByRole("tab", { name: "Plan" }).click();
    let kickoff = await step(csm, "kickoff_call", "Hold the kickoff call");
    await kickoff.getByRole("button", { name: "Mark step done" }).click();
    await kickoff.getByText("Done: Hold the kickoff call").waitFor();

    const email = await step(csm, "welcome_email", "Send the welcome email");
    await email.getByRole("button", { name: "Preview and send email" }).click();
    const draft = csm.getByRole("dialog", { name: "Email: Send the welcome email" });
    assert.equal(await draft.getByLabel("Subject").inputValue(), `Welcome, ${CLIENT}`);
    assert.match(await draft.getByLabel("Text").inputValue(), /Dear Dana,[\s\S]*I am Casey Morgan/);
    await screen(csm, "07-email-dialog");
    await draft.getByRole("button", { name: "Send and mark done" }).click();
    await csm.getByText("On its way to Dana Whitfield, Sam Ortiz. Done: Send the welcome email").waitFor();

    const decision = await step(csm, "setup_scope", "Choose the setup scope");
    await decision.getByText("Does the client need a custom setup?").waitFor();
    await decision.getByRole("button", { name: "Record: Standard setup" }).click();
    await decision.getByText("Decision recorded: Standard setup").waitFor();
    await screen(csm, "08-decision");

    // Hold and resume, each with a reason.
    await csm.getByRole("button", { name: "Put on hold" }).click();
    const hold = csm.getByRole("dialog", { name: "Put the project on hold" });
    await hold.getByLabel("Why is it on hold?").fill("The client's IT team is away until Monday");
    await hold.getByRole("button", { name: "Put on hold" }).click();
    await csm.getByText("The project is on hold.").waitFor();
    await csm.getByText("On hold").first().waitFor();
    await screen(csm, "09-on-hold");
    await csm.getByRole("button", { name: "Resume" }).click();
    const resume = csm.getByRole("dialog", { name: "Resume the project" });
    await resume.getByLabel("Note (optional)").fill("IT is back: we continue");
    await resume.getByRole("button", { name: "Resume" }).click();
    await csm.getByText("The project runs again.").waitFor();

    // Reopen the kickoff with a reason, complete it again.
    kickoff = await step(csm, "kickoff_call", "Hold the kickoff call");
    await kickoff.getByRole("button", { name: "Reopen…" }).click();
    const reopen = csm.getByRole("dialog", { name: "Reopen “Hold the kickoff call”?" });
    await reopen.getByLabel("Why does it need doing again?").fill("The client's COO joined late: goals to confirm again");
    await reopen.getByRole("button", { name: "Reopen the step" }).click();
    await kickoff.getByText("Reopened: Hold the kickoff call").waitFor();
    await kickoff.getByRole("button", { name: "Mark step done" }).click();
    await kickoff.getByText("Done: Hold the kickoff call").waitFor();

    // The team's own checklist item.
    const access = await step(csm, "prepare_access", "Provisioning checklist");
    await access.getByLabel("Workspace created").check();
    await access.getByText("Ticked: Workspace created").waitFor();
    await screen(csm, "10-steps");

    // 6. The client: signs in by the mailed link, ticks, fills, approves, writes, answers the survey.
    await web.deliverSignInLinks();
    await dispatchOutbox(web.server.database, new Date(Date.now() + 2 * 86_400_000).toISOString(), {
      handlers: web.server.outboxHandlers,
      kinds: ["send_survey"],
      batchSize: 100,
    });
    const portal = await open();
    // The link of the invitation mail (the survey's mail has a link of its own).
    const invitation = web.mailer.sent.findLast(
      (m) => m.to.some((to) => to.address === CONTACT) && /\/portal\/sign-in#token=/.test(m.text),
    );
    const token = invitation && /\/portal\/sign-in#token=([A-Za-z0-9_-]+)/.exec(invitation.text)?.[1];
    assert.ok(token, "Dana was mailed a sign-in link to the portal");
    await portal.goto(`${web.url}/portal/sign-in#token=${token}`);
    await portal.getByRole("button", { name: "Sign in" }).click();
    await portal.getByRole("heading", { level: 1, name: "Your onboarding", exact: true }).waitFor();
    const text = (await portal.locator("main").textContent()) ?? "";
    assert.doesNotMatch(text, /Brightwave Onboarding SOP|CHK-ONB-001|Choose the setup scope/, "client-facing names only");
    await screen(portal, "11-portal-plan");

    const own = portal.locator("#step-prepare_access");
    await own.getByRole("checkbox", { name: "Share the list of users" }).click();
    await own.getByText("Ticked: “Share the list of users”.").waitFor();
    await own.getByRole("checkbox", { name: "Name an IT contact for single sign-on" }).click();
    await own.getByText("Ticked: “Name an IT contact for single sign-on”.").waitFor();

    const details = portal.getByRole("form", { name: "Company details" });
    await details.getByLabel("Billing email").fill("dana at northwind");
    await details.getByLabel("Number of users").fill("120");
    await details.getByRole("button", { name: "Send answers" }).click();
    await details.getByText("Billing email must be an email address, like name@company.com").waitFor();
    await screen(portal, "12-portal-form-error");
    await details.getByLabel("Billing email").fill("billing@northwind.example");
    await details.getByRole("button", { name: "Send answers" }).click();
    await details.getByText("Thank you: your answers are saved.").waitFor();
    // The form's step is the client's own: they say it is done.
    const company = portal.locator("#step-company_details");
    await company.getByRole("button", { name: "Mark as done" }).click();
    await company.getByText("Thank you: “Tell us about your company” is done.").waitFor();

    const signoff = portal.locator("#step-plan_signoff");
    await signoff.getByLabel("Comment").fill("Looks good: go ahead.");
    await signoff.getByRole("button", { name: "Approve", exact: true }).click();
    await signoff.getByText("Thank you: “Approve your onboarding plan” is approved.").waitFor();

    const messages = portal.getByRole("region", { name: "Messages" });
    await messages.getByLabel("Write to the team").fill("Our IT contact is Lee Park, lee@northwind.example.");
    await messages.getByRole("button", { name: "Send" }).click();
    await messages.locator(".comment").filter({ hasText: "Our IT contact is Lee Park, lee@northwind.example." }).waitFor();
    await messages.locator(".comment").filter({ hasText: "Dana Whitfield" }).first().waitFor();
    await screen(portal, "13-portal-done");

    await portal.getByRole("region", { name: "Surveys for you" }).getByRole("link", { name: "Answer “How are we doing?”" }).click();
    await portal.getByRole("heading", { level: 1, name: "How are we doing?" }).waitFor();
    await portal
      .getByRole("group", { name: /How likely are you to recommend us/ })
      .getByRole("radio", { name: "9", exact: true })
      .check();
    await portal.getByLabel(/What should we do differently/).fill("Keep the weekly calls.");
    await screen(portal, "14-portal-survey");
    await portal.getByRole("button", { name: "Send my answers" }).click();
    await portal.getByRole("heading", { name: "Thank you!" }).waitFor();
    await portal.context().close();

    // 7. The CSM is told of each client action, then confirms go-live.
    await csm.goto(`${web.url}/app/notifications`);
    await csm.getByRole("heading", { level: 1, name: "Notifications" }).waitFor();
    const notices = csm.locator("main");
    /** The notice saying `said`, refreshing the list while the outbox delivers. */
    const told = async (said: string) => {
      for (let i = 0; i < 30 && (await notices.getByText(said).count()) === 0; i++) {
        await csm.waitForTimeout(1000);
        await csm.getByRole("button", { name: "Refresh" }).click();
        await settled(csm);
      }
      await notices.getByText(said).first().waitFor();
    };
    for (const said of [
      `${CLIENT}: Dana Whitfield ticked “Share the list of users”`,
      `${CLIENT}: Dana Whitfield filled in the form of “Collect customer information (form CDC-01)”`,
      `${CLIENT}: Dana Whitfield approved “Success plan sign-off”`,
      `${CLIENT}: Dana Whitfield wrote a message`,
      `${CLIENT}: Dana Whitfield answered the survey “How are we doing?”`,
    ])
      await told(said);
    await screen(csm, "15-notifications");

    await csm.goto(`${web.url}/app/projects/${projectId}?tab=activity`);
    // The activity feed names the contact who approved, not "A team member".
    const approvedEntry = csm.locator("ol.feed li", { hasText: "Success plan sign-off" }).filter({ hasText: /approved/i });
    await approvedEntry.first().waitFor();
    assert.match((await approvedEntry.first().textContent()) ?? "", /Dana Whitfield/);
    await csm.goto(`${web.url}/app/projects/${projectId}`);
    // What the client did shows on the steps; the CSM closes the team's.
    for (const [id, title] of [
      ["prepare_access", "Provisioning checklist (CHK-ONB-001)"],
      ["plan_signoff", "Success plan sign-off"],
    ] as const) {
      const done = await step(csm, id, title);
      if (id === "plan_signoff")
        await done
          .getByText(/Approved/)
          .first()
          .waitFor();
      await done.getByRole("button", { name: "Mark step done" }).click();
      await done.getByText(`Done: ${title}`).waitFor();
    }
    const goLiveStep = await step(csm, "go_live", "Go live");
    await goLiveStep.getByRole("button", { name: "Confirm go-live" }).click();
    const confirm = csm.getByRole("dialog");
    await confirm.getByText("cannot be undone").waitFor();
    await screen(csm, "16-confirm-go-live");
    await confirm.getByRole("button", { name: "Confirm go-live" }).click();
    await goLiveStep.getByText("The client is live.").waitFor();
    await csm
      .getByText(/^(Live|Completed|Closed)$/)
      .first()
      .waitFor();
    await screen(csm, "17-live");

    const project = (await web.admin.get(`/projects/${projectId}`)).body as { goLiveAt: string | null; status: string };
    assert.ok(project.goLiveAt, `the project went live (${project.status})`);
    await csm.context().close();
  }
}
