// The evidence package over real HTTP on both backends (issue #17): a project of a playbook with
// compliance checks taken through a CSM's sign-off (password) and the client's (magic link), a
// skipped step and an extended deadline, one erasure; GET /projects/:id/evidence gives a ZIP that
// verifies offline with the server's vkey only, names how each signer authenticated, every
// deviation with its reason, and each check's evidence or "missing"; one byte changed in the
// events, the summary JSON or the readable summary fails; a package signed by another key fails;
// events forged and re-signed by the operator's own key fail the chain and inclusion checks.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { unzipSync, zipSync } from "fflate";
import type { EvidenceSummary } from "../../src/compliance/evidence.ts";
import { MANIFEST_FILE, writePackage } from "../../src/compliance/package.ts";
import { verifyPackage } from "../../src/compliance/verify-package.ts";
import type { Mailer, OutgoingMail } from "../../src/notify/mailer.ts";
import { redactEvent } from "../../src/store/audit.ts";
import { parseVkey, signingKey } from "../../src/store/signed-note.ts";
import { edited } from "../support/fixtures.ts";
import { type Caller, cookieHeader, type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();

/** The minimal playbook with a CSM sign-off on the handoff, document approvals and compliance checks. */
const PLAYBOOK = edited([
  [["id"], "evidence_min"],
  [["document", "approvals"], [{ role: "Process Owner", name: "Dana Lee", title: "VP Customer Success", date: "2026-01-20" }]],
  [["phases", 0, "steps", 0, "gate"], { approvers: ["csm"], sign_off: "The CSM accepts the handoff" }],
  [
    ["compliance"],
    [
      {
        id: "soc2",
        title: "SOC 2 onboarding controls",
        framework: "soc2",
        checks: [
          { id: "handoff_accepted", text: "The handoff is signed by the CSM", at: ["handoff"] },
          { id: "plan_approved", text: "The client approved the success plan", at: ["kickoff_call"] },
          { id: "live_confirmed", text: "Go-live is confirmed", at: ["go_live"] },
        ],
      },
    ],
  ],
]);

class RecordingMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }
  tokenFor(email: string): string {
    const mail = this.sent.findLast((m) => m.to.some((t) => t.address === email));
    const token = mail ? /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] : undefined;
    assert.ok(token, `a sign-in link was mailed to ${email}`);
    return token;
  }
}

async function command(caller: Caller, path: string, body: Json): Promise<Json> {
  const current = await caller.get(path.replace(/\/commands$/, ""));
  assert.equal(current.status, 200, JSON.stringify(current.body));
  const response = await caller.request("POST", path, { body, headers: { "if-match": current.headers.get("etag") ?? "" } });
  assert.equal(response.status, 200, `${JSON.stringify(body)}: ${JSON.stringify(response.body)}`);
  return response.body;
}

async function download(caller: Caller, url: string, path: string): Promise<{ status: number; headers: Headers; zip: Uint8Array }> {
  const headers: Record<string, string> = {};
  if (caller.credentials.cookie) headers.cookie = caller.credentials.cookie;
  const response = await fetch(`${url}${path}`, { headers });
  return { status: response.status, headers: response.headers, zip: new Uint8Array(await response.arrayBuffer()) };
}

/** The package with one file's byte at `at` changed (the manifest left as signed). */
function withByteChanged(zip: Uint8Array, file: string, at: number): Uint8Array {
  const entries = unzipSync(zip);
  const bytes = Uint8Array.from(entries[file] as Uint8Array);
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return zipSync({ ...entries, [file]: bytes });
}

for (const backend of BACKENDS) {
  describe(`evidence package (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    let casey: Caller;
    let zip: Uint8Array;
    let summary: EvidenceSummary;
    const mailer = new RecordingMailer();
    const { privateKey } = generateKeyPairSync("ed25519");
    const key = signingKey("onboard.test/evidence", privateKey);
    const project = "/projects/acme-evidence";

    before(async () => {
      t = await startTestServer(
        backend,
        { AUDIT_LOG_ORIGIN: "onboard.test/evidence" },
        { auditKey: privateKey, mailer, publish: [PLAYBOOK] },
      );
      casey = await t.user("casey", ["csm"]);
      assert.equal(
        (await t.admin.post("/clients", { id: "acme", name: "Acme GmbH", timeZone: "Europe/Berlin", country: "DE" })).status,
        201,
      );
      const contact = await t.admin.post("/clients/acme/contacts", {
        name: "Sam Sponsor",
        email: "sam@acme.example",
        roles: ["client_primary"],
      });
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      const started = await t.admin.post("/projects", {
        id: "acme-evidence",
        playbook: { id: "evidence_min", version: "1.1" },
        clientId: "acme",
        facts: { user_count: 25 },
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const team = await t.admin.get(`${project}/team`);
      const assigned = await t.admin.request("PUT", `${project}/team/csm`, {
        body: { person: "casey" },
        headers: { "if-match": `"${team.body.version}"` },
      });
      assert.equal(assigned.status, 200, JSON.stringify(assigned.body));

      // The CSM signs the handoff with a password session; the step completes.
      await command(casey, `${project}/commands`, { type: "approve", step: "handoff", role: "csm", comment: "All there" });
      await command(t.admin, `${project}/commands`, { type: "complete_step", step: "handoff" });
      // The client signs the success plan in the portal, signed in with a magic link.
      assert.equal((await t.anonymous.post("/portal/api/magic-links", { email: "sam@acme.example" })).status, 202);
      await t.deliverSignInLinks();
      const session = await t.anonymous.post("/portal/api/sessions", { token: mailer.tokenFor("sam@acme.example") });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      const sam = new (t.anonymous.constructor as typeof Caller)(t.url, {
        cookie: cookieHeader(session),
        csrfToken: session.body.csrfToken,
      });
      const view = await sam.get("/portal/api/projects/acme-evidence");
      const approved = await sam.request("POST", "/portal/api/projects/acme-evidence/commands", {
        body: { type: "approve", step: "kickoff_call", role: "client_primary", comment: "Signed for Acme by Sam Sponsor" },
        headers: { "if-match": view.headers.get("etag") ?? "" },
      });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      await command(casey, `${project}/commands`, { type: "complete_step", step: "kickoff_call" });
      // Deviations: UAT skipped, the go-live deadline extended, each with its reason.
      await command(t.admin, `${project}/commands`, { type: "skip_step", step: "uat", reason: "The client waived UAT in writing" });
      await command(t.admin, `${project}/commands`, {
        type: "extend_deadline",
        step: "go_live",
        until: "2031-01-01T12:00:00.000Z",
        reason: "The client's data centre moves first",
      });
      // A GDPR erasure of the client's comment: the package must still verify.
      const events = await t.admin.get(`${project}/events?limit=200`);
      const signOff = events.body.items.find((e: Json) => e.type === "gate.approved" && e.data.step === "kickoff_call");
      await redactEvent(
        t.server.database,
        { projectId: "acme-evidence", seq: signOff.seq, paths: [["comment"]], by: "admin", reason: "Art. 17 request", now: new Date() },
        { key },
      );

      const response = await download(casey, t.url, `${project}/evidence`);
      assert.equal(response.status, 200, new TextDecoder().decode(response.zip));
      assert.equal(response.headers.get("content-type"), "application/zip");
      assert.match(response.headers.get("content-disposition") ?? "", /^attachment; filename="evidence-acme-evidence\.zip"$/);
      zip = response.zip;
      summary = JSON.parse(Buffer.from(unzipSync(zip)["summary.json"] as Uint8Array).toString("utf8"));
    });
    after(() => t?.close());

    test("the package verifies with the vkey only, every check passing", () => {
      const result = verifyPackage(zip, parseVkey(key.vkey));
      assert.deepEqual(
        result.checks.map((c) => [c.name, c.ok, c.problems]),
        ["manifest", "events", "checkpoint", "inclusion", "chain", "summary"].map((name) => [name, true, []]),
      );
      assert.equal(result.intact, true);
      assert.deepEqual(result.header?.kind, "evidence");
      const files = Object.keys(unzipSync(zip)).sort();
      const readable = summary.rendering.summary === "pdf" ? "summary.pdf" : "summary.html";
      assert.deepEqual(
        files,
        [
          MANIFEST_FILE,
          "events.jsonl",
          "procedure/evidence_min-1.1.yaml",
          "proof/checkpoint.note",
          "proof/inclusion.json",
          readable,
          "summary.json",
        ].sort(),
      );
      if (process.env.CI === "true") assert.equal(summary.rendering.summary, "pdf", "under CI Chromium prints the summary");
      if (readable === "summary.pdf")
        assert.equal(
          Buffer.from(unzipSync(zip)["summary.pdf"] as Uint8Array)
            .subarray(0, 5)
            .toString(),
          "%PDF-",
        );
      else assert.match(summary.rendering.note ?? "", /HTML/);
    });

    test("the summary answers the sample request: procedure, sign-offs with authentication, deviations, SLA, checks, chain", () => {
      assert.deepEqual(summary.procedure.playbook, { id: "evidence_min", version: "1.1" });
      assert.equal(summary.procedure.document.id, "SOP-MIN-001");
      assert.deepEqual(summary.procedure.document.approvals, [
        { role: "Process Owner", name: "Dana Lee", title: "VP Customer Success", date: "2026-01-20" },
      ]);
      const signOffs = summary.approvals.map((a) => [a.step, a.role, a.decision, a.by, a.authenticatedBy]);
      assert.equal(signOffs.length, 2);
      assert.deepEqual(signOffs[0], ["handoff", "csm", "approved", "casey", "password"]);
      assert.deepEqual(signOffs[1]?.slice(0, 3), ["kickoff_call", "client_primary", "approved"]);
      assert.equal(signOffs[1]?.[4], "magic link to sam@acme.example");
      assert.equal(summary.approvals[1]?.byName, "Sam Sponsor (client contact)");
      assert.equal(summary.approvals[1]?.comment, "[redacted]", "the erased comment stays erased");
      const deviations = summary.deviations.map((d) => [d.kind, d.step, d.reason, d.allowedBy]);
      assert.deepEqual(
        deviations.filter(([kind]) => kind !== "redacted"),
        [
          ["skipped", "uat", "The client waived UAT in writing", "admin"],
          ["extended", "go_live", "The client's data centre moves first", "admin"],
        ],
      );
      assert.deepEqual(deviations.at(-1)?.slice(0, 3), ["redacted", null, "Art. 17 request"]);
      const handoff = summary.steps.find((s) => s.id === "handoff");
      assert.equal(handoff?.status, "done");
      assert.equal(handoff?.completedBy, "admin");
      assert.ok(handoff?.completedAt);
      assert.ok(["met", "missed"].includes(handoff?.sla ?? ""));
      assert.equal(summary.steps.find((s) => s.id === "uat")?.sla, "not_applicable");
      assert.deepEqual(
        summary.checks.map((c) => [c.id, c.status]),
        [
          ["handoff_accepted", "evidenced"],
          ["plan_approved", "evidenced"],
          ["live_confirmed", "missing"],
        ],
      );
      assert.equal(summary.checks[1]?.evidence[0]?.completedBy, "casey");
      assert.deepEqual(summary.checks[2]?.missing, ["go_live"]);
      assert.equal(summary.chain.head.seq, summary.chain.events);
      assert.equal(summary.chain.redacted, 1);
      assert.ok(summary.chain.checkpoint.treeSize >= summary.chain.events);
    });

    test("one byte changed in the events, the summary JSON or the readable summary fails verification", () => {
      const vkey = parseVkey(key.vkey);
      const readable = summary.rendering.summary === "pdf" ? "summary.pdf" : "summary.html";
      const entries = unzipSync(zip);
      for (const file of ["events.jsonl", "summary.json", readable, "proof/inclusion.json", "proof/checkpoint.note"]) {
        const size = (entries[file] as Uint8Array).length;
        for (const at of [0, Math.floor(size / 2), size - 1]) {
          const result = verifyPackage(withByteChanged(zip, file, at), vkey);
          assert.equal(result.intact, false, `${file} byte ${at}`);
          assert.ok(
            result.checks[0]?.problems.some((p) => p.includes(file)),
            `${file} is named: ${JSON.stringify(result.checks[0]?.problems)}`,
          );
        }
      }
      // Any byte of the archive itself: never intact with different contents.
      const original = entries;
      for (let i = 0; i < 300; i++) {
        const at = Math.floor(Math.random() * zip.length);
        const changed = Uint8Array.from(zip);
        changed[at] = (changed[at] as number) ^ (1 + Math.floor(Math.random() * 255));
        const result = verifyPackage(changed, vkey);
        if (!result.intact) continue;
        const opened = unzipSync(changed);
        for (const [path, bytes] of Object.entries(original)) assert.deepEqual(opened[path], bytes, `${path} changed at byte ${at}`);
      }
    });

    test("a package signed by another key fails; events forged and re-signed with the operator's own key fail the chain and proofs", () => {
      const other = signingKey("onboard.test/evidence", generateKeyPairSync("ed25519").privateKey);
      const result = verifyPackage(zip, parseVkey(other.vkey));
      assert.equal(result.intact, false);
      assert.equal(result.checks.find((c) => c.name === "manifest")?.ok, false);
      assert.equal(result.checks.find((c) => c.name === "checkpoint")?.ok, false);

      // The operator (who holds the key) rewrites who signed the handoff and signs a new manifest.
      const entries = unzipSync(zip);
      const forged = Buffer.from(entries["events.jsonl"] as Uint8Array)
        .toString("utf8")
        .replace(/"actor":"casey"/, '"actor":"mallory"');
      const files = Object.entries({ ...entries, "events.jsonl": Buffer.from(forged) })
        .filter(([path]) => path !== MANIFEST_FILE)
        .map(([path, bytes]) => ({ path, bytes }));
      const resigned = writePackage({ kind: "evidence", subject: "acme-evidence", createdAt: summary.generatedAt }, files, key);
      const checks = verifyPackage(resigned, parseVkey(key.vkey)).checks;
      assert.equal(checks.find((c) => c.name === "manifest")?.ok, true);
      assert.equal(checks.find((c) => c.name === "chain")?.ok, false);
      assert.match(checks.find((c) => c.name === "chain")?.message ?? "", /forged/);
    });

    test("clients never get it; a server without an audit key answers 503", async () => {
      const portal = await download(t.anonymous, t.url, `${project}/evidence`);
      assert.equal(portal.status, 401);
      assert.equal((await download(casey, t.url, "/projects/nope/evidence")).status, 404);
    });
  });
}

const pglite = BACKENDS[0];
describe("evidence package without an audit key", () => {
  test("503 naming AUDIT_SIGNING_KEY", async () => {
    const t = await startTestServer(pglite as NonNullable<typeof pglite>);
    try {
      const response = await t.admin.get("/projects/anything/evidence");
      assert.equal(response.status, 503);
      assert.match(JSON.stringify(response.body), /AUDIT_SIGNING_KEY/);
    } finally {
      await t.close();
    }
  });
});
