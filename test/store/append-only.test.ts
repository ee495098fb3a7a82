// The audit trail is append-only in the database itself: the application (or anyone who is not a
// superuser switching triggers off) cannot update, delete or truncate events, the log or its
// checkpoints, nor lower a project's version or delete a project with events; erasure goes through
// the one function, and still verifies. On PostgreSQL, a least-privileged application role runs
// every write the app makes and none of those.
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { appRoleStatements, grantAppRole } from "../../src/store/app-role.ts";
import { redactEvent, verifyAgainstCheckpoints, verifyAudit } from "../../src/store/audit.ts";
import { latestCheckpoint, writeCheckpoint } from "../../src/store/audit-log.ts";
import { type Database, openDatabase } from "../../src/store/database.ts";
import { isAppError } from "../../src/store/errors.ts";
import { ProjectService } from "../../src/store/project-service.ts";
import { defaultOrigin, parseVkey, signingKey } from "../../src/store/signed-note.ts";
import { MINIMAL } from "../support/fixtures.ts";
import { type FreshDatabase, POSTGRES_ADMIN_URL, testBackends } from "./support/backends.ts";
import { CSM, hoursAfter, OPS, startInput, T0, withMinimal } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });
const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const KEY = signingKey(defaultOrigin(publicKey), privateKey);

const REFUSED = /append-only|cannot go back|foreign key|permission denied/;

/** Run the statements the application might try: each must fail, and change nothing. */
async function refused(db: Database["db"], statement: ReturnType<typeof sql>, pattern = REFUSED) {
  await assert.rejects(statement.execute(db), (error: Error) => pattern.test(error.message) || assert.fail(error.message));
}

async function writeSome(service: ProjectService, playbook: { id: string; version: string }, projectId: string) {
  await service.startProject({ playbook, input: startInput(projectId), now: T0 });
  await service.runCommand(projectId, { command: { type: "complete_step", step: "handoff" }, actor: OPS, now: hoursAfter(1) });
  await service.runCommand(projectId, {
    command: { type: "open_issue", severity: "high", title: "Jane Doe cannot log in" },
    actor: CSM,
    now: hoursAfter(2),
  });
  return (await service.listEvents(projectId)).find((e) => e.event.type === "issue.opened")?.seq ?? 0;
}

for (const backend of BACKENDS) {
  describe(`the append-only audit trail on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let issueSeq = 0;
    before(async () => {
      fresh = await backend.fresh();
      const { service, playbook } = await withMinimal(fresh.database);
      issueSeq = await writeSome(service, playbook, "ao-1");
      await writeCheckpoint(fresh.database, KEY, hoursAfter(3));
    });
    after(() => fresh?.dispose());
    const db = () => fresh.database.db;

    test("UPDATE, DELETE and TRUNCATE of events, leaves, subtrees and checkpoints are refused", async () => {
      await refused(db(), sql`UPDATE events SET actor = 'x' WHERE project_id = 'ao-1' AND seq = 1`);
      await refused(db(), sql`UPDATE events SET payload = '{}' WHERE project_id = 'ao-1' AND seq = ${issueSeq}`);
      await refused(db(), sql`DELETE FROM events WHERE project_id = 'ao-1' AND seq = 2`);
      await refused(db(), sql`TRUNCATE events`);
      await refused(db(), sql`TRUNCATE events CASCADE`);
      await refused(db(), sql`TRUNCATE projects CASCADE`);
      for (const table of ["audit_leaves", "audit_nodes", "audit_checkpoints"]) {
        await refused(db(), sql`DELETE FROM ${sql.table(table)}`);
        await refused(db(), sql`TRUNCATE ${sql.table(table)}`);
      }
      await refused(db(), sql`UPDATE audit_leaves SET event_hash = 'x'`);
      await refused(db(), sql`UPDATE audit_checkpoints SET note = 'x'`);
      // The redaction function's announcement, set by hand, does not open the door either.
      await assert.rejects(
        db()
          .transaction()
          .execute(async (trx) => {
            await sql`SELECT set_config('onboard.redacting', ${`ao-1/${issueSeq}`}, true)`.execute(trx);
            await sql`UPDATE events SET payload = '{"issue": "[redacted]"}' WHERE project_id = 'ao-1' AND seq = ${issueSeq}`.execute(trx);
          }),
        /append-only/,
      );
      assert.equal((await verifyAudit(fresh.database)).intact, true);
    });

    test("a project's version never goes back, and a project with events cannot be deleted", async () => {
      await refused(db(), sql`UPDATE projects SET version = version - 1 WHERE id = 'ao-1'`, /cannot go back/);
      await refused(db(), sql`DELETE FROM projects WHERE id = 'ao-1'`, /foreign key/);
      await sql`UPDATE projects SET version = version WHERE id = 'ao-1'`.execute(db());
    });

    test("erasure through the function appends its record and verifies, with and without a checkpoint covering it", async () => {
      const before = (await verifyAudit(fresh.database, "ao-1")).projects[0]?.version ?? 0;
      const { record, version } = await redactEvent(
        fresh.database,
        { projectId: "ao-1", seq: issueSeq, paths: [["issue", "title"]], by: "dpo-1", reason: "GDPR erasure #7", now: hoursAfter(4) },
        { key: KEY },
      );
      assert.equal(version, before + 1);
      assert.equal(record.seq, version);
      assert.deepEqual(
        { ...record.event, seal: undefined },
        {
          type: "audit.redacted",
          at: hoursAfter(4),
          actor: "dpo-1",
          reason: "GDPR erasure #7",
          seq: issueSeq,
          paths: [["issue", "title"]],
          payloadHash: (record.event as { payloadHash: string }).payloadHash,
          seal: undefined,
        },
      );
      const vkey = parseVkey(KEY.vkey);
      const c1 = (await latestCheckpoint(db()))?.note ?? "";
      // Not yet covered by a checkpoint: its seal proves it.
      assert.equal((await verifyAgainstCheckpoints(fresh.database, [c1], vkey)).intact, true);
      const c2 = (await writeCheckpoint(fresh.database, KEY, hoursAfter(5))).checkpoint.note;
      assert.equal((await verifyAgainstCheckpoints(fresh.database, [c1, c2], vkey)).intact, true);
      const audit = (await verifyAudit(fresh.database, "ao-1")).projects[0];
      assert.deepEqual([audit?.intact, audit?.redacted], [true, 1]);
      await assert.rejects(
        redactEvent(fresh.database, { projectId: "ao-1", seq: version, paths: [["seq"]], by: "dpo-1", reason: "x", now: hoursAfter(6) }),
        (e) => isAppError(e, "invalid") && /redaction record/.test(e.message),
      );
      // Redacting the same field again (how an erasure recorded the old way is re-recorded) verifies too.
      await redactEvent(
        fresh.database,
        { projectId: "ao-1", seq: issueSeq, paths: [["issue", "title"]], by: "dpo-2", reason: "re-recorded", now: hoursAfter(7) },
        { key: KEY },
      );
      assert.equal((await verifyAgainstCheckpoints(fresh.database, [c2], vkey)).intact, true);
    });

    test("two checkpointers at once (two processes on PostgreSQL): one appends, the other waits and finds nothing new", async () => {
      const service = new ProjectService(fresh.database);
      await service.runCommand("ao-1", { command: { type: "open_issue", severity: "low", title: "more" }, actor: CSM, now: hoursAfter(8) });
      const other = fresh.openAnother ? await fresh.openAnother() : fresh.database;
      const [a, b] = await Promise.all([writeCheckpoint(fresh.database, KEY, hoursAfter(9)), writeCheckpoint(other, KEY, hoursAfter(9))]);
      assert.equal(a.checkpoint.treeSize, b.checkpoint.treeSize);
      assert.deepEqual([a.appended > 0 !== b.appended > 0, [a.written, b.written].filter(Boolean).length], [true, 1]);
    });
  });
}

const postgres = BACKENDS.find((b) => b.name === "postgres");
describe("a least-privileged application role on PostgreSQL", { skip: postgres?.skip ?? "no PostgreSQL" }, () => {
  const role = `onboard_app_${randomBytes(4).toString("hex")}`;
  let fresh: FreshDatabase;
  let app: Database;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };

  before(async () => {
    fresh = await (postgres as NonNullable<typeof postgres>).fresh();
    await admin(`CREATE ROLE ${role} LOGIN`);
    const statements = await grantAppRole(fresh.database.db, role);
    assert.deepEqual(statements, appRoleStatements(role, "public"));
    const url = fresh.target.kind === "postgres" ? fresh.target.url.replace("postgres@", `${role}@`) : "";
    // Opening migrates: with nothing pending, the role needs no DDL for that.
    app = await openDatabase({ kind: "postgres", url, maxConnections: 4 });
  });
  after(async () => {
    await app?.close();
    await fresh?.dispose();
    await admin(`DROP ROLE IF EXISTS ${role}`);
  });

  test("it runs the app's writes: publish, start, commands, erasure, checkpoints, verification", async () => {
    const service = new ProjectService(app);
    const playbook = await service.publishPlaybook(MINIMAL, { file: "minimal.yaml", now: T0 });
    const seq = await writeSome(service, playbook, "role-1");
    await redactEvent(
      app,
      { projectId: "role-1", seq, paths: [["issue", "title"]], by: "dpo-1", reason: "GDPR", now: hoursAfter(3) },
      { key: KEY },
    );
    const { checkpoint } = await writeCheckpoint(app, KEY, hoursAfter(4));
    assert.equal((await verifyAgainstCheckpoints(app, [checkpoint.note], parseVkey(KEY.vkey))).intact, true);
  });

  test("it cannot rewrite the trail, switch the triggers off, or change the schema", async () => {
    const db = app.db;
    const denied = /permission denied|must be owner|superuser/;
    await refused(db, sql`UPDATE events SET actor = 'x'`, denied);
    await refused(db, sql`DELETE FROM events`, denied);
    await refused(db, sql`TRUNCATE events`, denied);
    await refused(db, sql`DELETE FROM audit_leaves`, denied);
    await refused(db, sql`UPDATE audit_checkpoints SET note = ''`, denied);
    await refused(db, sql`ALTER TABLE events DISABLE TRIGGER ALL`, denied);
    await refused(db, sql`SET session_replication_role = replica`, denied);
    await refused(db, sql`DROP TRIGGER events_append_only ON events`, denied);
    await refused(db, sql`CREATE TABLE sneaky (x int)`, denied);
    await refused(db, sql`DELETE FROM schema_migrations`, denied);
    assert.equal((await verifyAudit(app)).intact, true);
  });

  test("a superuser or a name that is not a plain role is refused", async () => {
    await assert.rejects(grantAppRole(fresh.database.db, "postgres"), /superuser/);
    await assert.rejects(grantAppRole(fresh.database.db, "no_such_role_x"), (e) => isAppError(e, "not_found"));
    assert.throws(() => appRoleStatements('x"; DROP TABLE events; --', "public"), /not a plain role name/);
  });
});
