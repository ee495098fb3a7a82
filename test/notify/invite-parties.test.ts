// No invitation without its people (issue 16, item 10): a REQUEST with no ORGANIZER (nobody holds
// the meeting's owner role) or no client ATTENDEE (the client has no contacts yet) is not mailed.
// The delivery waits, without using up its attempts, and says why: an open issue on the project
// (its page's Issues), the outbox entry's last error, and once in the app to whoever can act. Once
// organizer and contacts exist it goes out, with both in it, and the issue is resolved. Delivered through the outbox to a real SMTP server; on PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ICAL from "ical.js";
import type { AddressObject, ParsedMail } from "mailparser";
import type { Actor, Command } from "../../src/engine/types.ts";
import { addContact } from "../../src/notify/directory.ts";
import { INVITATION_WAIT_MS } from "../../src/notify/notifications.ts";
import { notifyDb } from "../../src/notify/tables.ts";
import { dispatchOutbox, listOutbox } from "../../src/store/outbox.ts";
import { addMs } from "../../src/store/time.ts";
import type { FreshDatabase } from "../store/support/backends.ts";
import { testBackends } from "../store/support/backends.ts";
import { edited } from "../support/fixtures.ts";
import { MANAGER, type SmtpTestServer, seedPeople, startSmtpServer, type World, world } from "./support.ts";

const BACKENDS = await testBackends();
const T0 = "2026-03-02T08:00:00.000Z"; // Monday 09:00 in Berlin
const INITECH = { id: "initech", name: "Initech GmbH", timeZone: "Europe/Berlin", country: "DE" } as const;

/** The minimal playbook, its kickoff with the client and the rule that mails its invitation. */
const PLAYBOOK = edited([
  [["phases", 0, "steps", 1, "meeting"], { length: "1 hour", attendees: ["client_primary"] }],
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

const AE: Actor = { id: "u-ae", kind: "user", roles: ["ae"] };
const to = (mail: ParsedMail) => ([] as AddressObject[]).concat(mail.to ?? []).flatMap((a) => a.value.map((v) => v.address));
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

for (const backend of BACKENDS) {
  describe(`invitations wait for their organizer and attendees (${backend.name})`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let smtp: SmtpTestServer;
    let w: World;
    let now = T0;
    const projectId = "p-waiting";
    const run = (command: Command, actor: Actor, at: string) => {
      now = at;
      return w.service.runCommand(projectId, { command, actor, now: at });
    };
    const dispatchAt = async (at: string) => {
      now = at;
      const before = smtp.messages.length;
      const result = await dispatchOutbox(fresh.database, at, { handlers: w.notifications.handlers() });
      await settle();
      return { result, mails: smtp.messages.slice(before) };
    };
    const invitation = async () => {
      const entry = (await listOutbox(fresh.database.db, { projectId })).find((e) => e.effect.kind === "send_invite");
      assert.ok(entry, "the kickoff's invitation is in the outbox");
      return entry;
    };
    /** The project's open issues' titles: what its page shows under Issues. */
    const openIssues = async () =>
      Object.values((await w.service.getProject(projectId)).state.issues)
        .filter((i) => !i.resolvedAt)
        .map((i) => i.title);
    const notices = () =>
      notifyDb(fresh.database).selectFrom("notifications").select(["person_id", "message"]).where("project_id", "=", projectId).execute();

    before(async () => {
      fresh = await backend.fresh();
      smtp = await startSmtpServer(() => now);
      w = world(fresh.database, { smtpUrl: smtp.url, clock: () => now });
      await seedPeople(fresh.database, T0);
      const db = notifyDb(fresh.database);
      // A client without contacts, and the CS operations lead who assigns people.
      await db
        .insertInto("clients")
        .values({
          id: INITECH.id,
          name: INITECH.name,
          time_zone: INITECH.timeZone,
          country: INITECH.country,
          region: null,
          created_at: T0,
          updated_at: T0,
        })
        .execute();
      await db
        .withTables<{
          users: { id: string; email: string; name: string; roles: string; password_hash: string; created_at: string; updated_at: string };
        }>()
        .insertInto("users")
        .values({
          id: "u-ops",
          email: "olga@acme.example",
          name: "Olga Ops",
          roles: JSON.stringify(["cs_ops"]),
          password_hash: "x",
          created_at: T0,
          updated_at: T0,
        })
        .execute();
      const published = await w.service.publishPlaybook(PLAYBOOK, { file: "minimal.yaml", now: T0 });
      await w.service.startProject({
        playbook: published,
        input: { projectId, client: INITECH, facts: { data_migration: false } },
        now: T0,
      });
      await run({ type: "assign", role: "ae", person: "u-ae" }, MANAGER, T0);
      await run({ type: "complete_step", step: "handoff" }, AE, "2026-03-02T09:00:00.000Z");
      await dispatchAt(now);
    });
    after(async () => {
      await smtp?.close();
      await fresh?.dispose();
    });

    test("no CSM assigned: nothing is mailed, the delivery waits and says why, CS operations are told", async () => {
      await run({ type: "start_step", step: "kickoff_call" }, MANAGER, "2026-03-02T09:30:00.000Z");
      const { result, mails } = await dispatchAt(now);
      assert.deepEqual(mails, [], "no invitation without an organizer");
      assert.equal(result.failed, 0);
      const entry = await invitation();
      assert.equal(entry.status, "pending");
      assert.equal(entry.attempts, 0, "waiting uses up no attempt");
      assert.equal(entry.nextAttemptAt, addMs(now, INVITATION_WAIT_MS));
      assert.equal(
        entry.lastError,
        'Invitation to "Kickoff call" not sent: no Customer Success Manager assigned. It goes out once there is someone to send it to.',
      );
      assert.deepEqual(await notices(), [{ person_id: "u-ops", message: entry.lastError }]);
      assert.deepEqual(await openIssues(), [entry.lastError], "the project page shows it under Issues");
    });

    test("a CSM but no client contacts: still nothing, the CSM is told the client has no contacts yet", async () => {
      await run({ type: "assign", role: "csm", person: "u-csm" }, MANAGER, "2026-03-02T09:35:00.000Z");
      const before = await invitation();
      const early = await dispatchAt("2026-03-02T09:40:00.000Z");
      assert.equal(early.result.claimed, 0, "a waiting invitation is not looked at before its time");
      const { mails } = await dispatchAt(before.nextAttemptAt);
      assert.deepEqual(mails, []);
      const entry = await invitation();
      assert.equal(entry.attempts, 0);
      assert.match(entry.lastError ?? "", /^Invitation to "Kickoff call" not sent: the client has no contacts yet\./);
      const told = await notices();
      assert.deepEqual(told.map((n) => n.person_id).sort(), ["u-csm", "u-ops"], "each is told once: the CSM now, CS operations before");
      assert.deepEqual(await openIssues(), [entry.lastError], "the issue says the new reason, the old one is resolved");
      // Looking again later tells nobody twice.
      await dispatchAt((await invitation()).nextAttemptAt);
      assert.equal((await notices()).length, 2);
      assert.equal((await openIssues()).length, 1);
    });

    test("once the client has a contact, the next pass sends it: ORGANIZER the CSM, ATTENDEE the contact", async () => {
      await addContact(
        notifyDb(fresh.database),
        { id: "c-ina", clientId: INITECH.id, name: 'Ina "IT" Weiß', email: "ina@initech.example", roles: ["client_primary"] },
        "2026-03-02T10:00:00.000Z",
      );
      const { mails } = await dispatchAt((await invitation()).nextAttemptAt);
      assert.deepEqual(mails.map((m) => to(m)[0]).sort(), ["ina@initech.example", "zoe@acme.example"]);
      const entry = await invitation();
      assert.equal(entry.status, "delivered");
      assert.deepEqual(await openIssues(), [], "sent: the issue is resolved");
      assert.equal(entry.attempts, 1, "one attempt: the one that sent it");
      const ina = mails.find((m) => to(m)[0] === "ina@initech.example");
      const ics = ina?.attachments.find((a) => a.contentType === "text/calendar")?.content.toString("utf8");
      assert.ok(ics, "the invitation is attached");
      const vevent = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent("vevent");
      assert.ok(vevent);
      assert.equal(vevent.getFirstProperty("organizer")?.getParameter("cn"), "Zoë Müller");
      assert.deepEqual(
        vevent.getAllProperties("attendee").map((a) => [String(a.getFirstValue()).toLowerCase(), a.getParameter("cn")]),
        [["mailto:ina@initech.example", "Ina 'IT' Weiß"]],
      );
    });
  });
}
