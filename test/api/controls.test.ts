// Access and change control over HTTP (issue 17): every route that changes access writes its
// access-change record (and the log refuses UPDATE, DELETE and TRUNCATE); four-eyes publishing
// (pending, not runnable, never approved by its uploader, rejected versions never run); and the
// period report, a signed package whose intervals, changes, diffs, approvers and affected projects
// are checked, opened with openPackage, and whose CSV is read back by Python's csv module.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import * as OTPAuth from "otpauth";
import { openPackage } from "../../src/compliance/package.ts";
import { type Caller, type Json, PASSWORD, startTestServer, type TestServer, testBackends } from "./support/http.ts";
import { FACTS, MINIMAL, MINIMAL_1_2 } from "./support/world.ts";

const BACKENDS = await testBackends();
/** Before the period: the server starts, the accounts are made, version 1.1 is published. */
const T0 = "2026-03-01T22:00:00.000Z";
/** Inside the period (2026-03-02). */
const T1 = "2026-03-02T08:00:00.000Z";
const T2 = "2026-03-02T09:00:00.000Z";
const T3 = "2026-03-02T10:00:00.000Z";
/** After the period. */
const T4 = "2026-03-03T10:00:00.000Z";
const MINIMAL_1_3 = MINIMAL_1_2.replace('version: "1.2"', 'version: "1.3"');
const INJECTION = '=HYPERLINK("http://evil.example","x")';

function code(secret: string, at: string): string {
  return OTPAuth.TOTP.generate({
    secret: OTPAuth.Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    timestamp: Date.parse(at),
  });
}

async function download(
  t: TestServer,
  caller: Caller,
  path: string,
): Promise<{ status: number; type: string; bytes: Uint8Array; text: string }> {
  const headers: Record<string, string> = {};
  if (caller.credentials.cookie) headers.cookie = caller.credentials.cookie;
  const response = await fetch(`${t.url}${path}`, { headers });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get("content-type") ?? "", bytes, text: Buffer.from(bytes).toString("utf8") };
}

/** Python's csv module reads the file as a spreadsheet would: rows of cells. */
function pythonCsv(text: string): string[][] {
  const file = join(mkdtempSync(join(tmpdir(), "onboard-csv-")), "t.csv");
  writeFileSync(file, text);
  const out = execFileSync("/usr/bin/python3", [
    "-c",
    "import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8-sig')))))",
    file,
  ]);
  return JSON.parse(out.toString("utf8"));
}

for (const backend of BACKENDS) {
  describe(`access and change control (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let now = T0;
    const { privateKey } = generateKeyPairSync("ed25519");
    let uploader: Caller;
    let second: Caller;
    let csm: Caller;
    const changes = async () =>
      (
        await sql<{
          change: string;
          subject_user: string;
          actor: string;
          roles_before: string[] | null;
          roles_after: string[] | null;
          details: Json;
        }>`
          SELECT change, subject_user, actor, roles_before, roles_after, details FROM access_changes ORDER BY id`.execute(
          t.fresh.database.db,
        )
      ).rows;

    before(async () => {
      t = await startTestServer(
        backend,
        { AUDIT_LOG_ORIGIN: "onboard.test/controls", SESSION_TTL_HOURS: "240" },
        { auditKey: privateKey, clock: () => now },
      );
      uploader = await t.user("uploader", ["cs_ops"]);
      second = await t.user("second", ["admin"]);
      csm = await t.user("csm1", ["csm"]);
      assert.equal((await uploader.post("/playbooks", { source: MINIMAL })).status, 201);
      for (const id of ["acme", "globex"]) {
        assert.equal((await t.admin.post("/clients", { id, name: id, timeZone: "Europe/London", country: "GB" })).status, 201);
      }
      assert.equal(
        (
          await t.admin.post("/projects", {
            id: "before-move",
            playbook: { id: "minimal", version: "1.1" },
            clientId: "acme",
            facts: FACTS,
          })
        ).status,
        201,
      );
    });
    after(() => t?.close());

    test("every route that changes access records it, in order, with roles before and after", async () => {
      now = T1;
      const start = (await changes()).length;
      const patch = (id: string, body: Json) => t.admin.request("PATCH", `/users/${id}`, { body });
      assert.equal((await patch("csm1", { roles: ["csm", "support"] })).status, 200);
      assert.equal((await patch("csm1", { name: "Only a new name" })).status, 200, "a rename is not an access change");
      assert.equal((await patch("csm1", { active: false })).status, 200);
      assert.equal((await patch("csm1", { active: true })).status, 200);
      assert.equal((await patch("csm1", { password: "an admin's new password" })).status, 200);
      csm = await t.login("csm1@example.com", "an admin's new password");
      assert.equal((await csm.post("/auth/password", { currentPassword: "an admin's new password", newPassword: PASSWORD })).status, 204);
      const token = await csm.post("/tokens", { name: "script", scope: "read" });
      assert.equal(token.status, 201, JSON.stringify(token.body));
      assert.equal((await csm.request("DELETE", `/tokens/${token.body.id}`)).status, 204);
      assert.equal((await csm.request("DELETE", `/tokens/${token.body.id}`)).status, 204, "revoking twice is fine, and recorded once");
      const enrolment = await csm.post("/auth/totp/enrolment");
      assert.equal(enrolment.status, 200, JSON.stringify(enrolment.body));
      assert.equal((await csm.post("/auth/totp/enrolment/confirm", { code: code(enrolment.body.secret, now) })).status, 200);
      now = "2026-03-02T08:01:00.000Z"; // the next code: a code passes once
      assert.equal((await csm.post("/auth/totp/recovery-codes", { code: code(enrolment.body.secret, now) })).status, 200);
      now = T1;
      assert.equal((await t.admin.request("PUT", "/users/csm1/totp", { body: { required: true } })).status, 200);
      assert.equal((await t.admin.request("DELETE", "/users/csm1/totp")).status, 204);
      assert.equal((await t.admin.request("PUT", "/users/csm1/totp", { body: { required: false } })).status, 200);
      const service = await t.admin.post("/service-accounts", { name: "Risk engine", id: "svc-risk", tokenName: "engine" });
      assert.equal(service.status, 201, JSON.stringify(service.body));

      const recorded = (await changes()).slice(start);
      assert.deepEqual(
        recorded.map((c) => `${c.change} ${c.subject_user} by ${c.actor}`),
        [
          "roles_changed csm1 by admin",
          "deactivated csm1 by admin",
          "reactivated csm1 by admin",
          "password_reset csm1 by admin",
          "password_changed csm1 by csm1",
          "api_token_created csm1 by csm1",
          "api_token_revoked csm1 by csm1",
          "totp_enrolled csm1 by csm1",
          "recovery_codes_renewed csm1 by csm1",
          "totp_requirement_changed csm1 by admin",
          "totp_reset csm1 by admin",
          "totp_requirement_changed csm1 by admin",
          "service_account_created svc-risk by admin",
          "api_token_created svc-risk by admin",
        ],
      );
      assert.deepEqual(recorded[0]?.roles_before, ["csm"]);
      assert.deepEqual(recorded[0]?.roles_after, ["csm", "support"]);
      assert.equal(recorded[5]?.details.name, "script");
      assert.equal(recorded[5]?.details.scope, "read");
      assert.ok(!JSON.stringify(recorded).includes(token.body.token), "no secret in the log");
      const created = (await changes()).find((c) => c.subject_user === "uploader");
      assert.equal(created?.change, "account_created");
      assert.deepEqual(created?.roles_after, ["cs_ops"]);
    });

    test("four-eyes: pending is not runnable; the uploader cannot approve; a second person publishes it", async () => {
      now = T2;
      assert.equal((await uploader.request("PUT", "/settings/four-eyes", { body: { required: true } })).status, 403, "admins only");
      const on = await t.admin.request("PUT", "/settings/four-eyes", { body: { required: true } });
      assert.equal(on.status, 200, JSON.stringify(on.body));
      assert.equal(on.body.required, true);

      const upload = await uploader.post("/playbooks", { source: MINIMAL_1_2 });
      assert.equal(upload.status, 202, JSON.stringify(upload.body));
      assert.equal(upload.body.status, "pending");
      const { submissionId } = upload.body;
      assert.equal((await uploader.post("/playbooks", { source: MINIMAL_1_2 })).status, 202, "the same text again waits once");
      assert.equal((await t.admin.get("/playbooks/minimal/versions/1.2")).status, 404, "not published");
      const list = await t.admin.get("/playbooks?limit=200");
      assert.equal(list.body.items.find((p: Json) => p.id === "minimal").latestVersion, "1.1");
      const pending = await csm.get("/playbooks/pending");
      assert.deepEqual(
        pending.body.items.map((s: Json) => [s.submissionId, s.id, s.version, s.submittedBy, s.previousVersion, s.status]),
        [[submissionId, "minimal", "1.2", "uploader", "1.1", "pending"]],
      );
      const diff = await csm.get("/playbooks/minimal/diff?from=1.1&to=1.2");
      assert.equal(diff.status, 200, "the reviewer reads the diff before approving");
      assert.ok(diff.body.addedSteps.some((s: Json) => s.id === "welcome_pack"));
      const early = await t.admin.post("/projects", {
        id: "too-early",
        playbook: { id: "minimal", version: "1.2" },
        clientId: "acme",
        facts: FACTS,
      });
      assert.ok([404, 422].includes(early.status), `a project cannot start on a pending version: ${early.status}`);

      const own = await uploader.post(`/playbooks/pending/${submissionId}/approve`, {});
      assert.equal(own.status, 403);
      assert.match(own.headers.get("content-type") ?? "", /application\/problem\+json/);
      assert.equal(own.body.type, "urn:onboard:problem:forbidden");
      assert.match(own.body.detail, /uploaded/);
      assert.equal((await csm.post(`/playbooks/pending/${submissionId}/approve`, {})).status, 403, "a CSM may not approve");
      assert.equal((await uploader.post(`/playbooks/pending/${submissionId}/reject`, { reason: "mine" })).status, 403);

      const approved = await second.post(`/playbooks/pending/${submissionId}/approve`, { comment: "Reviewed the welcome pack" });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.status, "approved");
      assert.equal(approved.body.reviewedBy, "second");
      assert.equal((await second.post(`/playbooks/pending/${submissionId}/approve`, {})).status, 409, "decided once");
      const version = await t.admin.get("/playbooks/minimal/versions/1.2");
      assert.equal(version.status, 200);
      assert.equal(version.body.uploadedBy, "uploader", "the author stays the uploader");
      const started = await t.admin.post("/projects", {
        id: "on-approved",
        playbook: { id: "minimal", version: "1.2" },
        clientId: "globex",
        facts: FACTS,
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const before = await t.admin.get("/projects/before-move");
      const moved = await t.admin.post(
        "/projects/before-move/migration",
        { to: "1.2", reason: "approved change" },
        { "if-match": before.headers.get("etag") ?? "" },
      );
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
    });

    test("four-eyes: a rejected version never runs and cannot be approved afterwards", async () => {
      now = T3;
      const upload = await uploader.post("/playbooks", { source: MINIMAL_1_3 });
      assert.equal(upload.status, 202);
      const noReason = await second.post(`/playbooks/pending/${upload.body.submissionId}/reject`, {});
      assert.equal(noReason.status, 400);
      assert.ok(noReason.body.errors.some((e: Json) => e.pointer === "/body/reason"));
      const rejected = await second.post(`/playbooks/pending/${upload.body.submissionId}/reject`, { reason: "The deadline is not agreed" });
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
      assert.equal(rejected.body.status, "rejected");
      assert.equal((await t.admin.post(`/playbooks/pending/${upload.body.submissionId}/approve`, {})).status, 409);
      const start = await t.admin.post("/projects", {
        id: "on-rejected",
        playbook: { id: "minimal", version: "1.3" },
        clientId: "acme",
        facts: FACTS,
      });
      assert.ok([404, 422].includes(start.status), `never runs: ${start.status}`);
      assert.equal((await t.admin.get("/playbooks/pending")).body.items.length, 0);
    });

    test("the period report: a signed package with intervals, changes, diff, approver and affected projects; CSV defused", async () => {
      now = T3;
      assert.equal((await t.admin.request("PATCH", "/users/uploader", { body: { name: INJECTION } })).status, 200);
      assert.equal((await t.admin.post("/tokens", { name: "+SUM(1,2)", scope: "read" })).status, 201);
      now = T4;
      assert.equal((await t.admin.request("PATCH", "/users/csm1", { body: { roles: ["csm"] } })).status, 200, "after the period");

      assert.equal((await download(t, uploader, "/reports/controls?from=2026-03-02&to=2026-03-02")).status, 403);
      const bad = await t.admin.get("/reports/controls?from=2026-03-02&to=2026-02-30");
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].pointer, "/query/to");
      const response = await download(t, t.admin, "/reports/controls?from=2026-03-02&to=2026-03-02");
      assert.equal(response.status, 200, response.text.slice(0, 300));
      assert.equal(response.type, "application/zip");
      const opened = openPackage(response.bytes, { name: undefined, publicKey: createPublicKey(privateKey) });
      assert.equal(opened.intact, true, JSON.stringify(opened.problems));
      assert.equal(opened.header?.kind, "period-report");
      const read = (path: string) => Buffer.from(opened.files.get(path) ?? new Uint8Array()).toString("utf8");
      const report = JSON.parse(read("report.json"));

      const intervals = (user: string) =>
        report.cc61.roleIntervals.filter((i: Json) => i.userId === user).map((i: Json) => `${i.role} ${i.from} ${i.to}`);
      // csm1: csm since its creation (before the period), support from T1; both interrupted by the
      // deactivation at T1 and held again from the reactivation; the change at T4 is after the period.
      assert.deepEqual(intervals("csm1"), [`csm ${T0} ${T1}`, `csm ${T1} null`, `support ${T1} ${T1}`, `support ${T1} null`]);
      assert.deepEqual(intervals("second"), [`admin ${T0} null`]);
      const kinds = report.cc61.accessChanges.map((c: Json) => c.change);
      assert.ok(kinds.includes("roles_changed") && kinds.includes("totp_enrolled") && kinds.includes("service_account_created"));
      assert.ok(!report.cc61.accessChanges.some((c: Json) => c.at === T4), "changes after the period are not listed");
      assert.ok(!report.cc61.accessChanges.some((c: Json) => c.at === T0), "nor those before it");

      assert.equal(report.cc81.fourEyesAtStart, false);
      assert.deepEqual(
        report.cc81.fourEyesChanges.map((c: Json) => [c.required, c.actor]),
        [[true, "admin"]],
      );
      const published = report.cc81.publications;
      assert.deepEqual(
        published.map((p: Json) => `${p.playbookId} ${p.version}`),
        ["minimal 1.2"],
        "1.1 (before the period) and 1.3 (rejected) are not publications of the period",
      );
      const [p] = published;
      assert.equal(p.author, "uploader");
      assert.equal(p.approval.by, "second");
      assert.equal(p.approval.comment, "Reviewed the welcome pack");
      assert.equal(p.previousVersion, "1.1");
      assert.ok(p.diff.addedSteps.some((s: Json) => s.id === "welcome_pack"));
      assert.deepEqual(
        p.affected.map((a: Json) => `${a.projectId} ${a.how}`),
        ["before-move migrated", "on-approved started"],
      );
      assert.deepEqual(
        report.cc81.rejections.map((r: Json) => [r.version, r.submittedBy, r.rejectedBy, r.reason]),
        [["1.3", "uploader", "second", "The deadline is not agreed"]],
      );

      const publications = pythonCsv(read("cc8.1-playbook-publications.csv"));
      assert.deepEqual(publications[0]?.slice(0, 7), ["playbook", "version", "title", "published_at", "origin", "author", "approver"]);
      assert.deepEqual(publications[1]?.slice(0, 7), ["minimal", "1.2", "Minimal onboarding", T2, "upload", "uploader", "second"]);
      const roles = pythonCsv(read("cc6.1-access-roles.csv"));
      const uploaderRow = roles.find((r) => r[0] === "uploader");
      assert.equal(uploaderRow?.[1], `'${INJECTION}`, "a formula is defused with an apostrophe");
      const accessChanges = pythonCsv(read("cc6.1-access-changes.csv"));
      const tokenRow = accessChanges.find((r) => r[3] === "api_token_created" && (r[6] ?? "").includes("SUM"));
      assert.match(tokenRow?.[6] ?? "", /"name":"\+SUM\(1,2\)"/, "read back whole: the comma inside stays in its cell");
      for (const row of [...roles, ...accessChanges, ...publications]) {
        for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `a cell a spreadsheet would run: ${cell}`);
      }
      const html = read("summary.html");
      assert.match(html, /CC6\.1/);
      assert.match(html, /approved by second/);
      assert.doesNotMatch(html, /<script/i);
      // Printed by Chromium for a person to read; under CI=true Chromium is always there.
      const pdf = opened.files.get("summary.pdf");
      if (pdf || process.env.CI === "true")
        assert.equal(
          Buffer.from(pdf ?? [])
            .subarray(0, 5)
            .toString(),
          "%PDF-",
        );
    });

    test("the access-change log and the four-eyes records cannot be updated, deleted or truncated", async () => {
      const db = t.fresh.database.db;
      for (const statement of [
        sql`UPDATE access_changes SET actor = 'nobody'`,
        sql`DELETE FROM access_changes`,
        sql`TRUNCATE access_changes`,
        sql`UPDATE four_eyes_changes SET required = false`,
        sql`DELETE FROM playbook_reviews`,
        sql`DELETE FROM playbook_submissions`,
      ]) {
        await assert.rejects(statement.execute(db), /append-only/);
      }
      const count = await sql<{ n: string | number }>`SELECT count(*) AS n FROM playbook_reviews`.execute(db);
      assert.equal(Number(count.rows[0]?.n), 2, "both decisions are still there");
      assert.ok((await changes()).length > 0);
    });
  });
}
