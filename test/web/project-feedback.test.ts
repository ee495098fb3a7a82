// Feedback, undo and sharing on the project page, in a real browser: a refusal shows next to the
// step in a CSM's words (checklist texts, not numbers; no ids, no JSON pointers), the server's
// text one click away under "Details"; a done step is reopened with a reason; skipping asks for a
// reason first; a comment and a file are internal unless chosen per item, the choice resets after
// each post, a file uploads only on "Upload", sharing is taken back, and one's own comment is
// deleted. The portal sees exactly what is shared. axe and page width at 1440 and 390.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { cookieHeader } from "../api/support/http.ts";
import { WEB_PLAYBOOK } from "./support/playbook.ts";
import {
  artifact,
  axeViolations,
  Caller,
  HAVE_CHROMIUM,
  launchBrowser,
  openPage,
  PASSWORD,
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
  web = await startWebServer({ MAGIC_LINK_RATE_LIMIT: "100" });
  const { admin } = web;
  await must(admin.request("POST", "/playbooks", { raw: WEB_PLAYBOOK, headers: { "content-type": "application/yaml" } }), "playbook");
  await must(
    admin.post("/users", { id: "casey", email: "casey@example.com", name: "Casey Morgan", roles: ["csm"], password: PASSWORD }),
    "user",
  );
  await must(admin.request("PUT", "/people/casey", { body: { name: "Casey Morgan", roles: ["csm"] } }), "person");
  await must(admin.post("/clients", { id: "northwind", name: "Northwind Traders", timeZone: "America/New_York", country: "US" }), "client");
  await must(
    admin.post("/clients/northwind/contacts", { name: "Dana Whitfield", email: "dana@northwind.example", roles: ["client_primary"] }),
    "contact",
  );
  await must(
    admin.post("/projects", {
      id: "onb-nw",
      clientId: "northwind",
      playbook: { id: "web_onboarding", version: "1.0" },
      facts: { segment: "smb" },
    }),
    "project",
  );
  const current = await admin.get("/projects/onb-nw");
  await must(
    admin.post(
      "/projects/onb-nw/commands",
      { type: "assign", role: "csm", person: "casey" },
      { "if-match": current.headers.get("etag") ?? "" },
    ),
    "assign",
  );
  if (HAVE_CHROMIUM) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await web?.close();
});

async function portalItems() {
  const anonymous = new Caller(web.url);
  await anonymous.post("/portal/api/magic-links", { email: "dana@northwind.example" });
  await web.deliverSignInLinks();
  const signedIn = await anonymous.post("/portal/api/sessions", { token: web.mailer.tokenFor("dana@northwind.example") });
  const contact = new Caller(web.url, { cookie: cookieHeader(signedIn), csrfToken: signedIn.body.csrfToken });
  const comments = ((await contact.get("/portal/api/projects/onb-nw/comments")).body.items as { body: string }[]).map((c) => c.body);
  const files = ((await contact.get("/portal/api/projects/onb-nw/attachments")).body.items as { fileName: string }[]).map(
    (f) => f.fileName,
  );
  return { comments, files };
}

/**
 * What sticks out to the right of the viewport, leaving out the timeline (gantt.tsx is reworked for
 * phones under item 7/10 of issue 14) and the containers that only hold it.
 */
const overflowOutsideTimeline = (page: import("playwright-core").Page) =>
  page.evaluate(() => {
    type El = {
      getBoundingClientRect(): { right: number };
      tagName: string;
      className: unknown;
      closest(s: string): unknown;
      querySelector(s: string): unknown;
    };
    const d = (
      globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El>; documentElement: { clientWidth: number } } }
    ).document;
    const w = d.documentElement.clientWidth;
    const timeline = 'section[aria-labelledby="timeline-h"]';
    return Array.from(d.querySelectorAll("body *"))
      .filter((e) => e.getBoundingClientRect().right > w + 1 && !e.closest(timeline) && !e.querySelector(timeline))
      .slice(0, 8)
      .map(
        (e) => `${e.tagName.toLowerCase()}.${String(e.className).split(" ").join(".")} → ${Math.round(e.getBoundingClientRect().right)}`,
      );
  });

describe("feedback, undo and sharing on the project page", () => {
  test("a refusal in words next to the step; reopen with a reason; skip asks first", async (t) => {
    if (skipWithoutChromium(t)) return;
    const errors: string[] = [];
    const page = await openPage(browser, { viewport: { width: 1440, height: 900 }, locale: "en-GB", timezoneId: "Europe/London", errors });
    await signIn(page, web.url, "casey@example.com", PASSWORD);
    // Skip asks for a reason and says what happens; cancelling changes nothing.
    await page.goto(`${web.url}/app/projects/onb-nw?step=intro_email`);
    const intro = page.locator("li#s-intro_email");
    await intro.getByRole("button", { name: "Skip…" }).click();
    const skip = page.getByRole("dialog", { name: "Skip “Send the introduction email”?" });
    await skip.getByText("you can reopen the step later").waitFor();
    await page.screenshot({ path: artifact("project-feedback-skip-dialog-1440.png") });
    await skip.getByRole("button", { name: "Cancel" }).click();
    const timeline = await web.admin.get("/projects/onb-nw/timeline");
    const status = (timeline.body.phases as { steps: { id: string; status: string }[] }[])
      .flatMap((p) => p.steps)
      .find((s) => s.id === "intro_email")?.status;
    assert.equal(status, "open", "cancelled: not skipped");
    await intro.getByRole("button", { name: "Mark step done" }).click();
    await intro.getByText("Done: Send the introduction email").waitFor();

    await page.goto(`${web.url}/app/projects/onb-nw?step=kickoff_call`);
    const kickoff = page.locator("li#s-kickoff_call");
    await kickoff.getByRole("button", { name: "Mark step done" }).click();
    const refusal = kickoff.locator(".notice.error");
    await refusal.waitFor();
    const text = (await refusal.locator(":scope > :not(details)").allTextContents()).join("") || ((await refusal.textContent()) ?? "");
    assert.match(
      text,
      /“Hold the kickoff call” cannot be done yet: tick the checklist first \(Confirm goals and success criteria; Agree the weekly status slot\)/,
    );
    // biome-ignore lint/performance/useDomNodeTextContent: what a person sees: the closed Details stay out
    const visible = (await refusal.innerText()).split("Details")[0] ?? "";
    assert.doesNotMatch(visible, /kickoff_call|\/body\/|checklist item \d|409/, "no ids, pointers or codes where a person reads");
    await refusal.getByText("Details").click();
    // biome-ignore lint/performance/useDomNodeTextContent: the opened Details, as seen
    assert.match(await refusal.innerText(), /kickoff_call/, "the technical account is one click away");
    await page.screenshot({ path: artifact("project-feedback-refusal-1440.png") });

    // Tick both, mark done: the outcome shows at the step.
    for (const label of ["Confirm goals and success criteria", "Agree the weekly status slot"]) {
      await kickoff.getByLabel(label).check();
      await kickoff.getByText(`Ticked: ${label}`).waitFor();
    }
    await kickoff.getByRole("button", { name: "Mark step done" }).click();
    await kickoff.getByText("Done: Hold the kickoff call").waitFor();

    // Reopen it, with a reason.
    await kickoff.getByRole("button", { name: "Reopen…" }).click();
    const dialog = page.getByRole("dialog", { name: "Reopen “Hold the kickoff call”?" });
    await dialog.getByRole("button", { name: "Reopen the step" }).click();
    await dialog.getByText("Say why: it goes into the audit trail.").waitFor();
    await dialog.getByLabel("Why does it need doing again?").fill("The client's COO joined late: goals to confirm again");
    await dialog.getByRole("button", { name: "Reopen the step" }).click();
    await kickoff.getByText("Reopened: Hold the kickoff call").waitFor();
    await kickoff.getByRole("button", { name: "Mark step done" }).waitFor();

    // The activity feed tells it in words, with the reason.
    await page.getByRole("tab", { name: "Activity" }).click();
    const feed = page.locator(".feed").first();
    await feed.getByText("Hold the kickoff call reopened").waitFor();
    await feed.getByText("“The client's COO joined late: goals to confirm again”").waitFor();
    await feed.getByText("Hold the kickoff call: “Confirm goals and success criteria” ticked").first().waitFor();
    assert.doesNotMatch((await feed.textContent()) ?? "", /checklist item \d|step\.\w+|casey\b/);
    await page.getByRole("tab", { name: "Audit trail" }).click();
    const audit = (await page.locator("table").textContent()) ?? "";
    assert.doesNotMatch(audit, /step\.reopened|checklist\.ticked|role\.assigned/, "the audit trail names what happened, not event types");
    assert.match(audit, /Casey Morgan assigned as Customer Success Manager/);
    await page.context().close();
    assert.deepEqual(errors, []);
  });

  for (const width of [1440, 390]) {
    test(`sharing is chosen per item, resets after each post, is reversible; own comment deleted (${width} px)`, async (t) => {
      if (skipWithoutChromium(t)) return;
      const errors: string[] = [];
      const page = await openPage(browser, { viewport: { width, height: 900 }, locale: "en-GB", timezoneId: "Europe/London", errors });
      await signIn(page, web.url, "casey@example.com", PASSWORD);
      await page.goto(`${web.url}/app/projects/onb-nw`);
      const convo = page.getByRole("region", { name: "Conversation and files" });
      const commentForm = convo.getByRole("form", { name: "New comment" });
      const teamOnly = commentForm.getByRole("radio", { name: "The team only" });
      assert.equal(await teamOnly.isChecked(), true, "internal by default");

      await commentForm.getByLabel("Comment").fill(`Internal note ${width}`);
      await commentForm.getByRole("button", { name: "Post for the team" }).click();
      await commentForm.getByText("Posted for the team only.").waitFor();

      await commentForm.getByLabel("Comment").fill(`Welcome aboard ${width}`);
      await commentForm.getByRole("radio", { name: "The team and the client (in the portal)" }).check();
      await commentForm.getByRole("button", { name: "Post to the client" }).click();
      await commentForm.getByText("Posted. The client sees it in the portal.").waitFor();
      assert.equal(await teamOnly.isChecked(), true, "the choice resets after posting");

      // A file: choosing it uploads nothing; Upload does, with the choice made for it.
      const fileForm = convo.getByRole("form", { name: "Attach a file" });
      await fileForm
        .getByLabel("Attach a file")
        .setInputFiles({ name: `plan-${width}.txt`, mimeType: "text/plain", buffer: Buffer.from("the plan") });
      await page.waitForTimeout(300);
      assert.equal(
        ((await web.admin.get("/projects/onb-nw/attachments")).body.items as unknown[]).filter((f) =>
          JSON.stringify(f).includes(`plan-${width}`),
        ).length,
        0,
      );
      await fileForm.getByRole("radio", { name: "The team and the client (in the portal)" }).check();
      await fileForm.getByRole("button", { name: "Upload" }).click();
      await fileForm.getByText(`plan-${width}.txt uploaded. The client sees it in the portal.`).waitFor();
      assert.equal(await fileForm.getByRole("radio", { name: "The team only" }).isChecked(), true, "the file choice resets too");
      assert.equal(await fileForm.getByRole("button", { name: "Upload" }).isDisabled(), true, "nothing chosen: nothing to upload");
      let shared = await portalItems();
      assert.ok(shared.comments.includes(`Welcome aboard ${width}`));
      assert.ok(!shared.comments.includes(`Internal note ${width}`));
      assert.ok(shared.files.includes(`plan-${width}.txt`));
      await page.screenshot({ path: artifact(`project-conversation-${width}.png`), fullPage: width < 500 });

      // Take the file back from the client; delete the internal note.
      const fileRow = convo.locator("li").filter({ hasText: `plan-${width}.txt` });
      await fileRow.getByRole("button", { name: "Make internal" }).click();
      await fileRow.getByText(`plan-${width}.txt is now for the team only: the client no longer sees it.`).waitFor();
      const note = convo.locator(".comment").filter({ hasText: `Internal note ${width}` });
      await note.getByRole("button", { name: "Delete" }).click();
      await commentForm.getByText("Your comment deleted.").waitFor();
      assert.equal(await convo.getByText(`Internal note ${width}`).count(), 0);
      shared = await portalItems();
      assert.ok(!shared.files.includes(`plan-${width}.txt`), "unshared: the portal no longer lists it");

      assert.deepEqual(await overflowOutsideTimeline(page), [], "no horizontal overflow");
      // The timeline's own scrolling area (gantt.tsx, reworked under item 7 of issue 14) is not this test's subject.
      assert.deepEqual(
        (await axeViolations(page)).filter((v) => !v.startsWith("scrollable-region-focusable") || !v.includes(".gantt-wrap")),
        [],
      );
      await page.context().close();
      assert.deepEqual(errors, []);
    });
  }
});
