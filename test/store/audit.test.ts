// The hash-chained audit trail: it verifies as written, and verifyAudit finds every kind of
// tampering done with raw SQL (an edited payload, a deleted event, swapped events, a changed actor),
// while a recorded GDPR redaction keeps the chain verifiable.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { redactEvent, verifyAudit } from "../../src/store/audit.ts";
import { openDatabase } from "../../src/store/database.ts";
import { isAppError } from "../../src/store/errors.ts";
import { canonicalJson, eventHash, GENESIS_HASH, sha256 } from "../../src/store/hashing.ts";
import type { ProjectService } from "../../src/store/project-service.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { tamper } from "./support/tamper.ts";
import { busyProject, CSM, hoursAfter, withMinimal } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "bin", "onboard.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

for (const backend of BACKENDS) {
  describe(`audit trail on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let service: ProjectService;
    let playbook: { id: string; version: string };
    before(async () => {
      fresh = await backend.fresh();
      ({ service, playbook } = await withMinimal(fresh.database));
    });
    after(() => fresh?.dispose());

    const db = () => fresh.database.db;
    const seqOf = async (projectId: string, type: string) =>
      (await db().selectFrom("events").select("seq").where("project_id", "=", projectId).where("type", "=", type).executeTakeFirstOrThrow())
        .seq;
    const audit = async (projectId: string) => (await verifyAudit(fresh.database, projectId)).projects[0];

    test("events are chained as documented, and an untouched trail verifies", async () => {
      const project = await busyProject(service, playbook, "au-clean");
      assert.ok(project.version >= 6);
      const rows = await db().selectFrom("events").selectAll().where("project_id", "=", "au-clean").orderBy("seq").execute();
      let prev = GENESIS_HASH;
      for (const row of rows) {
        assert.equal(row.prev_hash, prev);
        assert.equal(row.payload_hash, sha256(canonicalJson(row.payload)));
        assert.equal(
          row.hash,
          eventHash({
            prevHash: prev,
            projectId: "au-clean",
            seq: row.seq,
            type: row.type,
            at: row.at.toISOString(),
            actor: row.actor,
            payloadHash: row.payload_hash,
          }),
        );
        prev = row.hash;
      }
      const report = await verifyAudit(fresh.database);
      assert.equal(report.intact, true, JSON.stringify(report));
      assert.deepEqual(await audit("au-clean"), {
        projectId: "au-clean",
        version: project.version,
        events: project.version,
        redacted: 0,
        intact: true,
        problems: [],
      });
      await assert.rejects(verifyAudit(fresh.database, "nope"), (e) => isAppError(e, "not_found"));
    });

    test("an UPDATE of a payload is found as an edited event", async () => {
      await busyProject(service, playbook, "au-edit");
      const seq = await seqOf("au-edit", "issue.opened");
      await tamper(
        db(),
        sql`UPDATE events SET payload = jsonb_set(payload, '{issue,severity}', '"low"') WHERE project_id = 'au-edit' AND seq = ${seq}`,
      );
      const result = await audit("au-edit");
      assert.equal(result?.intact, false);
      assert.deepEqual(
        result?.problems.map((p) => [p.kind, p.seq]),
        [["edited", seq]],
      );
      const all = await verifyAudit(fresh.database);
      assert.equal(all.intact, false);
      assert.equal(all.projects.find((p) => p.projectId === "au-clean")?.intact, true, "other projects are unaffected");
    });

    test("a DELETE of an event is found, in the middle or at the tail; appends onto a broken tail are refused", async () => {
      const project = await busyProject(service, playbook, "au-delete");
      await tamper(db(), sql`DELETE FROM events WHERE project_id = 'au-delete' AND seq = 3`);
      assert.deepEqual(
        (await audit("au-delete"))?.problems.map((p) => [p.kind, p.seq]),
        [["deleted", 3]],
      );
      await tamper(db(), sql`DELETE FROM events WHERE project_id = 'au-delete' AND seq = ${project.version}`);
      assert.deepEqual(
        (await audit("au-delete"))?.problems.map((p) => [p.kind, p.seq]),
        [
          ["deleted", 3],
          ["deleted", project.version],
        ],
      );
      await assert.rejects(
        service.runCommand("au-delete", { command: { type: "open_issue", severity: "low", title: "x" }, actor: CSM, now: hoursAfter(5) }),
        (e) => isAppError(e, "illegal_state") && /audit verify/.test(e.message),
      );
    });

    test("swapped events are found as forged and out of order", async () => {
      await busyProject(service, playbook, "au-swap");
      await tamper(db(), sql`UPDATE events SET seq = 1000 WHERE project_id = 'au-swap' AND seq = 3`);
      await tamper(db(), sql`UPDATE events SET seq = 3 WHERE project_id = 'au-swap' AND seq = 4`);
      await tamper(db(), sql`UPDATE events SET seq = 4 WHERE project_id = 'au-swap' AND seq = 1000`);
      const problems = (await audit("au-swap"))?.problems.map((p) => `${p.kind}@${p.seq}`) ?? [];
      // Event 5 still links to the original event 4, which now sits at seq 3.
      assert.deepEqual(problems.sort(), ["forged@3", "forged@4", "reordered@3", "reordered@4", "reordered@5"]);
    });

    test("a changed actor or time breaks the event's own hash", async () => {
      await busyProject(service, playbook, "au-actor");
      const seq = await seqOf("au-actor", "gate.approved");
      await tamper(db(), sql`UPDATE events SET actor = 'someone-else' WHERE project_id = 'au-actor' AND seq = ${seq}`);
      await tamper(db(), sql`UPDATE events SET at = at - interval '1 day' WHERE project_id = 'au-actor' AND seq = 2`);
      assert.deepEqual(
        (await audit("au-actor"))?.problems.map((p) => [p.kind, p.seq]),
        [
          ["forged", 2],
          ["forged", seq],
        ],
      );
    });

    test("a recorded redaction keeps the chain verifiable; an edit after it does not", async () => {
      await busyProject(service, playbook, "au-gdpr");
      const seq = await seqOf("au-gdpr", "issue.opened");
      await redactEvent(fresh.database, {
        projectId: "au-gdpr",
        seq,
        paths: [["issue", "title"]],
        by: "dpo-1",
        reason: "GDPR erasure request #7",
        now: hoursAfter(48),
      });
      const events = await service.listEvents("au-gdpr");
      const redacted = events.find((e) => e.seq === seq);
      assert.equal(redacted?.redacted, true);
      assert.equal(redacted?.event.type === "issue.opened" && redacted.event.issue.title, "[redacted]");
      const result = await audit("au-gdpr");
      assert.equal(result?.intact, true, JSON.stringify(result));
      assert.equal(result?.redacted, 1);
      await assert.rejects(
        redactEvent(fresh.database, { projectId: "au-gdpr", seq, paths: [["nope"]], by: "dpo-1", reason: "x", now: hoursAfter(48) }),
        (e) => isAppError(e, "not_found"),
      );

      await tamper(
        db(),
        sql`UPDATE events SET payload = jsonb_set(payload, '{issue,severity}', '"low"') WHERE project_id = 'au-gdpr' AND seq = ${seq}`,
      );
      assert.deepEqual(
        (await audit("au-gdpr"))?.problems.map((p) => [p.kind, p.seq]),
        [["edited", seq]],
      );
    });

    // In-memory PGlite is private to this process, so the CLI can only reach a server (the PGlite
    // folder case is tested below).
    if (backend.name !== "pglite")
      test("onboard audit verify reports over a database URL", async () => {
        assert.equal(fresh.target.kind, "postgres");
        const url = fresh.target.kind === "postgres" ? fresh.target.url : "";
        const clean = onboard("audit", "verify", "--database", url, "--project", "au-clean");
        assert.equal(clean.code, 0, clean.err + clean.out);
        assert.match(clean.out, /1 project, \d+ events: the audit trail is intact/);
        const all = onboard("audit", "verify", "--database", url, "--json");
        assert.equal(all.code, 1, all.err);
        const report = JSON.parse(all.out) as { intact: boolean; projects: { projectId: string; intact: boolean }[] };
        assert.equal(report.intact, false);
        assert.deepEqual(
          report.projects
            .filter((p) => !p.intact)
            .map((p) => p.projectId)
            .sort(),
          ["au-actor", "au-delete", "au-edit", "au-gdpr", "au-swap"],
        );
      });
  });
}

describe("onboard audit verify on a PGlite folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-audit-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("exit 0 when intact, 1 with the problems when tampered, 2 on usage errors", async () => {
    const database = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      const { service, playbook } = await withMinimal(database);
      await busyProject(service, playbook, "cli-1");
    } finally {
      await database.close();
    }
    // A folder is the embedded server's by default: pglite: names a PGlite one.
    const intact = onboard("audit", "verify", "--database", `pglite:${dir}`);
    assert.equal(intact.code, 0, intact.err + intact.out);
    assert.match(intact.out, /cli-1: version \d+, \d+ events: intact/);

    const again = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      await tamper(again.db, sql`DELETE FROM events WHERE project_id = 'cli-1' AND seq = 2`);
    } finally {
      await again.close();
    }
    const tampered = onboard("audit", "verify", "--database", `pglite:${dir}`);
    assert.equal(tampered.code, 1, tampered.err + tampered.out);
    assert.match(tampered.out, /seq 2 +deleted +event 2 is missing/);
    assert.match(tampered.out, /tampering found in 1 project/);

    assert.equal(onboard("audit").code, 2);
    assert.equal(onboard("audit", "verify", "--database", `pglite:${join(dir, "missing")}`).code, 2);
    assert.equal(onboard("audit", "verify", "--database", join(dir, "missing")).code, 2);
    assert.match(onboard("audit", "--help").out, /Usage: onboard audit verify/);
  });
});
