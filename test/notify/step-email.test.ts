// An email step sent from Onboard, over real HTTP on both backends with a real SMTP server: the
// GDPR playbook's welcome email (EMAIL-ONB-001) drafted for the project (the client's and the
// contact's names filled in), refused to whoever may not complete the step (nothing sent), queued
// with the step's completion (one transaction) and sent once through SMTP and the mail store by the
// outbox, and not again on a retry.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Caller, type Json, startTestServer, type TestServer, testBackends } from "../api/support/http.ts";
import { type SmtpTestServer, startSmtpServer } from "./support.ts";

const BACKENDS = await testBackends();
const PLAYBOOK = { id: "customer_onboarding_gdpr", version: "1.0" };
const PARAMS = { company_name: "Acmé Software", privacy_notice_url: "https://acme.example/privacy", support_email: "help@acme.example" };
const STEP = "send_welcome_email";
const EMAIL = `/projects/p-gdpr/steps/${STEP}/email`;

/** Run a command at the project's current version (as CS operations, to reach the email step). */
async function command(caller: Caller, projectId: string, body: Json): Promise<Json> {
  const current = await caller.get(`/projects/${projectId}`);
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const response = await caller.request("POST", `/projects/${projectId}/commands`, {
    body,
    headers: { "if-match": current.headers.get("etag") ?? "" },
  });
  assert.equal(response.status, 200, `${JSON.stringify(body)}: ${JSON.stringify(response.body)}`);
  return response.body;
}

async function stepStatus(caller: Caller, projectId: string, step: string): Promise<string> {
  const timeline = await caller.get(`/projects/${projectId}/timeline`);
  return timeline.body.phases.flatMap((p: Json) => p.steps).find((s: Json) => s.id === step)?.status;
}

/** Tick a step's checklist and complete it. */
async function finish(caller: Caller, projectId: string, step: string, items: number): Promise<void> {
  for (let i = 1; i <= items; i++) await command(caller, projectId, { type: "tick_checklist", step, item: String(i), checked: true });
  await command(caller, projectId, { type: "complete_step", step });
}

for (const backend of BACKENDS) {
  describe(`email steps sent from Onboard (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let smtp: SmtpTestServer;
    let manager: Caller;
    let stranger: Caller;
    let reader: Caller;

    const send = (caller: Caller, body: Json, key: string, version: string) =>
      caller.request("POST", EMAIL, { body, headers: { "if-match": version, "idempotency-key": key } });
    // The outbox runs, so the playbook's own notifications go out too: these look at step emails only.
    const mail = async (projectId: string) =>
      ((await t.admin.get(`/mail?projectId=${projectId}&limit=200`)).body.items as Json[]).filter((m) => m.key.includes("#step-email:"));
    const smtpMail = () => smtp.messages.filter((m) => m.messageId?.includes("step-email"));
    /** Poll until `ready` holds: the outbox delivers a step's mail just after the step's commit. */
    const until = async <T>(what: string, read: () => T | Promise<T>, ready: (value: T) => boolean): Promise<T> => {
      for (let waited = 0; waited < 10_000; waited += 50) {
        const value = await read();
        if (ready(value)) return value;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return assert.fail(`${what} did not arrive`);
    };
    const mailArrived = (projectId: string, count: number) =>
      until(
        `${count} mail(s) for ${projectId}`,
        () => mail(projectId),
        (m) => m.length >= count,
      );
    const smtpArrived = (count: number) => until(`${count} message(s) over SMTP`, smtpMail, (m) => m.length >= count);

    before(async () => {
      smtp = await startSmtpServer();
      t = await startTestServer(backend, { SMTP_URL: smtp.url, MAIL_FROM: "Acmé Onboarding <onboarding@acme.example>", OUTBOX: "on" });
      for (const [id, name] of [
        ["olivia", "Olivia Owner"],
        ["carl", "Carl Success"],
      ]) {
        const created = await t.admin.post("/users", {
          id,
          email: `${id}@acme.example`,
          name,
          roles: ["csm"],
          password: "a long enough password",
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
      manager = await t.login("olivia@acme.example", "a long enough password");
      stranger = await t.login("carl@acme.example", "a long enough password");
      reader = await t.user("exec", ["executive_readonly"]);
      for (const [id, name] of [
        ["globex", "Globex Ltd"],
        ["initech", "Initech AG"],
      ]) {
        assert.equal((await t.admin.post("/clients", { id, name, timeZone: "Europe/Berlin", country: "DE" })).status, 201);
        const project = await t.admin.post("/projects", {
          id: id === "globex" ? "p-gdpr" : "p-nobody",
          playbook: PLAYBOOK,
          clientId: id,
          facts: { user_count: 25 },
          params: PARAMS,
        });
        assert.equal(project.status, 201, JSON.stringify(project.body));
      }
      const contact = await t.admin.post("/clients/globex/contacts", {
        name: "Jürgen Groß",
        email: "juergen@globex.example",
        roles: ["customer"],
      });
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      for (const projectId of ["p-gdpr", "p-nobody"]) {
        await command(t.admin, projectId, { type: "assign", role: "onboarding_manager", person: "olivia" });
        await command(t.admin, projectId, { type: "assign", role: "customer_success_manager", person: "carl" });
        await finish(t.admin, projectId, "sales_handover", 4);
        await finish(t.admin, projectId, "assign_onboarding_team", 4);
      }
    });
    after(async () => {
      await t?.close();
      await smtp?.close();
    });

    test("the step opens; GET is the draft rendered for the project: its contact, names and the effective template", async () => {
      assert.equal(await stepStatus(manager, "p-gdpr", STEP), "open");
      const draft = await manager.get(EMAIL);
      assert.equal(draft.status, 200, JSON.stringify(draft.body));
      assert.equal(draft.headers.get("etag"), `"${draft.body.version}"`);
      assert.equal(draft.body.template, "EMAIL-ONB-001");
      assert.deepEqual(
        draft.body.to.map((r: Json) => [r.name, r.address, r.roles]),
        [["Jürgen Groß", "juergen@globex.example", ["customer"]]],
      );
      assert.equal(draft.body.subject, "Welcome to Acmé Software, Globex Ltd");
      assert.match(draft.body.text, /^Dear Jürgen,/);
      assert.match(draft.body.text, /I am Olivia Owner, your onboarding manager, and I will\nguide Globex Ltd/);
      assert.match(draft.body.text, /Customer Success Manager: Carl Success \(carl@acme\.example\)/);
      assert.match(draft.body.html, /<p>Dear Jürgen,<\/p>/);
      // A read-only account may read it (it is the project's data), not send it.
      assert.equal((await reader.get(EMAIL)).status, 200);
    });

    test("a non-email step is a 404; a project whose client has no contact is a 422 naming what is missing", async () => {
      for (const path of ["/projects/p-gdpr/steps/assign_onboarding_team/email", "/projects/p-gdpr/steps/no_such_step/email"]) {
        const response = await manager.get(path);
        assert.equal(response.status, 404, path);
        assert.match(response.headers.get("content-type") ?? "", /application\/problem\+json/);
        const post = await manager.request("POST", path, { body: {}, headers: { "if-match": '"1"', "idempotency-key": `k-${path}` } });
        assert.equal(post.status, 404);
      }
      const none = await manager.get(`/projects/p-nobody/steps/${STEP}/email`);
      assert.equal(none.status, 422, JSON.stringify(none.body));
      assert.match(none.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.match(none.body.detail, /Initech AG has no contact/);
      assert.match(none.body.detail, /Customer Primary Contact \(customer\)/);
      const version = (await manager.get("/projects/p-nobody")).headers.get("etag") ?? "";
      const post = await manager.request("POST", `/projects/p-nobody/steps/${STEP}/email`, {
        body: {},
        headers: { "if-match": version, "idempotency-key": "nobody-1" },
      });
      assert.equal(post.status, 422);
      assert.equal(await stepStatus(manager, "p-nobody", STEP), "open", "nothing happened");
      assert.equal((await mail("p-nobody")).length, 0);
    });

    test("a placeholder the project has no value for is a 422 naming it, not an empty gap", async () => {
      const saved = await t.admin.request("PUT", "/templates/EMAIL-ONB-001", {
        body: { subject: "Welcome, {{ client.name }}", body: "Dear {{ contact.first_name }}, call {{ roles.it_support.email }}." },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const draft = await manager.get(EMAIL);
      assert.equal(draft.status, 422, JSON.stringify(draft.body));
      assert.equal(draft.body.errors[0].placeholder, "roles.it_support.email");
      assert.match(draft.body.detail, /roles\.it_support\.email/);
      // The user's override is the effective template.
      const fixed = await t.admin.request("PUT", "/templates/EMAIL-ONB-001", {
        body: {
          subject: "Welcome to {{ company_name }}, {{ client.name }}",
          body: "Dear {{ contact.first_name }},\n\nyour manager is {{ roles.onboarding_manager.name }}.",
        },
      });
      assert.equal(fixed.status, 200);
      assert.equal((await manager.get(EMAIL)).body.text, "Dear Jürgen,\n\nyour manager is Olivia Owner.");
    });

    test("who may not complete the step gets 403 and nothing is sent; an unticked checklist is a 409 and nothing is sent", async () => {
      const version = (await manager.get(EMAIL)).headers.get("etag") ?? "";
      const notOwner = await send(stranger, {}, "carl-1", version);
      assert.equal(notOwner.status, 403, JSON.stringify(notOwner.body));
      const readOnly = await send(reader, {}, "exec-1", version);
      assert.equal(readOnly.status, 403);
      const early = await send(manager, {}, "early-1", version);
      assert.equal(early.status, 409, JSON.stringify(early.body));
      assert.match(early.body.detail, /checklist items not ticked/);
      assert.equal((await mail("p-gdpr")).length, 0);
      assert.equal(smtpMail().length, 0);
      assert.equal(await stepStatus(manager, "p-gdpr", STEP), "open");
    });

    test("POST sends exactly one mail (SMTP and GET /mail) with an edited subject, and the step is done; a retry sends nothing more", async () => {
      for (let i = 1; i <= 4; i++) await command(manager, "p-gdpr", { type: "tick_checklist", step: STEP, item: String(i), checked: true });
      const draft = await manager.get(EMAIL);
      const version = draft.headers.get("etag") ?? "";
      assert.equal((await send(manager, {}, "k-no-if-match", "")).status, 428);
      assert.equal((await manager.request("POST", EMAIL, { body: {}, headers: { "if-match": version } })).status, 400, "a key is required");
      assert.equal((await send(manager, { subject: "two\nlines" }, "bad", version)).status, 400);
      assert.equal((await send(manager, {}, "stale", `"${Number(version.replace(/\D/g, "")) - 1}"`)).status, 412);

      const sent = await send(manager, { subject: "Welcome aboard, Globex!" }, "welcome-1", version);
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      assert.equal(sent.body.replayed, false);
      assert.equal(sent.headers.get("etag"), `"${sent.body.version}"`);
      assert.ok(sent.body.events.some((e: Json) => e.type === "step.completed" && e.data.step === STEP && e.actor === "olivia"));
      assert.equal(await stepStatus(manager, "p-gdpr", STEP), "done");
      const events = (await manager.get("/projects/p-gdpr/events?limit=200")).body.items as Json[];
      assert.ok(events.some((e) => e.type === "step.completed" && e.data.step === STEP));

      const [arrived] = await smtpArrived(1);
      assert.equal(arrived?.subject, "Welcome aboard, Globex!");
      assert.equal(arrived?.text?.trim(), "Dear Jürgen,\n\nyour manager is Olivia Owner.");
      assert.deepEqual(
        [arrived?.to].flat().flatMap((a) => a?.value.map((v) => v.address)),
        ["juergen@globex.example"],
      );
      const outbox = await mailArrived("p-gdpr", 1);
      assert.equal(outbox.length, 1);
      assert.equal(outbox[0].subject, "Welcome aboard, Globex!");
      assert.equal(outbox[0].key, sent.body.mail.key, "the mail sent is the one the step queued");
      assert.equal(outbox[0].transport, "smtp");
      assert.deepEqual(
        outbox[0].to.map((a: Json) => a.address),
        ["juergen@globex.example"],
      );

      const again = await send(manager, { subject: "Welcome aboard, Globex!" }, "welcome-1", version);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.replayed, true);
      assert.equal(again.headers.get("idempotent-replayed"), "true");
      assert.equal(again.body.version, sent.body.version);
      // Another key: the step is done, refused, nothing sent.
      const other = await send(manager, {}, "welcome-2", `"${sent.body.version}"`);
      assert.equal(other.status, 409);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(smtpMail().length, 1);
      assert.equal((await mail("p-gdpr")).length, 1);
    });

    test("an edited text is sent as text and its HTML is that text escaped", async () => {
      // Reopen the step (CS operations) and send it again with a text of one's own.
      await command(t.admin, "p-gdpr", { type: "reopen_step", step: STEP, reason: "Send a corrected welcome" });
      for (let i = 1; i <= 4; i++) await command(manager, "p-gdpr", { type: "tick_checklist", step: STEP, item: String(i), checked: true });
      const version = (await manager.get(EMAIL)).headers.get("etag") ?? "";
      const sent = await send(manager, { text: "Dear Jürgen,\n\n<b>not bold</b> & more" }, "welcome-3", version);
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      const outbox = await mailArrived("p-gdpr", 2);
      assert.equal(outbox.length, 2);
      const [latest] = outbox;
      const one = await t.admin.get(`/mail/${latest.id}`);
      assert.equal(one.body.text, "Dear Jürgen,\n\n<b>not bold</b> & more");
      assert.equal(one.body.html, "<p>Dear Jürgen,</p>\n<p>&lt;b&gt;not bold&lt;/b&gt; &amp; more</p>");
      assert.equal(one.body.subject, "Welcome to Acmé Software, Globex Ltd");
      await smtpArrived(2);
    });
  });
}
