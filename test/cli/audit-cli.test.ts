// onboard audit checkpoint / verify --against and onboard db as an operator and an auditor run them:
// real child processes on a data folder (the embedded PostgreSQL server's), a signing key in the folder as the server makes
// it, the auditor's own copy of the public key, checkpoints published to a file, stdout and a webhook.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { openDatabase } from "../../src/store/database.ts";
import { defaultOrigin, ensureSigningKeyFile, openCheckpoint, signingKey, verifierFromPem } from "../../src/store/signed-note.ts";
import { rewriteChain } from "../store/support/tamper.ts";
import { CSM, hoursAfter, OPS, startInput, T0, withMinimal } from "../store/support/world.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin", "onboard.js");

function onboard(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The same, without blocking this process (a webhook in it must answer). */
function onboardAsync(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("onboard audit checkpoint and verify --against on a data folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "onboard-audit-cli-"));
  // As root the embedded server runs as another account, which must pass through this folder.
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  const files = (name: string) => join(dir, name);
  let publicPem = "";
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    const database = await openDatabase({ kind: "embedded", dataDir: data });
    try {
      const { service, playbook } = await withMinimal(database);
      for (const id of ["cli-a", "cli-b"]) {
        await service.startProject({ playbook, input: startInput(id), now: T0 });
        await service.runCommand(id, { command: { type: "complete_step", step: "handoff" }, actor: OPS, now: hoursAfter(1) });
      }
    } finally {
      await database.close();
    }
    // The key the server would have generated in the data folder; the auditor keeps the public half.
    const { privateKey } = await ensureSigningKeyFile(join(data, "audit-signing-key.pem"));
    publicPem = createPublicKey(privateKey).export({ format: "pem", type: "spki" }).toString();
    writeFileSync(files("audit.pub.pem"), publicPem);
  });

  test("checkpoint prints the signed note (or writes it, or posts it) and verify --against proves the database holds it", async () => {
    const printed = onboard("audit", "checkpoint", "--database", data);
    assert.equal(printed.code, 0, printed.err);
    const opened = openCheckpoint(`${printed.out.trimEnd()}\n`, verifierFromPem(publicPem));
    assert.equal(opened.signed, true, opened.why);
    writeFileSync(files("c1.note"), `${printed.out.trimEnd()}\n`);

    const database = await openDatabase({ kind: "embedded", dataDir: data });
    try {
      const service = (await withMinimal(database)).service;
      await service.runCommand("cli-a", { command: { type: "open_issue", severity: "low", title: "x" }, actor: CSM, now: hoursAfter(2) });
    } finally {
      await database.close();
    }
    const received: unknown[] = [];
    const hook = createServer((request, response) => {
      let body = "";
      request.on("data", (d) => (body += d));
      request.on("end", () => {
        received.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = hook.address() as { port: number };
      const posted = await onboardAsync(
        "audit",
        "checkpoint",
        "--database",
        data,
        "-o",
        files("c2.note"),
        "--webhook",
        `http://127.0.0.1:${port}/checkpoints`,
      );
      assert.equal(posted.code, 0, posted.err);
      assert.match(
        posted.out,
        /checkpoint of \d+ events \(\d+ new\), origin onboard\.audit\/[0-9a-f]{16}, signed by .*: written to .*c2\.note: posted to/,
      );
    } finally {
      hook.close();
    }
    const c2 = readFileSync(files("c2.note"), "utf8");
    assert.deepEqual(
      received.map((r) => (r as { note: string }).note),
      [c2],
    );
    const vkey = (received[0] as { vkey: string }).vkey;
    assert.equal(
      vkey,
      signingKey(defaultOrigin(createPublicKey(publicPem)), (await ensureSigningKeyFile(join(data, "audit-signing-key.pem"))).privateKey)
        .vkey,
    );

    const intact = onboard(
      "audit",
      "verify",
      "--database",
      data,
      "--against",
      files("c1.note"),
      "--against",
      files("c2.note"),
      "--key",
      files("audit.pub.pem"),
    );
    assert.equal(intact.code, 0, intact.out + intact.err);
    assert.match(intact.out, /checkpoint of \d+ events .*: signed by the key/);
    assert.match(intact.out, /2 projects, \d+ events: the audit trail is intact and holds everything the checkpoints cover/);
    const byVkey = onboard("audit", "verify", "--database", data, "--against", files("c2.note"), "--vkey", vkey, "--json");
    assert.equal(byVkey.code, 0, byVkey.out + byVkey.err);
    assert.equal((JSON.parse(byVkey.out) as { log: { intact: boolean } }).log.intact, true);
  });

  test("tampering the chains cannot show is found against the checkpoint, naming project and seq; a re-signed rewritten log does not extend it", async () => {
    const database = await openDatabase({ kind: "embedded", dataDir: data });
    try {
      await database.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(trx);
        const { version } = await trx.selectFrom("projects").select("version").where("id", "=", "cli-b").executeTakeFirstOrThrow();
        await sql`DELETE FROM events WHERE project_id = 'cli-b' AND seq = ${version}`.execute(trx);
        await sql`UPDATE projects SET version = ${version - 1} WHERE id = 'cli-b'`.execute(trx);
        await rewriteChain(trx, "cli-a", (events) => events.map((e) => (e.actor === "ops-1" ? { ...e, actor: "csm-1" } : e)));
      });
    } finally {
      await database.close();
    }
    const blind = onboard("audit", "verify", "--database", data);
    assert.equal(blind.code, 0, "the chains alone still verify");
    assert.match(blind.out, /verify --against a published checkpoint/);
    const caught = onboard("audit", "verify", "--database", data, "--against", files("c2.note"), "--key", files("audit.pub.pem"));
    assert.equal(caught.code, 1, caught.out + caught.err);
    assert.match(caught.out, /cli-a: .*\n {2}seq \d+ +rewritten +event \d+ no longer has the hash the checkpoint covers/);
    assert.match(caught.out, /cli-b: .*\n {2}seq \d+ +deleted +the project's version was lowered/);
    assert.match(caught.out, /tampering found in 2 projects/);

    // The attacker drops the log and lets the operator sign a new one over the rewritten database.
    const again = await openDatabase({ kind: "embedded", dataDir: data });
    try {
      await again.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(trx);
        for (const table of ["audit_leaves", "audit_nodes", "audit_checkpoints", "audit_log_heads"])
          await sql`DELETE FROM ${sql.table(table)}`.execute(trx);
      });
    } finally {
      await again.close();
    }
    assert.equal(onboard("audit", "checkpoint", "--database", data, "-o", files("c3.note")).code, 0);
    const forked = onboard(
      "audit",
      "verify",
      "--database",
      data,
      "--against",
      files("c1.note"),
      "--against",
      files("c3.note"),
      "--key",
      files("audit.pub.pem"),
    );
    assert.equal(forked.code, 1);
    assert.match(forked.out, /inconsistent +the checkpoint of \d+ events does not extend the one of \d+ events/);
  });

  test("usage errors exit 2 with a message", () => {
    const cases: [string[], RegExp][] = [
      [["audit", "verify", "--database", data, "--against", files("c1.note")], /needs the signer's key/],
      [
        ["audit", "verify", "--database", data, "--against", files("missing.note"), "--key", files("audit.pub.pem")],
        /cannot read the checkpoint/,
      ],
      [["audit", "verify", "--database", data, "--against", files("c1.note"), "--vkey", "nonsense"], /vkey reads/],
      [
        ["audit", "verify", "--database", data, "--project", "cli-a", "--against", files("c1.note"), "--key", files("audit.pub.pem")],
        /one or the other/,
      ],
      [["audit", "checkpoint", "--database", data, "--key", files("missing.pem")], /cannot read the audit signing key/],
      [["audit", "checkpoint", "--database", data, "--webhook", "ftp://x"], /http\(s\) URL/],
      [["audit", "sign"], /expected "verify" or "checkpoint"/],
      [["db", "grant-app-role"], /expected "grant-app-role <role>"/],
      [["db", "grant-app-role", "onboard_app", "--database", data], /PostgreSQL's/],
    ];
    for (const [args, message] of cases) {
      const result = onboard(...args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.out}${result.err}`);
      assert.match(result.err, message, args.join(" "));
    }
    const script = onboard("db", "grant-app-role", "onboard_app", "--print");
    assert.equal(script.code, 0);
    assert.match(script.out, /REVOKE UPDATE, DELETE, TRUNCATE ON "public"\.events, "public"\.audit_leaves/);
    assert.match(onboard("audit", "--help").out, /Usage: onboard audit verify[\s\S]*onboard audit checkpoint[\s\S]*--against <file>/);
    assert.match(onboard("db", "--help").out, /Usage: onboard db grant-app-role <role>/);
  });
});
