// GDPR erasure (issue #17) over HTTP on both backends: an erasure request logged with its
// deadline, previewed (the dry run changes nothing), carried out; the erased contact's name, email
// and form answers then appear nowhere (API, every table's text, files, the mail folder) while the
// audit chain still verifies, and a second contact of the same client keeps everything. The
// retention rule erases a project's personal data when due and not before.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { refreshRollups } from "../../src/mining/rollups.ts";
import { verifyAudit } from "../../src/store/audit.ts";
import { PORTAL_PLAYBOOK } from "../web/support/portal-playbook.ts";
import { type Caller, cookieHeader, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();

/** The portal playbook with personal answers on its client form, the form open from the start, and a retention rule. */
export const ERASURE_PLAYBOOK = PORTAL_PLAYBOOK.replace("id: portal_journey", "id: erasure_journey")
  .replace(
    "      billing_email: { label: Billing email, type: email, required: true }",
    "      billing_email: { label: Billing email, type: email, required: true }\n      signatory: { label: Who signs, type: text, personal: true }\n      phone: { label: Phone, type: phone }",
  )
  .replace(
    "      - id: company_details\n        title: Collect customer information (form CDC-01)\n        expected_result: Done as the SOP says.\n        client_title: Tell us about your company\n        owner: client_primary\n        after: [welcome_email]\n        form: company_details\n        due: 5 business days\n",
    "",
  )
  .replace(
    "    window: Days 1-2\n    steps:\n",
    "    window: Days 1-2\n    steps:\n      - id: company_details\n        title: Collect customer information (form CDC-01)\n        expected_result: Done as the SOP says.\n        client_title: Tell us about your company\n        owner: client_primary\n        form: company_details\n        due: Day 2\n",
  )
  .replace("after: [prepare_access, company_details, plan_signoff]", "after: [prepare_access, plan_signoff]")
  .replace(
    "kpis:",
    "retention:\n  - { keep: 1 year, after: relationship_end, records: [Customer information], at_end: erase_personal_data }\nkpis:",
  );
const REF = { id: "erasure_journey", version: "1.0" };

const ERASED = {
  name: "Zelda Quimby",
  email: "zelda.quimby@acme.example",
  billing: "billing.zq@acme.example",
  signatory: "Zelda Q. Signer",
  phone: "+49 30 9876543",
};
const KEPT = { name: "Ottokar Brennan", email: "ottokar.brennan@acme.example" };

async function portalSignIn(t: TestServer, email: string, mailDir: string): Promise<Caller> {
  assert.equal((await t.anonymous.post("/portal/api/magic-links", { email })).status, 202);
  await t.deliverSignInLinks();
  const { simpleParser } = await import("mailparser");
  const texts = [];
  for (const f of readdirSync(mailDir).sort()) texts.push((await simpleParser(readFileSync(join(mailDir, f)))).text ?? "");
  const token = texts
    .filter((text) => text.includes("#token="))
    .map((text) => /#token=([A-Za-z0-9_-]+)/.exec(text)?.[1])
    .at(-1);
  assert.ok(token, `a sign-in link was mailed to ${email}`);
  const signedIn = await t.anonymous.post("/portal/api/sessions", { token });
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  return new (t.anonymous.constructor as typeof Caller)(t.url, { cookie: cookieHeader(signedIn), csrfToken: signedIn.body.csrfToken });
}

/** Every row of every table of the public schema, as text. */
async function databaseText(t: TestServer): Promise<Map<string, string>> {
  const db = t.fresh.database.db;
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(db);
  const out = new Map<string, string>();
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ t: string }>`SELECT row_to_json(x)::text AS t FROM ${sql.table(table_name)} x`.execute(db);
    out.set(
      table_name,
      rows.rows
        .map((r) => r.t)
        .join("\n")
        .toLowerCase(),
    );
  }
  return out;
}

function folderText(dir: string): string {
  let text = "";
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else text += `\n${readFileSync(path, "latin1")}`;
    }
  };
  walk(dir);
  return text.toLowerCase();
}

function assertNowhere(where: string, text: string, values: readonly string[]): void {
  for (const value of values) assert.ok(!text.toLowerCase().includes(value.toLowerCase()), `${where} still holds "${value}"`);
}

for (const backend of BACKENDS) {
  describe(`GDPR erasure on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let mailDir: string;
    let journal: string;
    let zeldaId: string;
    let ottokarId: string;
    let fileId: string;

    before(async () => {
      const { mkdtempSync } = await import("node:fs");
      const { tmpdir } = await import("node:os");
      mailDir = mkdtempSync(join(tmpdir(), "onboard-erasure-mail-"));
      journal = join(mkdtempSync(join(tmpdir(), "onboard-erasure-journal-")), "erasures.jsonl");
      t = await startTestServer(backend, { MAIL_DIR: mailDir, ERASURE_JOURNAL: journal }, { publish: [ERASURE_PLAYBOOK] });
      assert.equal(
        (await t.admin.post("/clients", { id: "acme", name: "Acme GmbH", timeZone: "Europe/Berlin", country: "DE" })).status,
        201,
      );
      for (const person of [ERASED, KEPT]) {
        const c = await t.admin.post("/clients/acme/contacts", { name: person.name, email: person.email, roles: ["client_primary"] });
        assert.equal(c.status, 201, JSON.stringify(c.body));
        if (person === ERASED) zeldaId = c.body.id;
        else ottokarId = c.body.id;
      }
      for (const id of ["acme-1", "acme-2"]) {
        const p = await t.admin.post("/projects", { id, playbook: REF, clientId: "acme", facts: {} });
        assert.equal(p.status, 201, JSON.stringify(p.body));
      }
      const zelda = await portalSignIn(t, ERASED.email, mailDir);
      const project = await zelda.get("/portal/api/projects/acme-1");
      assert.equal(project.status, 200, JSON.stringify(project.body));
      const submitted = await zelda.request("POST", "/portal/api/projects/acme-1/commands", {
        body: {
          type: "submit_form",
          step: "company_details",
          values: { billing_email: ERASED.billing, signatory: ERASED.signatory, phone: ERASED.phone, user_count: 42 },
        },
        headers: { "if-match": project.headers.get("etag") ?? "" },
      });
      assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
      assert.equal(
        (await zelda.post("/portal/api/projects/acme-1/comments", { body: `Hi, ${ERASED.name} here, call me on ${ERASED.phone}` })).status,
        201,
      );
      const upload = await zelda.request("POST", "/portal/api/projects/acme-1/attachments?fileName=zelda-quimby-passport.txt", {
        raw: `Passport of ${ERASED.name}, ${ERASED.email}`,
        headers: { "content-type": "text/plain" },
      });
      assert.equal(upload.status, 201, JSON.stringify(upload.body));
      fileId = upload.body.id;
      assert.equal(
        (await t.admin.post("/projects/acme-1/comments", { body: `Spoke to ${ERASED.name} and ${KEPT.name}`, visibility: "internal" }))
          .status,
        201,
      );
      await portalSignIn(t, KEPT.email, mailDir);
      // The process-mining rollups name the client once built (as the Process page or the background does).
      await refreshRollups(t.fresh.database.db, undefined, new Date().toISOString());
      const text = await databaseText(t);
      for (const table of ["project_traces", "process_running"])
        assert.ok(text.get(table)?.includes("acme gmbh"), `${table} names the client`);
    });
    after(async () => {
      await t?.close();
      const { rmSync } = await import("node:fs");
      for (const dir of [mailDir, journal && join(journal, "..")]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    let requestId: string;

    test("an erasure request is logged with its deadline one calendar month on, open and not overdue", async () => {
      const logged = await t.admin.post("/data-requests", {
        kind: "erasure",
        subject: { kind: "contact", id: zeldaId },
        receivedAt: "2026-01-31T10:00:00.000Z",
        channel: "email",
        note: `Written by ${ERASED.name} from ${ERASED.email}`,
      });
      assert.equal(logged.status, 201, JSON.stringify(logged.body));
      assert.equal(logged.body.dueAt, "2026-02-28T10:00:00.000Z");
      requestId = logged.body.id;
      const open = await t.admin.get("/data-requests?status=open");
      assert.equal(open.status, 200);
      const mine = open.body.items.find((i: Json) => i.id === requestId);
      assert.equal(mine.subject.name, ERASED.name);
      assert.equal(mine.overdue, true, "received in January 2026, due in February: overdue by now");
      const bad = await t.admin.post("/data-requests", { kind: "erasure", subject: { kind: "contact", id: "nobody" } });
      assert.equal(bad.status, 404);
      assert.match(bad.headers.get("content-type") ?? "", /problem\+json/);
      const csm = await t.user("csm-1", ["csm"]);
      assert.equal((await csm.get("/data-requests")).status, 403);
      const extended = await t.admin.post(`/data-requests/${requestId}/extend`, { months: 2, reason: "Many systems to search" });
      assert.equal(extended.status, 200, JSON.stringify(extended.body));
      assert.equal(extended.body.dueAt, "2026-04-30T10:00:00.000Z");
      assert.equal((await t.admin.post(`/data-requests/${requestId}/extend`, { months: 1, reason: "more" })).status, 422);
    });

    test("the dry run lists places and counts, no values, and changes nothing", async () => {
      const before = await databaseText(t);
      const preview = await t.admin.post(`/data-requests/${requestId}/erasure`, { dry_run: true });
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      const places = Object.fromEntries(preview.body.plan.places.map((p: Json) => [p.place, p.records]));
      assert.ok(places.events >= 1, JSON.stringify(places));
      assert.equal(places.contacts, 1);
      assert.ok(places.comments >= 1);
      assert.ok(places.mail >= 1);
      assertNowhere("the plan", JSON.stringify(preview.body.plan), Object.values(ERASED));
      const after = await databaseText(t);
      assert.deepEqual(after, before);
      assert.equal((await t.admin.get(`/data-requests/${requestId}`)).body.status, "open");
    });

    test("after the erasure the contact's name, email and answers appear nowhere, the chain verifies, the other contact is intact", async () => {
      const preview = await t.admin.post(`/data-requests/${requestId}/erasure`, { dry_run: true });
      const erased = await t.admin.post(`/data-requests/${requestId}/erasure`, {});
      assert.equal(erased.status, 200, JSON.stringify(erased.body));
      assert.equal(erased.body.request.status, "completed");
      // The preview said exactly what the erasure did, place by place (a comment erased whole was counted twice before).
      assert.deepEqual(erased.body.plan.places, preview.body.plan.places);
      assert.equal(erased.body.plan.total, preview.body.plan.total);
      const values = Object.values(ERASED);
      // The API.
      for (const path of [
        "/projects/acme-1",
        "/projects/acme-1/events",
        "/projects/acme-1/comments",
        "/clients/acme/contacts",
        "/mail",
        "/notifications",
        "/portfolio",
        `/search?q=${encodeURIComponent("Zelda")}`,
        "/retention",
        `/data-requests/${requestId}`,
      ]) {
        const response = await t.admin.get(path);
        assert.ok(response.status < 500, `${path}: ${response.status}`);
        assertNowhere(path, JSON.stringify(response.body), values);
      }
      // Every table, the files and the mail folder.
      for (const [table, text] of await databaseText(t)) assertNowhere(`table ${table}`, text, values);
      assertNowhere("the mail folder", folderText(mailDir), [ERASED.name, ERASED.email]);
      // The file's bytes are gone from the file store (a folder on PGlite, file_chunks on PostgreSQL).
      assert.equal((await t.admin.get(`/attachments/${fileId}`)).status, 404);
      const stored = await sql<{ blob_store: string; blob_key: string; file_name: string }>`
        SELECT blob_store, blob_key, file_name FROM attachments WHERE id = ${fileId}`.execute(t.fresh.database.db);
      const file = stored.rows[0];
      assert.equal(file?.file_name, "[redacted]");
      const chunks = await sql<{ n: number }>`SELECT count(*)::int AS n FROM file_chunks WHERE blob_key = ${file?.blob_key ?? ""}`.execute(
        t.fresh.database.db,
      );
      assert.equal(chunks.rows[0]?.n, 0);
      await assert.rejects(t.fresh.database.files.open(file?.blob_key ?? ""));
      // The chain still verifies: every rewrite is recorded in it.
      const audit = await verifyAudit(t.fresh.database);
      assert.equal(audit.intact, true, JSON.stringify(audit.projects.flatMap((p) => p.problems)));
      const events = (await t.admin.get("/projects/acme-1/events")).body;
      assert.ok(JSON.stringify(events).includes("[redacted]"));
      assert.ok(JSON.stringify(events).includes("audit.redacted"));
      // The non-personal answer and the history stay; the other contact is untouched.
      const form = events.items.find((e: Json) => e.type === "form.submitted");
      assert.equal(form.data.values.user_count, 42, JSON.stringify(form));
      assert.equal(form.data.values.signatory, "[redacted]");
      const text = [...(await databaseText(t)).values()].join("\n");
      assert.ok(text.includes(KEPT.name.toLowerCase()) && text.includes(KEPT.email));
      const contacts = await t.admin.get("/clients/acme/contacts");
      assert.ok(JSON.stringify(contacts.body).includes(KEPT.email));
      assert.ok(folderText(mailDir).includes(KEPT.email));
      assert.ok(ottokarId);
      // Logged without values, and in the journal by id only.
      const log = await t.fresh.database.db.selectFrom("erasures").selectAll().execute();
      assert.equal(log.length, 1);
      assertNowhere("the erasures log", JSON.stringify(log), values);
      const lines = readFileSync(journal, "utf8").trim().split("\n");
      assert.equal(lines.length, 1);
      assertNowhere("the journal", lines.join("\n"), values);
      assert.equal(JSON.parse(lines[0] ?? "{}").subjectId, zeldaId);
    });

    test("retention erases a project's personal data when due, not before", async () => {
      const retention = t.server.background.retention;
      assert.ok(retention === undefined, "the scheduler is off in tests: rounds are run by hand below");
      const { eraseExpiredRetention } = await import("../../src/api/data/data-requests.ts");
      const deps = t.server.deps;
      const client = await t.admin.get("/clients/acme");
      const recent = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
      const ended = await t.admin.request("PATCH", "/clients/acme", {
        body: { relationshipEndedOn: recent },
        headers: { "if-match": client.headers.get("etag") ?? "" },
      });
      assert.equal(ended.status, 200, JSON.stringify(ended.body));
      assert.equal(await eraseExpiredRetention(deps, new Date().toISOString()), 0);
      let text = [...(await databaseText(t)).values()].join("\n");
      assert.ok(text.includes(KEPT.email), "not yet due: nothing erased");
      const later = new Date(Date.now() + 400 * 86_400_000).toISOString();
      assert.equal(await eraseExpiredRetention(deps, later), 2);
      text = (await databaseText(t)).get("projects") ?? "";
      assertNowhere("the projects after retention", text, [KEPT.name, KEPT.email]);
      assert.ok(
        (await databaseText(t)).get("contacts")?.includes(KEPT.email),
        "the contacts themselves stay: only the projects' retention ended",
      );
      const log = await t.fresh.database.db.selectFrom("erasures").selectAll().where("source", "=", "retention").execute();
      assert.equal(log.length, 2);
      assert.ok(log.every((e) => e.by === "system" && e.reason.includes("retention")));
      assert.equal(await eraseExpiredRetention(deps, later), 0, "once each");
      assert.equal((await verifyAudit(t.fresh.database)).intact, true);
    });

    test("a client's erasure takes its name, all its contacts and every personal answer; the chain verifies", async () => {
      const logged = await t.admin.post("/data-requests", { kind: "erasure", subject: { kind: "client", id: "acme" } });
      assert.equal(logged.status, 201, JSON.stringify(logged.body));
      const preview = await t.admin.post(`/data-requests/${logged.body.id}/erasure`, { dry_run: true });
      assert.deepEqual(preview.body.plan.projects, ["acme-1", "acme-2"]);
      assert.ok(preview.body.plan.places.some((p: Json) => p.place === "client"));
      assert.equal((await t.admin.post(`/data-requests/${logged.body.id}/erasure`, {})).status, 200);
      const values = ["Acme GmbH", KEPT.name, KEPT.email];
      for (const [table, text] of await databaseText(t)) assertNowhere(`table ${table}`, text, values);
      for (const path of ["/clients/acme", "/clients/acme/contacts", "/portfolio", "/projects/acme-2", "/retention", "/mail"]) {
        assertNowhere(path, JSON.stringify((await t.admin.get(path)).body), values);
      }
      assertNowhere("the mail folder", folderText(mailDir), [KEPT.email]);
      assert.equal((await verifyAudit(t.fresh.database)).intact, true);
      assert.equal((await t.admin.post(`/data-requests/${logged.body.id}/erasure`, {})).status, 409, "done once");
    });
  });
}
