// Effects delivered by the outbox with the notification handlers, to a real SMTP server (smtp-server
// on a loopback port) and a real HTTP server standing in for Slack; what arrives is parsed with
// mailparser: headers (UTF-8 names and subjects, the Message-ID from the delivery key), the HTML and
// text parts, the .ics invitation. On PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ICAL from "ical.js";
import type { AddressObject, ParsedMail } from "mailparser";
import { listNotifications } from "../../src/api/data/notifications.ts";
import type { Effect } from "../../src/engine/types.ts";
import { listMail } from "../../src/notify/mail-store.ts";
import { messageIdOf } from "../../src/notify/mailer.ts";
import { meetingUid } from "../../src/notify/meetings.ts";
import { dispatchOutbox, enqueueEffects, listOutbox } from "../../src/store/outbox.ts";
import { runDueTicks } from "../../src/store/scheduler.ts";
import type { FreshDatabase } from "../store/support/backends.ts";
import { testBackends } from "../store/support/backends.ts";
import { Driver } from "./driver.ts";
import {
  assignTeam,
  type ChatTestServer,
  CLIENT,
  FROM,
  publishBuiltIn,
  type SmtpTestServer,
  seedPeople,
  startChatServer,
  startSmtpServer,
  type World,
  world,
} from "./support.ts";

const BACKENDS = await testBackends();
const T0 = "2026-03-02T08:00:00.000Z"; // Monday 09:00 in Berlin

function to(mail: ParsedMail): { name: string; address: string | undefined }[] {
  const list = ([] as AddressObject[]).concat(mail.to ?? []);
  return list.flatMap((a) => a.value.map((v) => ({ name: v.name, address: v.address })));
}

for (const backend of BACKENDS) {
  describe(`notifications delivered through the outbox (${backend.name})`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let smtp: SmtpTestServer;
    let chat: ChatTestServer;
    let w: World;
    let now = T0;
    const projectId = "p-globex";

    async function queue(effects: readonly Effect[], version: number) {
      await fresh.database.db.transaction().execute((trx) => enqueueEffects(trx, projectId, version, 1, effects, now));
    }
    const dispatch = () => dispatchOutbox(fresh.database, now, { handlers: w.notifications.handlers() });

    before(async () => {
      fresh = await backend.fresh();
      smtp = await startSmtpServer();
      chat = await startChatServer();
      w = world(fresh.database, { smtpUrl: smtp.url, chatUrl: chat.url, clock: () => now });
      const published = await publishBuiltIn(w.service, "onb-001", T0);
      await seedPeople(fresh.database, T0);
      await w.service.startProject({
        playbook: published,
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
      await smtp?.close();
      await chat?.close();
      await fresh?.dispose();
    });

    test("an email effect: the template rendered per recipient, UTF-8 headers, Message-ID from the delivery key, both parts", async () => {
      await queue([{ kind: "email", to: ["client_primary_contact", "csm"], template: "ONB-001-WELCOME" }], 100);
      const result = await dispatch();
      assert.deepEqual(result, { claimed: 1, delivered: 1, retried: 0, failed: 0 });
      const messages = await smtp.waitFor(2);
      const [entry] = (await listOutbox(fresh.database.db)).filter((e) => e.effect.kind === "email");
      assert.ok(entry);
      const byAddress = new Map(messages.map((m) => [to(m)[0]?.address, m]));
      const client = byAddress.get("juergen@globex.example");
      assert.ok(client, "the client's primary contact got it");
      assert.deepEqual(to(client), [{ name: "Jürgen Groß", address: "juergen@globex.example" }]);
      assert.deepEqual(client.from?.value, [{ name: "Onboard at Acmé", address: "onboard@acme.example" }]);
      assert.equal(client.subject, "Welcome to Acmé Corp - Onboarding Kickoff Scheduled");
      assert.equal(client.messageId, messageIdOf(`${entry.key}/c-pm`, FROM));
      assert.match(client.messageId ?? "", /^<p-globex\.100\.1\/c-pm@acme\.example>$|^<[^@]+@acme\.example>$/);
      assert.match(client.text ?? "", /^Dear Globex Ltd,/);
      assert.match(client.text ?? "", /Best regards,\nZoë Müller/);
      assert.match(String(client.html), /<p>Dear Globex Ltd,<\/p>/);
      assert.equal(byAddress.get("zoe@acme.example")?.subject, client.subject, "the CSM (a team account) too");
      // Recorded for the app as well.
      const listed = await listMail(w.notifications.db, { projectId });
      assert.deepEqual(listed.map((m) => m.to[0]?.address).sort(), ["juergen@globex.example", "zoe@acme.example"]);
      assert.ok(listed.every((m) => m.transport === "smtp" && m.sentAt !== undefined));
    });

    test("a retried delivery sends nothing twice (the mail is keyed by delivery and recipient)", async () => {
      const before = smtp.messages.length;
      const [entry] = (await listOutbox(fresh.database.db)).filter((e) => e.effect.kind === "email");
      assert.ok(entry);
      const handler = w.notifications.handlers().email;
      assert.ok(handler && entry.effect.kind === "email");
      await handler(entry.effect, { outboxId: entry.id, key: entry.key, projectId, attempt: 2, signal: new AbortController().signal });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(smtp.messages.length, before);
    });

    test("the kickoff is scheduled: the playbook's rule sends the invitation, an .ics every attendee's calendar reads", async () => {
      const driver = new Driver(w.service, (await w.service.contextOf(await w.service.getProject(projectId))).model.playbook, projectId);
      now = "2026-03-02T10:00:00.000Z";
      for (const id of ["sales_handoff", "internal_setup", "welcome_email"]) {
        const def = driver.playbook.phases.flatMap((p) => p.steps).find((s) => s.id === id);
        assert.ok(def);
        await driver.work(def, now);
      }
      assert.equal((await driver.state()).steps.kickoff_meeting?.status, "open", driver.refused.join("\n"));
      await driver.send({ type: "start_step", step: "kickoff_meeting" }, { id: "u-csm", kind: "user", roles: ["csm"] }, now);
      const before = smtp.messages.length;
      const result = await dispatch();
      assert.equal(result.failed, 0);
      const invites = (await smtp.waitFor(before + 7)).slice(before).filter((m) => m.subject?.startsWith("Invitation:"));
      assert.equal(invites.length, 7, "the seven attendees of the kickoff");
      const tina = invites.find((m) => to(m)[0]?.address === "tina@globex.example");
      assert.ok(tina);
      assert.equal(tina.subject, "Invitation: 2.1 Kickoff Meeting (Globex Ltd)");
      const ics = tina.attachments.find((a) => a.contentType === "text/calendar");
      assert.ok(ics, "the .ics is attached");
      assert.equal(ics.filename, "kickoff_meeting.ics");
      const calendar = new ICAL.Component(ICAL.parse(ics.content.toString("utf8")));
      for (const tz of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
      const vevent = calendar.getFirstSubcomponent("vevent");
      assert.ok(vevent);
      const event = new ICAL.Event(vevent);
      assert.equal(event.uid, meetingUid(projectId, "kickoff_meeting"));
      assert.equal(vevent.getFirstProperty("dtstart")?.getParameter("tzid"), "Europe/Berlin");
      assert.equal(event.startDate.hour, 11, "the next full working hour after the step started (10:00Z = 11:00 in Berlin)");
      assert.equal(event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime(), 60 * 60_000, "60 minutes");
      assert.equal(event.organizer.toLowerCase(), "mailto:zoe@acme.example");
      assert.equal(event.attendees.length, 6);
      assert.match(tina.text ?? "", /When: Monday, 2 March 2026, 11:00 \(Europe\/Berlin\)/);
    });

    test("an escalation: mail to the role and a Block Kit message to the Slack webhook", async () => {
      const posted = chat.posts.length;
      await queue([{ kind: "escalate", to: "sales_ae", reason: "{{client.company}}: ticket unresolved for 24 hours" }], 200);
      const result = await dispatch();
      assert.equal(result.delivered, 1);
      assert.equal(chat.posts.length, posted + 1);
      const post = chat.posts.at(-1);
      assert.ok(post);
      assert.equal(post.headers["content-type"], "application/json; charset=utf-8");
      const [header, section, fields, actions] = post.body.blocks as {
        type: string;
        text?: { text: string };
        fields?: { text: string }[];
        elements?: { url: string }[];
      }[];
      assert.equal(header?.type, "header");
      assert.equal(header?.text?.text, "Escalation: Globex Ltd");
      assert.match(section?.text?.text ?? "", /Globex Ltd: ticket unresolved for 24 hours/);
      assert.ok(fields?.fields?.some((f) => f.text.includes("Sales Account Executive (Alex Seller)")));
      assert.equal(actions?.elements?.[0]?.url, `https://onboard.example.com/app/projects/${projectId}`);
      const mail = (await smtp.waitFor(smtp.messages.length)).find((m) => m.subject === "Escalation: Globex Ltd");
      assert.equal(to(mail as ParsedMail)[0]?.address, "alex@acme.example");
    });

    test("SLA breaches become chat alerts through the outbox, once per breach", async () => {
      now = "2026-03-20T08:00:00.000Z";
      await runDueTicks(fresh.database, now);
      const overdue = (await w.service.listEvents(projectId)).filter((e) => e.event.type === "step.overdue");
      assert.ok(overdue.length > 0, "steps left undone are overdue");
      const posted = chat.posts.length;
      assert.equal(await w.notifications.queueChatAlerts(now), overdue.length);
      assert.equal(await w.notifications.queueChatAlerts(now), 0, "each event is alerted once");
      await dispatch();
      const alerts = chat.posts.slice(posted).filter((p) => p.body.text.startsWith("Globex Ltd: SLA breach"));
      assert.equal(alerts.length, overdue.length);
      const blocks = alerts[0]?.body.blocks as { type: string; text?: { text: string } }[];
      assert.equal(blocks[0]?.text?.text, "Globex Ltd: SLA breach");
      assert.match(blocks[1]?.text?.text ?? "", /^:hourglass: SLA breach: ".+" was due .+ and is not done\.$/);
      assert.ok(alerts.every((a) => String(a.headers["x-onboard-key"]).includes("@event")));
    });

    test("notify: in-app rows per person, email through the template engine", async () => {
      await queue(
        [
          { kind: "notify", to: ["csm"], message: "The client {{client.name}} submitted an NPS score below 7.", channel: "in_app" },
          { kind: "notify", to: ["csm"], message: "Kickoff with {{client.name}} is booked.", channel: "email" },
        ],
        300,
      );
      assert.equal((await dispatch()).delivered, 2);
      assert.deepEqual(
        (await listNotifications(w.notifications.db, "u-csm", { limit: 100 })).map((n) => n.message),
        ["The client Globex Ltd submitted an NPS score below 7."],
      );
      const mail = (await smtp.waitFor(smtp.messages.length)).find((m) => m.subject === "Globex Ltd: Kickoff with Globex Ltd is booked.");
      assert.ok(mail);
    });
  });
}
