// Issue #7's end-to-end run: a simulated client goes through ONB-001 (seed 001: the playbook with
// a kickoff invitation rule, an NPS survey 30 days after go-live and "NPS < 7: alert the CSM") in the
// store, with the clock moving: the team works each open step on working days, the scheduler
// (runDueTicks) wakes the project whenever something comes due, and the outbox dispatcher delivers
// with the notification handlers to a real SMTP server and a real HTTP server standing in for
// Slack. The right mail arrives at the right business times, the invitation parses, and a survey
// answer below 7 raises the alert.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ICAL from "ical.js";
import type { AddressObject, ParsedMail } from "mailparser";
import { listNotifications } from "../../src/api/data/notifications.ts";
import { nextWakeAt } from "../../src/engine/index.ts";
import type { Step } from "../../src/playbook/schema.ts";
import { dispatchOutbox } from "../../src/store/outbox.ts";
import { runDueTicks } from "../../src/store/scheduler.ts";
import type { FreshDatabase } from "../store/support/backends.ts";
import { testBackends } from "../store/support/backends.ts";
import { Driver } from "./driver.ts";
import {
  assignTeam,
  type ChatTestServer,
  CLIENT,
  publishBuiltIn,
  type SmtpTestServer,
  seedPeople,
  startChatServer,
  startSmtpServer,
  type World,
  world,
} from "./support.ts";

const BACKENDS = await testBackends();
const START = "2026-03-02T08:00:00.000Z"; // Monday 09:00 in Berlin
const DAY = 86_400_000;
const projectId = "p-e2e";

const to = (mail: ParsedMail) => ([] as AddressObject[]).concat(mail.to ?? []).flatMap((a) => a.value.map((v) => v.address));
const berlin = (at: string) =>
  new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Berlin",
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(at));

for (const backend of BACKENDS) {
  describe(`end to end: ONB-001 with mail, invitations, a survey and chat (${backend.name})`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let smtp: SmtpTestServer;
    let chat: ChatTestServer;
    let w: World;
    let driver: Driver;
    let now = START;
    let goLiveAt: string | undefined;
    let surveyAnsweredAt: string | undefined;

    async function deliver(): Promise<void> {
      await w.notifications.queueChatAlerts(now);
      for (let i = 0; i < 20; i++) {
        const result = await dispatchOutbox(fresh.database, now, { handlers: w.notifications.handlers() });
        assert.equal(result.failed + result.retried, 0, `a delivery failed at ${now}`);
        if (result.claimed === 0) break;
      }
    }

    /** Tick at every moment the project asks for until `until`, delivering after each. */
    async function scheduleUntil(until: string): Promise<void> {
      for (let i = 0; i < 50; i++) {
        const wake = nextWakeAt(await driver.state());
        if (wake === undefined || wake > until) break;
        if (wake > now) now = wake;
        await runDueTicks(fresh.database, now);
        await deliver();
      }
      now = until;
    }

    before(async () => {
      fresh = await backend.fresh();
      smtp = await startSmtpServer(() => now);
      chat = await startChatServer();
      w = world(fresh.database, { smtpUrl: smtp.url, chatUrl: chat.url, clock: () => now });
      const published = await publishBuiltIn(w.service, "onb-001", START);
      await seedPeople(fresh.database, START);
      await w.service.startProject({
        playbook: published,
        input: {
          projectId,
          client: CLIENT,
          facts: { account_type: "smb", project_duration_weeks: 8 },
          params: { company_name: "Acmé Corp" },
        },
        now: START,
      });
      await assignTeam(w.service, projectId, START);
      const project = await w.service.getProject(projectId);
      driver = new Driver(w.service, (await w.service.contextOf(project)).model.playbook, projectId);

      // The team works at 10:00 in Berlin on working days: a step with its own deadline is done the
      // working day before it, one bounded only by its phase after two days (as simulate.ts does).
      const ready = (def: Step, step: { openedAt: string; dueAt?: string | undefined }, at: string) => {
        const waited = Math.floor((Date.parse(at) - Date.parse(step.openedAt)) / DAY);
        const left = step.dueAt ? Math.max(0, Math.floor((Date.parse(step.dueAt) - Date.parse(step.openedAt)) / DAY) - 1) : 2;
        return waited >= (def.due ? left : Math.min(2, left));
      };
      for (let day = 0; day <= 130; day++) {
        const morning = new Date(Date.parse(START) + day * DAY).toISOString();
        await scheduleUntil(morning);
        const weekday = new Date(morning).getUTCDay();
        if (weekday !== 0 && weekday !== 6) {
          now = new Date(Date.parse(morning) + 3_600_000).toISOString();
          const state = await driver.state();
          for (const phase of driver.playbook.phases)
            for (const def of phase.steps) {
              const s = state.steps[def.id];
              if (
                s?.openedAt &&
                (s.status === "open" || s.status === "in_progress") &&
                ready(def, { openedAt: s.openedAt, dueAt: s.dueAt }, now)
              )
                await driver.work(def, now);
            }
          await deliver();
        }
        const state = await driver.state();
        goLiveAt ??= state.goLiveAt;
        // The client answers the NPS survey the day its mail arrives, with a 5.
        const survey = smtp.arrivals.find((a) => a.mail.subject?.startsWith("NPS survey"));
        if (survey && surveyAnsweredAt === undefined) {
          const token = /#token=([A-Za-z0-9_.-]+)/.exec(survey.mail.text ?? "")?.[1];
          assert.ok(token, "the survey mail has the link");
          now = new Date(Date.parse(morning) + 5 * 3_600_000).toISOString();
          await w.notifications.answerSurvey(token, { score: 5, comment: "Training came late" });
          surveyAnsweredAt = now;
          await deliver();
        }
        if (surveyAnsweredAt && state.status === "closed") break;
      }
    });
    after(async () => {
      await smtp?.close();
      await chat?.close();
      await fresh?.dispose();
    });

    test("the team's work was accepted and the project went live", () => {
      assert.deepEqual(driver.refused, []);
      assert.ok(goLiveAt, "went live");
    });

    test("the kickoff invitation reaches its seven attendees when the kickoff is scheduled, at a working hour in Berlin", async () => {
      const invites = smtp.arrivals.filter((a) => a.mail.subject === "Invitation: 2.1 Kickoff Meeting (Globex Ltd)");
      assert.equal(invites.length, 7);
      const events = (await w.service.listEvents(projectId)).map((e) => e.event);
      const started = events.find((e) => e.type === "step.started" && e.step === "kickoff_meeting");
      assert.ok(started);
      for (const invite of invites) assert.equal(invite.at, started.at, "sent when the meeting was scheduled");
      assert.match(berlin(started.at), /^(Mon|Tue|Wed|Thu|Fri) 10:00$/, "the team schedules at 10:00 on a working day");
      const ics = invites[0]?.mail.attachments.find((a) => a.contentType === "text/calendar");
      assert.ok(ics);
      const calendar = new ICAL.Component(ICAL.parse(ics.content.toString("utf8")));
      for (const tz of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
      const vevent = calendar.getFirstSubcomponent("vevent");
      assert.ok(vevent);
      const event = new ICAL.Event(vevent);
      assert.equal(vevent.getFirstProperty("dtstart")?.getParameter("tzid"), "Europe/Berlin");
      assert.equal(event.startDate.hour, 10, "the meeting is at the working hour it was scheduled");
      assert.equal(event.startDate.toJSDate().toISOString(), started.at);
      assert.deepEqual(invites.map((i) => to(i.mail)[0]).sort(), [
        "erik@globex.example",
        "ivan@acme.example",
        "juergen@globex.example",
        "sam@acme.example",
        "tara@acme.example",
        "tina@globex.example",
        "zoe@acme.example",
      ]);
    });

    test("reminders arrive in the 24 hours before a deadline, to the step's owner", async () => {
      const reminders = smtp.arrivals.filter((a) => a.mail.subject?.startsWith("Reminder:"));
      assert.ok(reminders.length > 0, "deadlines came with reminders");
      const events = (await w.service.listEvents(projectId)).map((e) => e.event);
      for (const reminder of reminders) {
        const reminded = events.find((e) => e.type === "step.reminded" && e.at === reminder.at);
        assert.ok(reminded && reminded.type === "step.reminded", `a step.reminded event at ${reminder.at}`);
        const due = (await driver.state()).steps[reminded.step]?.dueAt;
        assert.ok(due && Date.parse(due) - Date.parse(reminder.at) <= DAY && Date.parse(due) > Date.parse(reminder.at));
        const owner = driver.playbook.phases.flatMap((p) => p.steps).find((s) => s.id === reminded.step)?.owner;
        assert.ok(owner);
      }
    });

    test("the NPS survey goes out at the 30-day check-in, once, to the primary contact, with a signed link", async () => {
      // ONB-001 sends it twice (the check-in step's `survey:` and "Day 30 after go_live"): one mail.
      const surveys = smtp.arrivals.filter((a) => a.mail.subject === "NPS survey: Globex Ltd");
      assert.equal(surveys.length, 1);
      const [survey] = surveys;
      assert.ok(survey && goLiveAt);
      assert.deepEqual(to(survey.mail), ["juergen@globex.example"]);
      const events = (await w.service.listEvents(projectId)).map((e) => e.event);
      const checkin = events.find((e) => e.type === "step.completed" && e.step === "checkin_30_day");
      assert.equal(survey.at, checkin?.at, "sent when the check-in was done");
      assert.ok(
        events.some((e) => e.type === "survey.sent" && e.survey === "nps_survey"),
        "the scheduled send came too, and sent nothing more",
      );
      const days = (Date.parse(survey.at) - Date.parse(goLiveAt)) / DAY;
      assert.ok(days > 28 && days < 32, `${days} days after go-live`);
      const due = (await driver.state()).steps.checkin_30_day?.dueAt;
      assert.ok(due && survey.at <= due, `before the check-in's deadline (${due})`);
      assert.match(berlin(survey.at), /^(Mon|Tue|Wed|Thu|Fri) (09|1[0-6]):\d\d$/, "in business hours");
      assert.match(survey.mail.text ?? "", /How likely are you to recommend Acmé Corp to a friend or colleague\?/);
      assert.match(survey.mail.text ?? "", /https:\/\/onboard\.example\.com\/portal\/survey#token=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{32}/);
    });

    test("an NPS of 5 raises the alert: the playbook's rule notifies the CSM in the app, Slack gets the low score", async () => {
      assert.ok(surveyAnsweredAt);
      const events = (await w.service.listEvents(projectId)).map((e) => e.event);
      const answered = events.find((e) => e.type === "survey.answered");
      assert.equal(answered?.actor, "c-pm");
      assert.ok(events.some((e) => e.type === "rule.fired" && e.rule === "nps_alert_csm" && e.at === surveyAnsweredAt));
      const inApp = await listNotifications(w.notifications.db, "u-csm", { limit: 100 });
      assert.ok(inApp.some((n) => n.message === "The client submitted an NPS score below 7." && n.projectId === projectId));
      const low = chat.posts.find((p) => p.body.text.includes("Low survey score"));
      assert.ok(low, JSON.stringify(chat.posts.map((p) => p.body.text)));
      const [header, section] = low.body.blocks as { text: { text: string } }[];
      assert.equal(header?.text.text, "Globex Ltd: Low survey score");
      assert.match(section?.text.text ?? "", /NPS survey answered 5\/10\. Comment: "Training came late"/);
    });

    test("every mail went out once (Message-IDs unique) with both parts", () => {
      const ids = smtp.messages.map((m) => m.messageId);
      assert.equal(new Set(ids).size, ids.length);
      for (const m of smtp.messages) {
        assert.ok(m.text && m.html, m.subject);
        assert.equal(m.from?.value[0]?.address, "onboard@acme.example");
      }
    });
  });
}
