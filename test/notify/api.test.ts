// The notification endpoints over real HTTP: templates (list, save with placeholder checks, preview
// with a project's data), the mail log (GET /mail), meeting invitations (.ics) and survey links
// (public, signed, answered once, the playbook's automation firing).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ICAL from "ical.js";
import { encodeCursor } from "../../src/api/pagination.ts";
import { signSurveyToken } from "../../src/notify/survey-links.ts";
import { dispatchOutbox, listOutbox } from "../../src/store/outbox.ts";
import { type Caller, startTestServer, type TestServer, testBackends } from "../api/support/http.ts";
import { Driver } from "./driver.ts";
import { assignTeam, CLIENT, PUBLIC_URL, SECRET, seedPeople, type World, world } from "./support.ts";

const BACKENDS = await testBackends();
const T0 = "2026-03-02T08:00:00.000Z";
const projectId = "p-api";

for (const backend of BACKENDS) {
  describe(`notification endpoints (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let csm: Caller;
    let w: World;
    let now = T0;

    before(async () => {
      t = await startTestServer(backend, { PUBLIC_URL, SURVEY_SECRET: SECRET }, { clock: () => now });
      csm = await t.user("csm-user", ["csm"]);
      const database = t.fresh.database;
      w = world(database, { clock: () => now });
      await seedPeople(database, T0);
      await w.service.startProject({
        playbook: { id: "onb_001", version: "1.0.0" },
        input: {
          projectId,
          client: CLIENT,
          facts: { account_type: "smb", project_duration_weeks: 8 },
          params: { company_name: "Acmé Corp" },
        },
        now: T0,
      });
      await assignTeam(w.service, projectId, T0);
    });
    after(async () => {
      await t?.close();
    });

    test("GET /templates: the playbooks' templates", async () => {
      const response = await csm.get("/templates");
      assert.equal(response.status, 200);
      const welcome = response.body.items.find((i: { id: string }) => i.id === "ONB-001-WELCOME");
      assert.equal(welcome.source, "playbook");
      assert.deepEqual(welcome.playbooks, ["onb_001"]);
      assert.match(welcome.subject, /\{\{company_name\}\}/);
    });

    test("PUT /templates/:id: an unknown placeholder is refused with problem+json naming the field and the placeholder", async () => {
      const response = await t.admin.request("PUT", "/templates/ONB-001-WELCOME", {
        body: { subject: "Welcome {{ client.name }}", body: "Dear {{ contact.first_name }}, your CSM is {{ roles.csm.nickname }}." },
      });
      assert.equal(response.status, 422);
      assert.match(response.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.equal(response.body.errors[0].pointer, "/body/body");
      assert.equal(response.body.errors[0].placeholder, "roles.csm.nickname");
      assert.match(response.body.detail, /roles\.csm\.nickname/);
      const syntax = await t.admin.request("PUT", "/templates/ONB-001-WELCOME", { body: { subject: "{% if %}", body: "x" } });
      assert.equal(syntax.status, 422);
      assert.equal(syntax.body.errors[0].pointer, "/body/subject");
      assert.equal((await t.admin.request("PUT", "/templates/NO-SUCH", { body: { body: "x" } })).status, 404);
    });

    test("PUT then preview: the saved template takes precedence and renders with the project's data", async () => {
      const saved = await t.admin.request("PUT", "/templates/ONB-001-WELCOME", {
        body: {
          subject: "Willkommen, {{ client.name }}!",
          body: "Hallo {{ contact.first_name }},\n\nIhr CSM: {{ roles.csm.name }} <{{ roles.csm.email }}>.",
        },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.equal(saved.body.source, "override");
      assert.equal(saved.body.updatedBy, (await t.admin.get("/auth/session")).body.user.id);
      const preview = await csm.post("/templates/ONB-001-WELCOME/preview", { projectId });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      assert.equal(preview.body.subject, "Willkommen, Globex Ltd!");
      assert.equal(preview.body.text, "Hallo Jürgen,\n\nIhr CSM: Zoë Müller <zoe@acme.example>.");
      assert.equal(preview.body.html, "<p>Hallo Jürgen,</p>\n<p>Ihr CSM: Zoë Müller &lt;zoe@acme.example&gt;.</p>");
      const draft = await csm.post("/templates/ONB-001-WELCOME/preview", {
        projectId,
        body: "{{ project.start_date }} / {{ company_name }}",
      });
      assert.equal(draft.body.text, "Monday, 2 March 2026 / Acmé Corp");
      const bad = await csm.post("/templates/ONB-001-WELCOME/preview", { projectId, body: "{{ nope }}" });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].placeholder, "nope");
      assert.equal((await csm.post("/templates/ONB-001-WELCOME/preview", { projectId: "nope" })).status, 404);
    });

    test("a meeting as .ics: not before it is scheduled, then the invitation with a stable UID", async () => {
      assert.equal((await csm.get(`/projects/${projectId}/meetings/kickoff_meeting.ics`)).status, 409);
      assert.equal((await csm.get(`/projects/${projectId}/meetings/nothing.ics`)).status, 404);
      const project = await w.service.getProject(projectId);
      const driver = new Driver(w.service, (await w.service.contextOf(project)).model.playbook, projectId);
      now = "2026-03-02T10:30:00.000Z";
      for (const id of ["sales_handoff", "internal_setup", "welcome_email"]) {
        const def = driver.playbook.phases.flatMap((p) => p.steps).find((s) => s.id === id);
        if (def) await driver.work(def, now);
      }
      await driver.send({ type: "start_step", step: "kickoff_meeting" }, { id: "u-csm", kind: "user", roles: ["csm"] }, now);
      const response = await csm.get(`/projects/${projectId}/meetings/kickoff_meeting.ics`);
      assert.equal(response.status, 200, driver.refused.join("\n"));
      assert.match(response.headers.get("content-type") ?? "", /^text\/calendar/);
      const calendar = new ICAL.Component(ICAL.parse(response.body));
      const event = new ICAL.Event(calendar.getFirstSubcomponent("vevent") ?? undefined);
      assert.equal(event.summary, "2.1 Kickoff Meeting");
      assert.equal(
        (await csm.get(`/projects/${projectId}/meetings/kickoff_meeting.ics`)).body.match(/UID:.*/)?.[0],
        response.body.match(/UID:.*/)?.[0],
      );
    });

    test("GET /mail: the mail log (no SMTP: written to the mail folder), for admins, filtered by project, one message with its parts", async () => {
      const result = await dispatchOutbox(t.fresh.database, now, { handlers: w.notifications.handlers() });
      assert.ok(result.delivered > 0);
      assert.equal((await csm.get(`/mail?projectId=${projectId}`)).status, 403, "the mail log is the admins'");
      const list = await t.admin.get(`/mail?projectId=${projectId}&limit=2`);
      assert.equal(list.status, 200);
      assert.equal(list.body.items.length, 2);
      assert.ok(list.body.nextCursor);
      assert.ok(
        list.body.items.every((m: { transport: string; projectId: string }) => m.transport === "folder" && m.projectId === projectId),
      );
      const invitation = list.body.items.find((m: { subject: string }) => m.subject.startsWith("Invitation"));
      assert.ok(invitation, JSON.stringify(list.body.items.map((m: { subject: string }) => m.subject)));
      assert.equal(invitation.attachments[0].filename, "kickoff_meeting.ics");
      const one = await t.admin.get(`/mail/${invitation.id}`);
      assert.equal(one.status, 200);
      assert.match(one.body.text, /you are invited to "2.1 Kickoff Meeting"/);
      assert.equal((await t.admin.get("/mail/nope")).status, 404);
      // A forged cursor is bad input, not a server error.
      const forged = await t.admin.get(`/mail?cursor=${encodeCursor("mail", ["not a date", "x"])}`);
      assert.equal(forged.status, 400);
      assert.match(forged.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.equal((await t.admin.get("/mail?projectId=other")).body.items.length, 0);
    });

    test("a survey link: public GET shows the playbook's questions, POST answers once as the contact, NPS < 7 alerts the CSM", async () => {
      const expiresAt = Math.floor(Date.parse(now) / 1000) + 86_400;
      const { token } = await w.notifications.createSurveyLink({
        projectId,
        survey: "nps_survey",
        contactId: "c-pm",
        expiresAt,
        nonce: "k1",
      });
      assert.ok(token.length < 100, "short enough for a path segment");
      const form = await t.anonymous.get(`/surveys/${token}`);
      assert.equal(form.status, 200, JSON.stringify(form.body));
      assert.equal(form.body.contactName, "Jürgen Groß");
      assert.equal(form.body.questions[0].text, "How likely are you to recommend Acmé Corp to a friend or colleague?");
      assert.equal(form.body.answered, false);
      assert.equal((await t.anonymous.post(`/surveys/${token}`, { score: 11 })).status, 400);
      const answered = await t.anonymous.post(`/surveys/${token}`, { score: 5, comment: "Slow start" });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
      const again = await t.anonymous.post(`/surveys/${token}`, { score: 9 });
      assert.equal(again.status, 409);
      assert.equal((await t.anonymous.get(`/surveys/${token}`)).body.answered, true);
      const events = await w.service.listEvents(projectId);
      const answer = events.find((e) => e.event.type === "survey.answered");
      assert.equal(answer?.event.actor, "c-pm", "answered as the contact");
      assert.ok(events.some((e) => e.event.type === "rule.fired" && e.event.rule === "nps_alert_csm"));
      const notices = (await listOutbox(t.fresh.database.db, { projectId })).filter((o) => o.effect.kind === "notify").map((o) => o.effect);
      assert.deepEqual(
        notices.find((n) => n.kind === "notify" && n.message.startsWith("The client")),
        { kind: "notify", to: ["csm"], message: "The client submitted an NPS score below 7.", channel: "in_app" },
      );
      // And, as for every client action (issue 14 item 9), the team is told the client answered.
      const told = notices.find((n) => n.kind === "notify" && n.message.includes("answered the survey"));
      assert.ok(told && told.kind === "notify" && told.to.includes("csm") && told.channel === "in_app", JSON.stringify(notices));
    });

    test("a survey link that is forged, tampered with or expired is refused", async () => {
      const claims = {
        projectId,
        survey: "nps_survey",
        contactId: "c-pm",
        expiresAt: Math.floor(Date.parse(now) / 1000) + 60,
        nonce: "k2",
      };
      const { token } = await w.notifications.createSurveyLink(claims);
      assert.equal((await t.anonymous.get(`/surveys/${token}`)).status, 200);
      assert.equal(
        (await t.anonymous.get(`/surveys/${signSurveyToken(claims, "another secret of 32 characters...")}`)).status,
        404,
        "forged",
      );
      const tampered = `${token.slice(0, 23)}${token[23] === "A" ? "B" : "A"}${token.slice(24)}`;
      assert.equal((await t.anonymous.get(`/surveys/${tampered}`)).status, 404, "tampered");
      assert.equal(
        (await t.anonymous.get(`/surveys/${signSurveyToken({ ...claims, nonce: "never sent" }, SECRET)}`)).status,
        404,
        "never made",
      );
      const expired = await w.notifications.createSurveyLink({ ...claims, nonce: "k3", expiresAt: Math.floor(Date.parse(now) / 1000) - 1 });
      assert.equal((await t.anonymous.get(`/surveys/${expired.token}`)).status, 409, "expired");
    });

    test("a contact's open surveys (the portal's list): their own unexpired, unanswered links, each with a token that opens it", async () => {
      const at = Math.floor(Date.parse(now) / 1000);
      await w.notifications.createSurveyLink({ projectId, survey: "nps_survey", contactId: "c-tech", expiresAt: at + 3600, nonce: "o1" });
      await w.notifications.createSurveyLink({ projectId, survey: "nps_survey", contactId: "c-exec", expiresAt: at - 1, nonce: "o2" });
      const open = await w.notifications.openSurveys("c-tech");
      assert.deepEqual(
        open.map((o) => [o.projectId, o.survey]),
        [[projectId, "nps_survey"]],
      );
      const form = await t.anonymous.get(`/surveys/${open[0]?.token}`);
      assert.equal(form.status, 200, "the listed token is the link's own");
      assert.equal(form.body.contactName, "Tina Tech");
      assert.deepEqual(await w.notifications.openSurveys("c-exec"), [], "an expired link is not open");
      assert.deepEqual(await w.notifications.openSurveys("c-pm"), [], "a survey the contact answered is not open, whatever links remain");
      assert.equal((await t.anonymous.post(`/surveys/${open[0]?.token}`, { score: 9 })).status, 201);
      assert.deepEqual(await w.notifications.openSurveys("c-tech"), [], "answered: gone from the list");
    });
  });
}
