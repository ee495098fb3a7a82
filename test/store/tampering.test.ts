// Every way the issue found to rewrite the audit trail unnoticed, and the rest, done by a database
// superuser (triggers and foreign keys off, hashes recomputed) to a realistic history written
// through the store: several projects, sealed redactions, two checkpoints. Verifying against the
// signed checkpoints must find each one and name the project and the event; nothing tampered must
// be intact. Each tampering runs in a transaction that is rolled back, so all see the same history;
// the last test rebuilds the whole log and gets it signed, which the checkpoints must refuse.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { type AuditReport, redactEvent, verifyAgainstCheckpoints, verifyAudit } from "../../src/store/audit.ts";
import {
  eventInclusionProof,
  eventLeafHash,
  logConsistencyProof,
  type StoredCheckpoint,
  writeCheckpoint,
} from "../../src/store/audit-log.ts";
import { chainEvents } from "../../src/store/event-log.ts";
import { payloadHash } from "../../src/store/hashing.ts";
import { verifyConsistency, verifyInclusion } from "../../src/store/merkle.ts";
import type { ProjectService } from "../../src/store/project-service.ts";
import { defaultOrigin, parseVkey, signCheckpoint, signingKey } from "../../src/store/signed-note.ts";
import { type FreshDatabase, testBackends } from "./support/backends.ts";
import { rewriteChain, whileTampered } from "./support/tamper.ts";
import { busyProject, CSM, hoursAfter, T0, withMinimal } from "./support/world.ts";

const BACKENDS = await testBackends({ embedded: true });
const PROJECTS = ["tp-a", "tp-b", "tp-c", "tp-d"] as const;

function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return signingKey(defaultOrigin(publicKey), privateKey);
}

/** The report's problems as kind@seq for one project. */
function problemsOf(report: AuditReport, projectId: string): string[] {
  return (report.projects.find((p) => p.projectId === projectId)?.problems ?? []).map((p) => `${p.kind}@${p.seq}`);
}

function messagesOf(report: AuditReport, projectId: string): string {
  return (report.projects.find((p) => p.projectId === projectId)?.problems ?? []).map((p) => p.message).join("\n");
}

function tamperedOnly(report: AuditReport): string[] {
  return report.projects.filter((p) => !p.intact).map((p) => p.projectId);
}

for (const backend of BACKENDS) {
  describe(`tampering with the audit trail on ${backend.name}`, { skip: backend.skip }, () => {
    let fresh: FreshDatabase;
    let service: ProjectService;
    const key = newKey();
    const vkey = parseVkey(key.vkey);
    let c1: StoredCheckpoint;
    let c2: StoredCheckpoint;
    const seqs = new Map<string, number>();

    before(async () => {
      fresh = await backend.fresh();
      const world = await withMinimal(fresh.database);
      service = world.service;
      for (const id of PROJECTS) await busyProject(service, world.playbook, id);
      const issueSeq = async (id: string) => (await service.listEvents(id)).find((e) => e.event.type === "issue.opened")?.seq ?? 0;
      for (const id of PROJECTS) seqs.set(id, await issueSeq(id));
      const erase = (projectId: string, hours: number) =>
        redactEvent(
          fresh.database,
          {
            projectId,
            seq: seqs.get(projectId) ?? 0,
            paths: [["issue", "title"]],
            by: "dpo-1",
            reason: "GDPR request",
            now: hoursAfter(hours),
          },
          { key },
        );
      await erase("tp-b", 10);
      c1 = (await writeCheckpoint(fresh.database, key, hoursAfter(11))).checkpoint;
      for (const id of ["tp-a", "tp-c"]) {
        await service.runCommand(id, {
          command: { type: "open_issue", severity: "low", title: "Second" },
          actor: CSM,
          now: hoursAfter(12),
        });
      }
      await erase("tp-c", 13);
      c2 = (await writeCheckpoint(fresh.database, key, hoursAfter(14), { batch: 3 })).checkpoint;
      // After the last checkpoint: a command and a sealed erasure no checkpoint covers yet.
      await service.runCommand("tp-a", {
        command: { type: "open_issue", severity: "low", title: "Third" },
        actor: CSM,
        now: hoursAfter(15),
      });
      await erase("tp-a", 16);
    });
    after(() => fresh?.dispose());

    const db = () => fresh.database;
    const verify = (database = db(), notes = [c1.note, c2.note]) => verifyAgainstCheckpoints(database, notes, vkey);
    const lastSeq = async (trx: { selectFrom: typeof fresh.database.db.selectFrom }, projectId: string) =>
      (await trx.selectFrom("projects").select("version").where("id", "=", projectId).executeTakeFirstOrThrow()).version;

    test("nothing tampered: intact against either checkpoint and both; the log extends as it grows", async () => {
      const events = Number(
        (
          await db()
            .db.selectFrom("events")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
      assert.ok(c1.treeSize > 20 && c2.treeSize > c1.treeSize && c2.treeSize < events, `${c1.treeSize} < ${c2.treeSize} < ${events}`);
      for (const notes of [[c1.note], [c2.note], [c1.note, c2.note], [c2.note, c1.note]]) {
        const report = await verify(db(), notes);
        assert.equal(report.intact, true, JSON.stringify(report, null, 2));
        assert.equal(report.log?.leaves, c2.treeSize);
      }
      const report = await verifyAudit(db());
      assert.equal(report.intact, true);
      assert.deepEqual(
        report.projects.map((p) => [p.projectId, p.redacted]),
        [
          ["tp-a", 1],
          ["tp-b", 1],
          ["tp-c", 1],
          ["tp-d", 0],
        ],
      );
    });

    test("every event's inclusion proof verifies against the checkpoint's root; the stored subtrees prove c2 extends c1", async () => {
      const leaves = await db().db.selectFrom("audit_leaves").selectAll().where("position", "<", c2.treeSize).execute();
      assert.equal(leaves.length, c2.treeSize);
      for (const leaf of leaves) {
        const proof = await eventInclusionProof(db(), leaf.project_id, leaf.seq, c2.treeSize);
        assert.equal(proof.leafIndex, Number(leaf.position));
        const hash = eventLeafHash(proof.projectId, proof.seq, proof.eventHash);
        assert.ok(verifyInclusion(hash, proof.leafIndex, c2.treeSize, proof.proof, c2.rootHash), `${leaf.project_id}#${leaf.seq}`);
        assert.ok(!verifyInclusion(hash, proof.leafIndex, c2.treeSize, proof.proof, c1.rootHash));
      }
      const latest = await eventInclusionProof(db(), "tp-a", 1);
      assert.equal(latest.treeSize, c2.treeSize, "by default against the latest checkpoint");
      await assert.rejects(eventInclusionProof(db(), "tp-a", 1, 0), /not covered by a checkpoint/);
      const newest = await lastSeq(db().db, "tp-a");
      await assert.rejects(eventInclusionProof(db(), "tp-a", newest), /not checkpointed yet/);
      const consistency = await logConsistencyProof(db(), c1.treeSize, c2.treeSize);
      assert.ok(verifyConsistency(c1.treeSize, c2.treeSize, c1.rootHash, c2.rootHash, consistency));
    });

    test("1. a payload edited", async () => {
      const seq = seqs.get("tp-a") ?? 0;
      await whileTampered(
        db(),
        (trx) =>
          sql`UPDATE events SET payload = jsonb_set(payload, '{issue,severity}', '"low"') WHERE project_id = 'tp-a' AND seq = ${seq}`
            .execute(trx)
            .then(() => {}),
        async (tampered) => {
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-a"]);
          assert.deepEqual(problemsOf(report, "tp-a"), [`edited@${seq}`]);
        },
      );
    });

    test("2a. a payload edited and marked redacted the old way, outside the chain", async () => {
      const seq = seqs.get("tp-d") ?? 0;
      await whileTampered(
        db(),
        async (trx) => {
          const row = await trx
            .selectFrom("events")
            .selectAll()
            .where("project_id", "=", "tp-d")
            .where("seq", "=", seq)
            .executeTakeFirstOrThrow();
          const payload = { ...row.payload, issue: { ...(row.payload.issue as object), severity: "low", title: "[redacted]" } };
          const redaction = { by: "dpo-1", reason: "GDPR", paths: [["issue", "title"]], payloadHash: payloadHash(payload) };
          await sql`UPDATE events SET payload = ${JSON.stringify(payload)}::jsonb, redacted_at = now(), redaction = ${JSON.stringify(redaction)}::jsonb
                     WHERE project_id = 'tp-d' AND seq = ${seq}`.execute(trx);
        },
        async (tampered) => {
          const report = await verify(tampered);
          assert.deepEqual(problemsOf(report, "tp-d"), [`edited@${seq}`]);
          assert.match(messagesOf(report, "tp-d"), /marked redacted only outside the chain/);
          assert.equal((await verifyAudit(tampered, "tp-d")).intact, false, "the chain alone refuses it too");
        },
      );
    });

    /** Append a forged audit.redacted record to tp-d's chain, hashes right, version raised. */
    async function forgeRecord(
      trx: Parameters<Parameters<typeof whileTampered>[1]>[0],
      seq: number,
      payload: Record<string, unknown>,
      record: Record<string, unknown>,
    ) {
      const version = await lastSeq(trx, "tp-d");
      const head = await trx
        .selectFrom("events")
        .select("hash")
        .where("project_id", "=", "tp-d")
        .where("seq", "=", version)
        .executeTakeFirstOrThrow();
      const at = hoursAfter(20);
      const event = { type: "audit.redacted", at, actor: "dpo-1", reason: "GDPR", seq, payloadHash: payloadHash(payload), ...record };
      const chain = chainEvents("tp-d", version, head.hash, [event as never], at);
      await trx.insertInto("events").values(chain.rows).execute();
      await sql`UPDATE events SET payload = ${JSON.stringify(payload)}::jsonb WHERE project_id = 'tp-d' AND seq = ${seq}`.execute(trx);
      await sql`UPDATE projects SET version = ${version + 1} WHERE id = 'tp-d'`.execute(trx);
    }

    test("2b. a payload edited and labelled with a forged in-chain redaction record", async () => {
      const seq = seqs.get("tp-d") ?? 0;
      const original = (
        await db()
          .db.selectFrom("events")
          .select("payload")
          .where("project_id", "=", "tp-d")
          .where("seq", "=", seq)
          .executeTakeFirstOrThrow()
      ).payload;
      const issue = original.issue as Record<string, unknown>;
      const genuine = (await service.listEvents("tp-b")).find((e) => e.event.type === "audit.redacted")?.event as { seal?: unknown };
      // A value changed and the record says it was erased.
      await whileTampered(
        db(),
        (trx) => forgeRecord(trx, seq, { ...original, issue: { ...issue, severity: "low" } }, { paths: [["issue", "severity"]] }),
        async (tampered) => {
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-d"]);
          assert.deepEqual(problemsOf(report, "tp-d"), [`edited@${seq}`]);
          assert.match(messagesOf(report, "tp-d"), /names issue\.severity, which does not read "\[redacted\]"/);
        },
      );
      // A real erasure, but not sealed with the log's key (or with another event's seal).
      for (const seal of [undefined, genuine.seal]) {
        await whileTampered(
          db(),
          (trx) =>
            forgeRecord(
              trx,
              seq,
              { ...original, issue: { ...issue, title: "[redacted]" } },
              { paths: [["issue", "title"]], ...(seal ? { seal } : {}) },
            ),
          async (tampered) => {
            assert.equal((await verifyAudit(tampered, "tp-d")).intact, true, "the chain alone cannot tell a forged record");
            const report = await verify(tampered);
            assert.deepEqual(problemsOf(report, "tp-d"), [`edited@${seq}`]);
            assert.match(messagesOf(report, "tp-d"), /newer than the checkpoint and carries no valid seal/);
          },
        );
      }
    });

    test("3. a payload edited with every later hash recomputed", async () => {
      const seq = seqs.get("tp-a") ?? 0;
      await whileTampered(
        db(),
        (trx) =>
          rewriteChain(trx, "tp-a", (events) =>
            events.map((e, i) =>
              i + 1 === seq ? { ...e, payload: { ...e.payload, issue: { ...(e.payload.issue as object), severity: "low" } } } : e,
            ),
          ),
        async (tampered) => {
          assert.equal((await verifyAudit(tampered, "tp-a")).intact, true, "the chain alone is blind to it");
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-a"]);
          assert.deepEqual(problemsOf(report, "tp-a"), [`rewritten@${seq}`]);
        },
      );
    });

    test("4. an event deleted in the middle of a chain", async () => {
      await whileTampered(
        db(),
        (trx) => sql`DELETE FROM events WHERE project_id = 'tp-c' AND seq = 3`.execute(trx).then(() => {}),
        async (tampered) => {
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-c"]);
          assert.deepEqual(problemsOf(report, "tp-c"), ["deleted@3"]);
        },
      );
    });

    test("5. the last event deleted and the project's version lowered", async () => {
      const version = await lastSeq(db().db, "tp-d");
      await whileTampered(
        db(),
        async (trx) => {
          await sql`DELETE FROM events WHERE project_id = 'tp-d' AND seq = ${version}`.execute(trx);
          await sql`UPDATE projects SET version = ${version - 1} WHERE id = 'tp-d'`.execute(trx);
        },
        async (tampered) => {
          assert.equal((await verifyAudit(tampered, "tp-d")).intact, true, "the chain alone is blind to it");
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-d"]);
          assert.deepEqual(problemsOf(report, "tp-d"), [`deleted@${version}`]);
          assert.match(messagesOf(report, "tp-d"), /version was lowered/);
        },
      );
    });

    test("6. a whole project deleted, its events and its row", async () => {
      await whileTampered(
        db(),
        async (trx) => {
          await sql`DELETE FROM events WHERE project_id = 'tp-d'`.execute(trx);
          await sql`DELETE FROM projects WHERE id = 'tp-d'`.execute(trx);
        },
        async (tampered) => {
          assert.equal((await verifyAudit(tampered)).intact, true, "the chains alone are blind to it");
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-d"]);
          assert.deepEqual(problemsOf(report, "tp-d"), ["deleted@1"]);
          assert.match(messagesOf(report, "tp-d"), /the project is gone: the checkpoint covers its events 1 to \d+/);
        },
      );
    });

    test("7. an actor or a time changed (with or without recomputing the chain)", async () => {
      await whileTampered(
        db(),
        (trx) => sql`UPDATE events SET actor = 'someone-else' WHERE project_id = 'tp-b' AND seq = 2`.execute(trx).then(() => {}),
        async (tampered) => assert.deepEqual(problemsOf(await verify(tampered), "tp-b"), ["forged@2"]),
      );
      await whileTampered(
        db(),
        (trx) => rewriteChain(trx, "tp-b", (events) => events.map((e, i) => (i === 1 ? { ...e, at: hoursAfter(-24) } : e))),
        async (tampered) => assert.deepEqual(problemsOf(await verify(tampered), "tp-b"), ["rewritten@2"]),
      );
    });

    test("8. an event inserted into a chain", async () => {
      await whileTampered(
        db(),
        (trx) =>
          rewriteChain(trx, "tp-c", (events) => [
            ...events.slice(0, 2),
            { type: "note.added", at: hoursAfter(1.5), actor: "csm-1", payload: { text: "all agreed" }, recorded_at: hoursAfter(1.5) },
            ...events.slice(2),
          ]),
        async (tampered) => {
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-c"]);
          assert.deepEqual(problemsOf(report, "tp-c"), ["rewritten@3"]);
        },
      );
    });

    test("9. a whole chain recomputed with another history, and then its leaves too", async () => {
      const otherHistory = (events: Parameters<Parameters<typeof rewriteChain>[2]>[0]) =>
        events
          .filter((e) => e.type !== "issue.opened" && e.type !== "audit.redacted")
          .map((e) => ({ ...e, actor: e.actor === "ops-1" ? "csm-1" : e.actor }));
      await whileTampered(
        db(),
        (trx) => rewriteChain(trx, "tp-b", otherHistory),
        async (tampered) => {
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-b"]);
          assert.ok(problemsOf(report, "tp-b").every((p) => /^(rewritten|deleted)@/.test(p)) && problemsOf(report, "tp-b").length > 0);
          assert.equal(report.log?.intact, true, "the log itself is untouched");
        },
      );
      await whileTampered(
        db(),
        async (trx) => {
          await rewriteChain(trx, "tp-b", otherHistory);
          // The attacker brings the log's leaves in line with the new chain (and drops the extra ones).
          const rows = await trx.selectFrom("events").select(["seq", "hash"]).where("project_id", "=", "tp-b").execute();
          await sql`DELETE FROM audit_leaves WHERE project_id = 'tp-b' AND seq > ${rows.length}`.execute(trx);
          for (const row of rows)
            await sql`UPDATE audit_leaves SET event_hash = ${row.hash} WHERE project_id = 'tp-b' AND seq = ${row.seq}`.execute(trx);
        },
        async (tampered) => {
          const report = await verify(tampered);
          assert.equal(report.intact, false);
          assert.ok(
            report.log?.problems.some((p) => p.kind === "root" || p.kind === "truncated"),
            JSON.stringify(report.log),
          );
          assert.ok(tamperedOnly(report).includes("tp-b"), JSON.stringify(report.projects));
          assert.ok(problemsOf(report, "tp-b").some((p) => p.startsWith("rewritten@")));
        },
      );
    });

    test("10. the log truncated: its last leaves removed, or events removed across projects", async () => {
      const cut = c1.treeSize;
      await whileTampered(
        db(),
        async (trx) => {
          await sql`DELETE FROM audit_leaves WHERE position >= ${cut}`.execute(trx);
          await sql`DELETE FROM audit_checkpoints WHERE tree_size > ${cut}`.execute(trx);
        },
        async (tampered) => {
          const report = await verify(tampered, [c2.note]);
          assert.equal(report.intact, false);
          assert.deepEqual(
            report.log?.problems.map((p) => p.kind),
            ["truncated"],
          );
          assert.match(
            report.log?.problems[0]?.message ?? "",
            new RegExp(`covers ${c2.treeSize} events but the log holds only the first ${cut}`),
          );
          assert.equal((await verify(tampered, [c1.note])).intact, true, "what the older checkpoint covered is all there");
        },
      );
      const versions = new Map<string, number>();
      for (const id of ["tp-b", "tp-c", "tp-d"]) versions.set(id, await lastSeq(db().db, id));
      await whileTampered(
        db(),
        async (trx) => {
          for (const [id, version] of versions) {
            await sql`DELETE FROM events WHERE project_id = ${id} AND seq >= ${version - 1}`.execute(trx);
            await sql`UPDATE projects SET version = ${version - 2} WHERE id = ${id}`.execute(trx);
          }
        },
        async (tampered) => {
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-b", "tp-c", "tp-d"]);
          for (const [id, version] of versions) {
            // tp-b and tp-c end with their redaction records: without them the erased payload is an edit.
            const erased = id === "tp-d" ? [] : [`edited@${seqs.get(id)}`];
            assert.deepEqual(problemsOf(report, id), [...erased, `deleted@${version - 1}`, `deleted@${version}`], id);
          }
        },
      );
    });

    test("reordering: two events swapped", async () => {
      await whileTampered(
        db(),
        async (trx) => {
          await sql`UPDATE events SET seq = 1000 WHERE project_id = 'tp-c' AND seq = 4`.execute(trx);
          await sql`UPDATE events SET seq = 4 WHERE project_id = 'tp-c' AND seq = 5`.execute(trx);
          await sql`UPDATE events SET seq = 5 WHERE project_id = 'tp-c' AND seq = 1000`.execute(trx);
        },
        async (tampered) => {
          const report = await verify(tampered);
          assert.deepEqual(tamperedOnly(report), ["tp-c"]);
          assert.ok(problemsOf(report, "tp-c").includes("rewritten@4"), problemsOf(report, "tp-c").join());
          assert.ok(problemsOf(report, "tp-c").includes("reordered@4"));
        },
      );
    });

    test("a forged checkpoint: another key, a changed tree size, a root it does not sign", async () => {
      const stranger = newKey();
      const forged = [
        signCheckpoint({ origin: key.name, treeSize: c2.treeSize, rootHash: c2.rootHash }, signingKey(key.name, stranger.privateKey)),
        c2.note.replace(`\n${c2.treeSize}\n`, `\n${c2.treeSize - 1}\n`),
      ];
      // Signed with the right key, but a fork: another root for the same size.
      const fork = signCheckpoint({ origin: key.name, treeSize: c2.treeSize, rootHash: c1.rootHash }, key);
      const forkReport = await verify(db(), [c2.note, fork]);
      assert.deepEqual([...new Set(forkReport.log?.problems.map((p) => p.kind))].sort(), ["inconsistent", "root"]);
      for (const note of forged) {
        const report = await verify(db(), [c1.note, note]);
        assert.equal(report.intact, false);
        assert.ok(
          report.log?.problems.some((p) => p.kind === "signature"),
          JSON.stringify(report.log),
        );
      }
    });

    test("the redaction function refuses a record that does not extend the chain or name the event", async () => {
      const seq = seqs.get("tp-d") ?? 0;
      const version = await lastSeq(db().db, "tp-d");
      const head = await db()
        .db.selectFrom("events")
        .select("hash")
        .where("project_id", "=", "tp-d")
        .where("seq", "=", version)
        .executeTakeFirstOrThrow();
      const record = (forSeq: number, afterSeq: number, prev: string) => {
        const row = chainEvents(
          "tp-d",
          afterSeq,
          prev,
          [{ type: "audit.redacted", at: T0, actor: "x", seq: forSeq, paths: [["issue"]], payloadHash: "0".repeat(64) } as never],
          T0,
        ).rows[0];
        return JSON.stringify({ ...row, payload: JSON.parse(String(row?.payload)) });
      };
      const call = (target: number, json: string) =>
        sql`SELECT onboard_redact_event('tp-d', ${target}, '{"issue": "[redacted]"}'::jsonb, ${json}::jsonb)`.execute(db().db);
      await assert.rejects(call(seq, record(seq, version - 1, head.hash)), /does not extend the chain/);
      await assert.rejects(call(seq, record(seq, version, "0".repeat(64))), /does not extend the chain/);
      await assert.rejects(call(seq, record(seq + 1, version, head.hash)), /does not extend the chain/);
      await assert.rejects(call(999, record(999, version, head.hash)), /has no event 999/);
      assert.equal(await lastSeq(db().db, "tp-d"), version);
      assert.equal((await verify()).intact, true, "nothing was written");
    });

    test("forged newer checkpoint: the log rebuilt around a rewritten chain and signed again does not extend the old one", async () => {
      // Destructive: the attacker rewrites a chain, drops the whole log and lets the operator's
      // checkpointer sign a fresh one over the rewritten database.
      await fresh.database.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(trx);
        await rewriteChain(trx, "tp-b", (events) => events.map((e) => (e.actor === "ops-1" ? { ...e, actor: "csm-1" } : e)));
        for (const table of ["audit_leaves", "audit_nodes", "audit_checkpoints", "audit_log_heads"])
          await sql`DELETE FROM ${sql.table(table)}`.execute(trx);
      });
      const c3 = (await writeCheckpoint(fresh.database, key, hoursAfter(30))).checkpoint;
      assert.ok(c3.treeSize > c2.treeSize);
      const alone = await verify(db(), [c3.note]);
      assert.equal(alone.intact, true, "the new checkpoint matches what it was made from");
      const report = await verify(db(), [c1.note, c2.note, c3.note]);
      assert.equal(report.intact, false);
      assert.deepEqual([...new Set(report.log?.problems.map((p) => p.kind))].sort(), ["inconsistent", "root"]);
      assert.match(
        report.log?.problems.find((p) => p.kind === "inconsistent")?.message ?? "",
        new RegExp(`does not extend the one of ${c1.treeSize} events`),
      );
    });
  });
}
