// An email action's cc, reply_to and from (roles or addresses), carried by the effect to the mail
// adapter and into the message a real SMTP server receives; and roles resolved when the mail goes,
// so someone assigned after the start receives later mail. On PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { AddressObject, ParsedMail } from "mailparser";
import { parse } from "yaml";
import type { Effect } from "../../src/engine/types.ts";
import { dispatchOutbox, enqueueEffects, enqueueKeyed } from "../../src/store/outbox.ts";
import type { FreshDatabase } from "../store/support/backends.ts";
import { testBackends } from "../store/support/backends.ts";
import { edited } from "../support/fixtures.ts";
import { CLIENT, MANAGER, type SmtpTestServer, seedPeople, startSmtpServer, type World, world } from "./support.ts";

const BACKENDS = await testBackends();
const T0 = "2026-03-02T08:00:00.000Z";

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  ([] as AddressObject[]).concat(field ?? []).flatMap((a) => a.value.map((v) => v.address));

for (const backend of BACKENDS) {
  describe(`email cc, reply-to and sender (${backend.name})`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let smtp: SmtpTestServer;
    let w: World;
    let version = 200;
    const projectId = "p-parties";
    const send = async (effect: Effect): Promise<void> => {
      version += 1;
      await fresh.database.db.transaction().execute((trx) => enqueueEffects(trx, projectId, version, 1, [effect], T0));
      const result = await dispatchOutbox(fresh.database, T0, { handlers: w.notifications.handlers() });
      assert.equal(result.delivered, 1, JSON.stringify(result));
    };

    before(async () => {
      fresh = await backend.fresh();
      smtp = await startSmtpServer();
      w = world(fresh.database, { smtpUrl: smtp.url, clock: () => T0 });
      // onb-001 with its welcome email step naming who else the mail goes to.
      const source = await readFile(new URL("../../playbooks/onb-001.yaml", import.meta.url), "utf8");
      const steps = parse(source).phases[0].steps as { id: string }[];
      const welcome = steps.findIndex((s) => s.id === "welcome_email");
      const text = edited(
        [
          [
            ["phases", 0, "steps", welcome, "email"],
            { cc: ["client_technical_contact", "records@acme.example"], reply_to: "csm", from: "csm" },
          ],
        ],
        source,
      );
      const published = await w.service.publishPlaybook(text, { file: "onb-001.yaml", now: T0 });
      await seedPeople(fresh.database, T0);
      await w.service.startProject({
        playbook: published,
        input: { projectId, client: CLIENT, facts: { account_type: "smb", project_duration_weeks: 8 }, params: { company_name: "Acmé" } },
        now: T0,
      });
    });
    after(async () => {
      await smtp?.close();
      await fresh?.dispose();
    });

    test("a role nobody holds yet gets nothing; once assigned after the start, later mail reaches the person", async () => {
      await send({ kind: "email", to: ["csm"], template: "ONB-001-WELCOME" });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(smtp.messages.length, 0);
      await w.service.runCommand(projectId, { command: { type: "assign", role: "csm", person: "u-csm" }, actor: MANAGER, now: T0 });
      await send({ kind: "email", to: ["csm"], template: "ONB-001-WELCOME" });
      const [mail] = await smtp.waitFor(1);
      assert.deepEqual(addresses(mail?.to), ["zoe@acme.example"]);
    });

    test("cc (a role and an address), reply-to (a role) and from (a role) reach the message; the server stays the sender", async () => {
      const before = smtp.messages.length;
      await send({
        kind: "email",
        to: ["client_primary_contact"],
        template: "ONB-001-WELCOME",
        cc: ["client_technical_contact", "finance@globex.example", "client_primary_contact"],
        replyTo: "csm",
        from: "csm",
      });
      const messages = await smtp.waitFor(before + 1);
      const mail = messages.at(-1) as ParsedMail;
      assert.deepEqual(addresses(mail.to), ["juergen@globex.example"]);
      assert.deepEqual(addresses(mail.cc), ["tina@globex.example", "finance@globex.example"], "the addressee is not copied again");
      assert.deepEqual(addresses(mail.replyTo), ["zoe@acme.example"]);
      assert.deepEqual(mail.from?.value, [{ name: "Zoë Müller", address: "zoe@acme.example" }]);
      const sender = mail.headers.get("sender") as AddressObject | undefined;
      assert.deepEqual(addresses(sender), ["onboard@acme.example"]);
      // The copies went to the copied people's servers too (one message, several envelope recipients).
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(smtp.messages.length, before + 1);
    });

    test("an email step's cc, reply_to and from: resolved in its draft, carried by the queued mail into the message", async () => {
      const draft = await w.notifications.stepEmail(projectId, "welcome_email");
      assert.deepEqual(
        draft.cc?.map((a) => a.address),
        ["tina@globex.example", "records@acme.example"],
      );
      assert.equal(draft.replyTo?.address, "zoe@acme.example");
      assert.deepEqual(draft.from, { name: "Zoë Müller", address: "zoe@acme.example" });
      const before = smtp.messages.length;
      version += 1;
      const effect = {
        kind: "send_mail" as const,
        to: draft.to.map((r) => ({ name: r.name, address: r.address })),
        subject: draft.message.subject,
        text: draft.message.text,
        ...(draft.cc ? { cc: draft.cc } : {}),
        ...(draft.replyTo ? { replyTo: draft.replyTo } : {}),
        ...(draft.from ? { from: draft.from } : {}),
      };
      await fresh.database.db.transaction().execute((trx) => enqueueKeyed(trx, projectId, `${projectId}#step-email:welcome`, effect, T0));
      await dispatchOutbox(fresh.database, T0, { handlers: w.notifications.handlers() });
      const mail = (await smtp.waitFor(before + 1)).at(-1) as ParsedMail;
      assert.deepEqual(addresses(mail.cc), ["tina@globex.example", "records@acme.example"]);
      assert.deepEqual(addresses(mail.replyTo), ["zoe@acme.example"]);
      assert.deepEqual(addresses(mail.from), ["zoe@acme.example"]);
    });
  });
}
