// Invitations that follow their meetings, delivered through the outbox to a real SMTP server and
// read with ical.js: a weekly series with its end (UNTIL) that ical.js expands to the meetings the
// engine holds across a daylight saving change; a kickoff that moves with a hold (REQUEST, same
// UID, next SEQUENCE) and is cancelled with the project (CANCEL); a series cut short when its phase
// is done early (the remaining occurrences cancelled, the held ones kept); retried deliveries and
// updates with nothing new send nothing. On PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ICAL from "ical.js";
import type { AddressObject, ParsedMail } from "mailparser";
import type { Actor, Command, Effect } from "../../src/engine/types.ts";
import { addContact } from "../../src/notify/directory.ts";
import { meetingUid } from "../../src/notify/meetings.ts";
import { notifyDb } from "../../src/notify/tables.ts";
import { dispatchOutbox, enqueueEffects, listOutbox, type OutboxEffect } from "../../src/store/outbox.ts";
import { runDueTicks } from "../../src/store/scheduler.ts";
import type { FreshDatabase } from "../store/support/backends.ts";
import { testBackends } from "../store/support/backends.ts";
import { edited } from "../support/fixtures.ts";
import { CLIENT, MANAGER, type SmtpTestServer, seedPeople, startSmtpServer, type World, world } from "./support.ts";

const BACKENDS = await testBackends();
const T0 = "2026-03-02T08:00:00.000Z"; // Monday 09:00 in Berlin

/** The minimal playbook with a client at the kickoff, its invitation rule, and a weekly status during implementation. */
const PLAYBOOK = edited([
  [["phases", 0, "steps", 1, "meeting"], { length: "1 hour", attendees: ["client_primary"] }],
  [
    ["cadences"],
    [
      {
        id: "weekly_status",
        title: "Weekly status",
        owner: "csm",
        every: "1 week",
        during: "implementation",
        kind: "meeting",
        instructions: ["Review progress against the plan"],
      },
    ],
  ],
  [
    ["rules"],
    [
      {
        id: "invite_kickoff",
        title: "Kickoff scheduled: send the invitation",
        category: "automation",
        on: "meeting.scheduled",
        actions: [{ send_invite: { meeting: "kickoff_call" } }],
      },
    ],
  ],
]);

const CSM: Actor = { id: "u-csm", kind: "user", roles: ["csm"] };
const AE: Actor = { id: "u-ae", kind: "user", roles: ["ae"] };
const CLIENT_PRIMARY: Actor = { id: "c-primary", kind: "contact", roles: ["client_primary"] };

const to = (mail: ParsedMail) => ([] as AddressObject[]).concat(mail.to ?? []).flatMap((a) => a.value.map((v) => v.address));

function calendarOf(mail: ParsedMail) {
  const ics = mail.attachments.find((a) => a.contentType === "text/calendar");
  assert.ok(ics, `${mail.subject} has an .ics`);
  const calendar = new ICAL.Component(ICAL.parse(ics.content.toString("utf8")));
  for (const tz of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(tz);
  const vevents = calendar.getAllSubcomponents("vevent");
  assert.ok(vevents[0]);
  return { calendar, method: calendar.getFirstPropertyValue("method"), vevents, event: new ICAL.Event(vevents[0]) };
}

function expand(event: ICAL.Event): string[] {
  const starts: string[] = [];
  const it = event.iterator();
  for (let next = it.next(); next; next = it.next()) {
    starts.push(next.toJSDate().toISOString());
    assert.ok(starts.length < 500, "the series ends");
  }
  return starts;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

for (const backend of BACKENDS) {
  describe(`invitations that follow their meetings (${backend.name})`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let smtp: SmtpTestServer;
    let w: World;
    let now = T0;
    const dispatch = async () => {
      const result = await dispatchOutbox(fresh.database, now, { handlers: w.notifications.handlers() });
      assert.equal(result.failed + result.retried, 0, `a delivery failed at ${now}`);
      return result;
    };
    const run = (projectId: string, command: Command, actor: Actor, at: string) => {
      now = at;
      return w.service.runCommand(projectId, { command, actor, now: at });
    };
    /** The messages that arrive while `work` runs. */
    const arriving = async (work: () => Promise<unknown>) => {
      const before = smtp.messages.length;
      await work();
      await settle();
      return smtp.messages.slice(before);
    };
    async function start(projectId: string): Promise<void> {
      const published = await w.service.publishPlaybook(PLAYBOOK, { file: "minimal.yaml", now: T0 });
      await w.service.startProject({
        playbook: published,
        input: { projectId, client: CLIENT, facts: { data_migration: false } },
        now: T0,
      });
      await run(projectId, { type: "assign", role: "csm", person: "u-csm" }, MANAGER, T0);
      await run(projectId, { type: "assign", role: "ae", person: "u-ae" }, MANAGER, T0);
      await run(projectId, { type: "complete_step", step: "handoff" }, AE, "2026-03-02T09:00:00.000Z");
    }
    /** Redeliver an outbox entry as a retry would (same delivery key, next attempt). */
    async function retry(entry: { id: string; key: string; effect: OutboxEffect }, projectId: string): Promise<void> {
      const handlers = w.notifications.handlers();
      const handler = handlers[entry.effect.kind] as (effect: OutboxEffect, delivery: unknown) => Promise<void>;
      await handler(entry.effect, { outboxId: entry.id, key: entry.key, projectId, attempt: 2, signal: new AbortController().signal });
    }

    before(async () => {
      fresh = await backend.fresh();
      smtp = await startSmtpServer(() => now);
      w = world(fresh.database, { smtpUrl: smtp.url, clock: () => now });
      await seedPeople(fresh.database, T0);
      await addContact(
        notifyDb(fresh.database),
        { id: "c-primary", clientId: CLIENT.id, name: "Paula Primary", email: "paula@globex.example", roles: ["client_primary"] },
        T0,
      );
    });
    after(async () => {
      await smtp?.close();
      await fresh?.dispose();
    });

    describe("a kickoff that moves and is cancelled", () => {
      const projectId = "p-kickoff";
      const uid = meetingUid(projectId, "kickoff_call");
      let moveKey: string | undefined;

      test("scheduled: the invitation goes to the CSM and the client, SEQUENCE 0", async () => {
        await start(projectId);
        const mails = await arriving(async () => {
          await run(projectId, { type: "start_step", step: "kickoff_call" }, CSM, "2026-03-02T09:30:00.000Z");
          await dispatch();
        });
        assert.deepEqual(mails.map((m) => to(m)[0]).sort(), ["paula@globex.example", "zoe@acme.example"]);
        for (const mail of mails) {
          assert.equal(mail.subject, "Invitation: Kickoff call (Globex Ltd)");
          const { method, event } = calendarOf(mail);
          assert.equal(method, "REQUEST");
          assert.equal(event.uid, uid);
          assert.equal(event.sequence, 0);
          assert.equal(event.startDate.toJSDate().toISOString(), "2026-03-02T10:00:00.000Z", "the next full hour, 11:00 in Berlin");
        }
      });

      test("moved by a two-day hold: an updated REQUEST, the same UID, SEQUENCE 1, two days later", async () => {
        await run(projectId, { type: "hold", reason: "Client reorganising" }, MANAGER, "2026-03-02T09:40:00.000Z");
        const mails = await arriving(async () => {
          await run(projectId, { type: "resume", reason: "Back" }, MANAGER, "2026-03-04T09:40:00.000Z");
          await dispatch();
        });
        assert.deepEqual(mails.map((m) => to(m)[0]).sort(), ["paula@globex.example", "zoe@acme.example"]);
        const paula = mails.find((m) => to(m)[0] === "paula@globex.example");
        assert.ok(paula);
        assert.equal(paula.subject, "Updated invitation: Kickoff call (Globex Ltd)");
        assert.match(paula.text ?? "", /has moved \(the project resumed after a hold\)/);
        assert.match(paula.text ?? "", /When: Wednesday, 4 March 2026, 11:00 \(Europe\/Berlin\)/);
        const { method, event, vevents } = calendarOf(paula);
        assert.equal(method, "REQUEST");
        assert.equal(vevents[0]?.getFirstPropertyValue("status"), null);
        assert.equal(event.uid, uid);
        assert.equal(event.sequence, 1);
        assert.equal(event.startDate.toJSDate().toISOString(), "2026-03-04T10:00:00.000Z");
        assert.equal(event.startDate.hour, 11);
        const entry = (await listOutbox(fresh.database.db, { projectId })).find(
          (e) => e.effect.kind === "update_invite" && e.effect.change === "moved" && e.status === "delivered",
        );
        assert.ok(entry);
        moveKey = entry.key;
      });

      test("a retried delivery of the update sends nothing again", async () => {
        const entry = (await listOutbox(fresh.database.db, { projectId })).find((e) => e.key === moveKey);
        assert.ok(entry);
        assert.deepEqual(await arriving(() => retry(entry, projectId)), []);
      });

      test("an update with nothing new (the meeting is where the last invitation put it) sends nothing", async () => {
        const effect: Effect = { kind: "update_invite", meeting: "kickoff_call", change: "moved", at: now, why: "checked again" };
        const mails = await arriving(async () => {
          await fresh.database.db.transaction().execute((trx) => enqueueEffects(trx, projectId, 900, 1, [effect], now));
          assert.equal((await dispatch()).delivered, 1);
        });
        assert.deepEqual(mails, []);
      });

      test("the project cancelled before the meeting: a CANCEL, STATUS:CANCELLED, the same UID, SEQUENCE 2; once", async () => {
        const mails = await arriving(async () => {
          await run(projectId, { type: "cancel", reason: "Deal reopened in CRM" }, MANAGER, "2026-03-04T09:50:00.000Z");
          await dispatch();
        });
        assert.deepEqual(mails.map((m) => to(m)[0]).sort(), ["paula@globex.example", "zoe@acme.example"]);
        const paula = mails.find((m) => to(m)[0] === "paula@globex.example");
        assert.ok(paula);
        assert.equal(paula.subject, "Cancelled: Kickoff call (Globex Ltd)");
        assert.match(
          paula.text ?? "",
          /"Kickoff call" for Globex Ltd \(Wednesday, 4 March 2026, 11:00 \(Europe\/Berlin\)\) is cancelled: the project was cancelled\./,
        );
        const { method, event, vevents } = calendarOf(paula);
        assert.equal(method, "CANCEL");
        assert.equal(vevents.length, 1);
        assert.equal(vevents[0]?.getFirstPropertyValue("status"), "CANCELLED");
        assert.equal(event.uid, uid);
        assert.equal(event.sequence, 2);
        assert.equal(event.startDate.toJSDate().toISOString(), "2026-03-04T10:00:00.000Z", "the meeting as the attendees have it");

        const entry = (await listOutbox(fresh.database.db, { projectId })).find(
          (e) => e.effect.kind === "update_invite" && e.effect.change === "cancelled",
        );
        assert.ok(entry);
        assert.deepEqual(await arriving(() => retry(entry, projectId)), [], "a retried cancellation is not sent again");
        const again: Effect = { kind: "update_invite", meeting: "kickoff_call", change: "cancelled", at: now, why: "again" };
        const moved: Effect = { kind: "update_invite", meeting: "kickoff_call", change: "moved", at: now, why: "again" };
        const later = await arriving(async () => {
          await fresh.database.db.transaction().execute((trx) => enqueueEffects(trx, projectId, 901, 1, [again, moved], now));
          await dispatch();
        });
        assert.deepEqual(later, [], "a cancelled meeting is neither cancelled again nor moved");
      });
    });

    describe("a weekly series with an end, cut short when its phase is done early", () => {
      const projectId = "p-series";
      const uid = meetingUid(projectId, "weekly_status");
      let invitation: ParsedMail | undefined;

      test("planning it sends the series, a week ahead: weekly, until the end of working day 45, to the CSM and the client", async () => {
        await start(projectId);
        await run(projectId, { type: "start_step", step: "kickoff_call" }, CSM, "2026-03-02T09:30:00.000Z");
        await run(projectId, { type: "approve", step: "kickoff_call", role: "client_primary" }, CLIENT_PRIMARY, "2026-03-04T11:00:00.000Z");
        await dispatch();
        const mails = await arriving(async () => {
          await run(projectId, { type: "complete_step", step: "kickoff_call" }, CSM, "2026-03-04T12:00:00.000Z");
          await dispatch();
        });
        const state = (await w.service.getProject(projectId)).state;
        assert.equal(state.cadences.weekly_status?.nextAt, "2026-03-11T12:00:00.000Z", "a week after implementation opened");
        const atFirstMeeting = await arriving(async () => {
          now = "2026-03-11T12:00:00.000Z";
          await runDueTicks(fresh.database, now);
          await dispatch();
        });
        assert.deepEqual(
          atFirstMeeting.filter((m) => /Weekly status/.test(m.subject ?? "")),
          [],
          "its first meeting sends nothing more: the series is in calendars",
        );
        const series = mails.filter((m) => m.subject === "Invitation: Weekly status (Globex Ltd)");
        assert.deepEqual(series.map((m) => to(m)[0]).sort(), ["paula@globex.example", "zoe@acme.example"]);
        invitation = series.find((m) => to(m)[0] === "paula@globex.example");
        assert.ok(invitation);
        assert.match(invitation.text ?? "", /Repeats: every week, until Thursday, 16 April 2026/);
      });

      test("ical.js expands it to six Wednesdays at 13:00 in Berlin, before and after the change to summer time", () => {
        assert.ok(invitation);
        const { method, event, vevents } = calendarOf(invitation);
        assert.equal(method, "REQUEST");
        assert.equal(event.uid, uid);
        assert.equal(event.sequence, 0);
        const rrule = vevents[0]?.getFirstPropertyValue("rrule") as ICAL.Recur;
        // "Days 11-45" from Monday 2 March: working day 45 ends Thursday 16 April, 17:00 CEST.
        assert.equal(rrule.until?.toJSDate().toISOString(), "2026-04-16T15:00:00.000Z");
        const starts = expand(event);
        assert.deepEqual(starts, [
          "2026-03-11T12:00:00.000Z",
          "2026-03-18T12:00:00.000Z",
          "2026-03-25T12:00:00.000Z",
          "2026-04-01T11:00:00.000Z",
          "2026-04-08T11:00:00.000Z",
          "2026-04-15T11:00:00.000Z",
        ]);
        const berlin = new Intl.DateTimeFormat("en-GB", {
          timeZone: "Europe/Berlin",
          weekday: "short",
          hour: "2-digit",
          minute: "2-digit",
        });
        assert.deepEqual(new Set(starts.map((s) => berlin.format(new Date(s)))), new Set(["Wed 13:00"]));
      });

      test("the engine holds its meetings at those instants", async () => {
        await runDueTicks(fresh.database, "2026-03-18T12:00:00.000Z");
        now = "2026-03-25T12:00:00.000Z";
        await runDueTicks(fresh.database, now);
        await dispatch();
        const events = (await w.service.listEvents(projectId)).map((e) => e.event);
        const held = events.flatMap((e) => (e.type === "cadence.occurred" && e.cadence === "weekly_status" ? [e.at] : []));
        assert.deepEqual(held, ["2026-03-11T12:00:00.000Z", "2026-03-18T12:00:00.000Z", "2026-03-25T12:00:00.000Z"]);
        assert.equal((await w.service.getProject(projectId)).state.cadences.weekly_status?.nextAt, "2026-04-01T11:00:00.000Z");
      });

      test("implementation done early: the three meetings left are cancelled (RECURRENCE-ID each, SEQUENCE 1), the held ones stay", async () => {
        await run(projectId, { type: "submit_form", step: "uat", values: { failed_scenarios: 0 } }, CSM, "2026-03-26T09:00:00.000Z");
        await run(projectId, { type: "complete_step", step: "uat" }, CSM, "2026-03-26T09:10:00.000Z");
        const mails = await arriving(async () => {
          await run(projectId, { type: "complete_step", step: "go_live" }, CSM, "2026-03-26T10:00:00.000Z");
          await dispatch();
        });
        assert.equal((await w.service.getProject(projectId)).state.status, "closed");
        const cancelled = mails.filter((m) => m.subject === "Cancelled: Weekly status (Globex Ltd)");
        assert.deepEqual(cancelled.map((m) => to(m)[0]).sort(), ["paula@globex.example", "zoe@acme.example"]);
        const paula = cancelled.find((m) => to(m)[0] === "paula@globex.example");
        assert.ok(paula);
        assert.match(paula.text ?? "", /The remaining 3 meetings of "Weekly status" for Globex Ltd, from Wednesday, 1 April 2026, 13:00/);
        const { method, vevents } = calendarOf(paula);
        assert.equal(method, "CANCEL");
        assert.deepEqual(
          vevents.map((v) => {
            const e = new ICAL.Event(v);
            return [e.uid, e.sequence, v.getFirstPropertyValue("status"), e.recurrenceId?.toJSDate().toISOString()];
          }),
          [
            [uid, 1, "CANCELLED", "2026-04-01T11:00:00.000Z"],
            [uid, 1, "CANCELLED", "2026-04-08T11:00:00.000Z"],
            [uid, 1, "CANCELLED", "2026-04-15T11:00:00.000Z"],
          ],
        );
        const entry = (await listOutbox(fresh.database.db, { projectId })).find(
          (e) => e.effect.kind === "update_invite" && e.effect.meeting === "weekly_status",
        );
        assert.ok(entry);
        assert.deepEqual(await arriving(() => retry(entry, projectId)), [], "a retried cancellation is not sent again");
      });
    });
  });
}
