// onboard report controls as an operator runs it: a real child process on a data folder (the embedded PostgreSQL server's),
// the signing key in the folder as the server makes it; the package is opened with the public key.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { openPackage } from "../../src/compliance/package.ts";
import { openDatabase } from "../../src/store/database.ts";
import { ensureSigningKeyFile } from "../../src/store/signed-note.ts";
import { hoursAfter, startInput, T0, withMinimal } from "../store/support/world.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "onboard.js");

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("onboard report controls on a data folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-report-cli-"));
  // As root the embedded server runs as another account, which must pass through this folder.
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  let publicKey: ReturnType<typeof createPublicKey>;
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    const database = await openDatabase({ kind: "embedded", dataDir: data });
    try {
      const { service, playbook } = await withMinimal(database);
      await service.startProject({ playbook, input: startInput("cli-started"), now: hoursAfter(1) });
      // An account older than the log, and one made (with its record) inside the period.
      await sql`INSERT INTO users (id, email, name, roles, password_hash, created_at, updated_at)
                VALUES ('old', 'old@example.com', 'Old hand', '["admin"]', 'x', ${T0}, ${T0}),
                       ('new', 'new@example.com', 'New hire', '["csm"]', 'x', ${hoursAfter(2)}, ${hoursAfter(2)})`.execute(database.db);
      await sql`INSERT INTO access_changes (at, actor, subject_user, change, roles_after)
                VALUES (${hoursAfter(2)}, 'old', 'new', 'account_created', '["csm"]')`.execute(database.db);
    } finally {
      await database.close();
    }
    const { privateKey } = await ensureSigningKeyFile(join(data, "audit-signing-key.pem"));
    publicKey = createPublicKey(privateKey);
  });

  test("writes a signed package that opens intact, with the period's intervals and publications", () => {
    const out = join(dir, "controls.zip");
    const run = onboard("report", "controls", "--database", data, "--from", "2026-03-02", "--to", "2026-03-02", "-o", out);
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /controls\.zip: the controls report 2026-03-02 to 2026-03-02/);
    const opened = openPackage(readFileSync(out), { name: undefined, publicKey });
    assert.equal(opened.intact, true, JSON.stringify(opened.problems));
    assert.equal(opened.header?.kind, "period-report");
    const report = JSON.parse(Buffer.from(opened.files.get("report.json") ?? new Uint8Array()).toString("utf8"));
    assert.deepEqual(
      report.cc61.roleIntervals.map((i: { userId: string; role: string; from: string | null; to: string | null }) => [
        i.userId,
        i.role,
        i.from,
        i.to,
      ]),
      [
        ["new", "csm", hoursAfter(2), null],
        ["old", "admin", null, null],
      ],
    );
    const html = Buffer.from(opened.files.get("summary.html") ?? new Uint8Array()).toString("utf8");
    assert.match(html, /held since before the log began/);
    assert.deepEqual(
      report.cc81.publications.map((p: { playbookId: string; version: string; affected: { projectId: string }[] }) => [
        p.playbookId,
        p.version,
        p.affected.map((a) => a.projectId),
      ]),
      [["minimal", "1.1", ["cli-started"]]],
    );
    assert.equal(report.cc81.publications[0].approval, null);
    assert.match(html, /no four-eyes at the time/);
  });

  test("a period that is not one is a usage error naming the option", () => {
    const run = onboard("report", "controls", "--database", data, "--from", "2026-03-05", "--to", "2026-03-02");
    assert.equal(run.code, 2);
    assert.match(run.err, /--to: 2026-03-02 is before from/);
    assert.equal(onboard("report", "controls", "--database", data, "--from", "2026-02-30", "--to", "2026-03-02").code, 2);
  });
});
