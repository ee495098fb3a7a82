// Restoring a backup must not resurrect erased data (issue #17): the embedded database's folder is
// copied before an erasure, the erasure runs, the copy is put back, and the next start re-applies
// the erasure from the journal (kept outside the data folder), records it, and does it only once.
import assert from "node:assert/strict";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sql } from "kysely";
import { parseConfig } from "../../src/api/config.ts";
import { type RunningServer, startServer } from "../../src/api/server.ts";
import { verifyAudit } from "../../src/store/audit.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, Caller, cookieHeader } from "./support/http.ts";

const NAME = "Wilhelmina Tarrant";
const EMAIL = "wilhelmina.tarrant@initech.example";

async function withServer<T>(env: Record<string, string>, work: (server: RunningServer, admin: Caller) => Promise<T>): Promise<T> {
  const config = parseConfig({
    PORT: "0",
    LOG_LEVEL: "silent",
    SCHEDULER: "off",
    OUTBOX: "off",
    ONBOARD_DEMO_PROJECTS: "0",
    ONBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
    ONBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...env,
  });
  const server = await startServer(config);
  try {
    const url = await server.listen();
    const login = await new Caller(url).post("/auth/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(login.status, 200);
    return await work(server, new Caller(url, { cookie: cookieHeader(login), csrfToken: login.body.csrfToken }));
  } finally {
    await server.close();
  }
}

async function everyRowText(server: RunningServer): Promise<string> {
  const db = server.database.db;
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(db);
  let text = "";
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ t: string }>`SELECT row_to_json(x)::text AS t FROM ${sql.table(table_name)} x`.execute(db);
    text += rows.rows.map((r) => r.t).join("\n");
  }
  return text.toLowerCase();
}

test("an erasure is re-applied from the journal after an older copy of the data folder is restored", { timeout: 300_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), "onboard-restore-"));
  // As root the embedded server runs as another account, which must pass through this folder.
  chmodSync(root, 0o755);
  const dataDir = join(root, "data");
  const backup = join(root, "backup");
  const journal = join(root, "outside-the-backup", "erasures.jsonl");
  const env = { DATA_DIR: dataDir, MAIL_DIR: join(root, "mail"), ERASURE_JOURNAL: journal };
  try {
    let contactId = "";
    await withServer(env, async (_server, admin) => {
      assert.equal(
        (await admin.post("/clients", { id: "initech", name: "Initech", timeZone: "Europe/Berlin", country: "DE" })).status,
        201,
      );
      const contact = await admin.post("/clients/initech/contacts", { name: NAME, email: EMAIL, roles: [] });
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      contactId = contact.body.id;
      const project = await admin.post("/projects", {
        id: "initech-1",
        playbook: { id: "ops_sop_020", version: "1.1" },
        clientId: "initech",
        facts: { territory: "emea", complex_integrations: false, data_migration: false },
      });
      assert.equal(project.status, 201, JSON.stringify(project.body));
      assert.equal((await admin.post("/projects/initech-1/comments", { body: `Call ${NAME} at ${EMAIL}` })).status, 201);
    });
    // The operator's nightly backup: the whole data folder, the journal not in it.
    cpSync(dataDir, backup, { recursive: true });

    await withServer(env, async (server, admin) => {
      const request = await admin.post("/data-requests", { kind: "erasure", subject: { kind: "contact", id: contactId } });
      assert.equal(request.status, 201, JSON.stringify(request.body));
      assert.equal((await admin.post(`/data-requests/${request.body.id}/erasure`, {})).status, 200);
      const text = await everyRowText(server);
      assert.ok(!text.includes(NAME.toLowerCase()) && !text.includes(EMAIL));
    });
    assert.equal(readFileSync(journal, "utf8").trim().split("\n").length, 1);

    // The disk is lost; the backup from before the erasure is restored.
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(backup, dataDir, { recursive: true });

    await withServer(env, async (server) => {
      assert.equal(server.reapplied.length, 1, "the erasure the restored database lacks is re-applied at start");
      const text = await everyRowText(server);
      assert.ok(!text.includes(NAME.toLowerCase()), "the name is erased again");
      assert.ok(!text.includes(EMAIL), "the email is erased again");
      const log = await server.database.db.selectFrom("erasures").selectAll().execute();
      assert.deepEqual(
        log.map((e) => [e.source, e.subject_id, e.request_id]),
        [["journal", contactId, null]],
        "recorded, under the journal entry's id; the request itself is not in the old backup",
      );
      assert.equal((await verifyAudit(server.database)).intact, true);
    });
    await withServer(env, async (server) => {
      assert.equal(server.reapplied.length, 0, "once recorded, not re-applied again");
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
