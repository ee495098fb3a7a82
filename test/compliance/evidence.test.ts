// The evidence model and its verification against a real store (in-memory PGlite): the engine
// copies the signer's authentication into the sign-off's event (older events without it stay
// valid); deviations name their reason and who allowed them; SLA outcomes; and the package's own
// checks catch what the manifest cannot (the operator re-signing altered files): a dropped last
// event, a missing inclusion proof, a checkpoint of another key.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { unzipSync } from "fflate";
import { buildEvidencePackage } from "../../src/api/data/evidence.ts";
import { describeAuthentication, type EvidenceSummary, verifyEvidenceFiles } from "../../src/compliance/evidence.ts";
import { MANIFEST_FILE, writePackage } from "../../src/compliance/package.ts";
import { verifyPackage } from "../../src/compliance/verify-package.ts";
import { openDatabase } from "../../src/store/database.ts";
import type { Database } from "../../src/store/index.ts";
import { parseVkey, signCheckpoint, signingKey } from "../../src/store/signed-note.ts";
import { webhookPayload } from "../../src/store/webhook-outbox.ts";
import { CLIENT, CSM, hoursAfter, OPS, startInput, T0, withMinimal } from "../store/support/world.ts";

const key = signingKey("onboard.test/evidence-model", generateKeyPairSync("ed25519").privateKey);
const vkey = parseVkey(key.vkey);

describe("the evidence model on a real store", () => {
  let database: Database;
  let files: Record<string, Uint8Array>;
  let summary: EvidenceSummary;

  before(async () => {
    database = await openDatabase({ kind: "pglite" });
    const { service, playbook } = await withMinimal(database);
    await service.startProject({ playbook, input: startInput("ev-1"), now: T0 });
    await service.runCommand("ev-1", { command: { type: "assign", role: "csm", person: "csm-1" }, actor: OPS, now: hoursAfter(0.5) });
    await service.runCommand("ev-1", { command: { type: "assign", role: "csm", person: "csm-2" }, actor: OPS, now: hoursAfter(0.6) });
    await service.runCommand("ev-1", { command: { type: "complete_step", step: "handoff" }, actor: OPS, now: hoursAfter(1) });
    // Signed before authentication was kept: no authentication in the event; then reject and sign again with SSO.
    await service.runCommand("ev-1", {
      command: { type: "reject", step: "kickoff_call", role: "client_primary", comment: "Dates are wrong" },
      actor: CLIENT,
      now: hoursAfter(2),
    });
    await service.runCommand("ev-1", {
      command: { type: "withdraw_approval", step: "kickoff_call", role: "client_primary", reason: "Dates fixed" },
      actor: CLIENT,
      now: hoursAfter(2.5),
    });
    await service.runCommand("ev-1", {
      command: { type: "approve", step: "kickoff_call", role: "client_primary", conditions: "Training before go-live" },
      actor: { ...CLIENT, authentication: { method: "sso", detail: "https://id.globex.example" } },
      now: hoursAfter(3),
    });
    await service.runCommand("ev-1", { command: { type: "hold", reason: "Client budget freeze" }, actor: OPS, now: hoursAfter(4) });
    await service.runCommand("ev-1", { command: { type: "resume", reason: "Budget approved" }, actor: OPS, now: hoursAfter(28) });
    await service.runCommand("ev-1", {
      command: { type: "complete_step", step: "kickoff_call" },
      actor: { ...CSM, id: "csm-2" },
      now: hoursAfter(400),
    });
    const built = await buildEvidencePackage(database, key, "ev-1", hoursAfter(500), { launchPrinter: null });
    files = unzipSync(built.zip);
    summary = built.summary;
  });
  after(() => database?.close());

  test("sign-offs carry how their signer authenticated, and say so when it was not recorded", () => {
    assert.deepEqual(
      summary.approvals.map((a) => [a.decision, a.authenticatedBy, a.comment ?? a.conditions]),
      [
        ["rejected", "not recorded", "Dates are wrong"],
        ["withdrawn", "not recorded", null],
        ["approved_with_conditions", "single sign-on (issuer https://id.globex.example)", "Training before go-live"],
      ],
    );
    assert.equal(describeAuthentication({ method: "password_totp" }), "password + TOTP");
    assert.equal(describeAuthentication({ method: "api_token", detail: "risk engine" }), 'API token "risk engine"');
  });

  test("deviations: who allowed each and why; the SLA outcome of a late step; the HTML summary when no printer", () => {
    assert.deepEqual(
      summary.deviations.map((d) => [d.kind, d.reason, d.allowedBy]),
      [
        ["reassigned", null, "ops-1"],
        ["rejected", null, "contact-1"],
        ["withdrawn", "Dates fixed", "contact-1"],
        ["approved_with_conditions", null, "contact-1"],
        ["held", "Client budget freeze", "ops-1"],
        ["resumed", "Budget approved", "ops-1"],
      ],
    );
    const kickoff = summary.steps.find((s) => s.id === "kickoff_call");
    assert.equal(kickoff?.completedBy, "csm-2");
    assert.equal(kickoff?.sla, "missed", "done 400 hours after start against a 3-business-day deadline");
    assert.equal(summary.steps.find((s) => s.id === "handoff")?.sla, "met");
    assert.equal(summary.steps.find((s) => s.id === "migrate")?.sla, "not_applicable");
    assert.equal(summary.rendering.summary, "html");
    assert.ok(files["summary.html"] && !files["summary.pdf"]);
    assert.deepEqual(summary.checks, [], "the minimal playbook declares no compliance checks");
  });

  test("the package's own checks catch files the operator altered and re-signed", () => {
    assert.ok(verifyPackage(writePackage({ kind: "evidence", subject: "ev-1", createdAt: T0 }, entries(files), key), vkey).intact);
    const resign = (change: (f: Record<string, Uint8Array>) => void) => {
      const copy = { ...files };
      change(copy);
      return verifyPackage(writePackage({ kind: "evidence", subject: "ev-1", createdAt: T0 }, entries(copy), key), vkey);
    };
    const failing = (result: ReturnType<typeof verifyPackage>) => result.checks.filter((c) => !c.ok).map((c) => c.name);

    // The last event dropped (the summary and proofs left): its proof names a missing event, the chain ends early, the summary disagrees.
    const lines = text(files["events.jsonl"]).trimEnd().split("\n");
    assert.deepEqual(
      failing(
        resign((f) => {
          f["events.jsonl"] = Buffer.from(`${lines.slice(0, -1).join("\n")}\n`);
        }),
      ),
      ["inclusion", "chain", "summary"],
    );
    // An event's time that is no time: a broken chain, not a crash.
    assert.deepEqual(
      failing(
        resign((f) => {
          f["events.jsonl"] = Buffer.from(text(files["events.jsonl"]).replace(/"at":"[^"]+"/, '"at":"never"'));
        }),
      ),
      ["chain"],
    );
    // One event's inclusion proof removed.
    const inclusion = JSON.parse(text(files["proof/inclusion.json"]));
    assert.deepEqual(
      failing(
        resign((f) => {
          f["proof/inclusion.json"] = Buffer.from(JSON.stringify({ ...inclusion, leaves: inclusion.leaves.slice(1) }));
        }),
      ),
      ["inclusion"],
    );
    // A checkpoint of another key (same root): the checkpoint and with it the inclusion proofs fail.
    const other = signingKey("onboard.test/evidence-model", generateKeyPairSync("ed25519").privateKey);
    const [, , root] = text(files["proof/checkpoint.note"]).split("\n");
    const forged = signCheckpoint({ origin: other.name, treeSize: inclusion.treeSize, rootHash: Buffer.from(root ?? "", "base64") }, other);
    assert.deepEqual(
      failing(
        resign((f) => {
          f["proof/checkpoint.note"] = Buffer.from(forged);
        }),
      ),
      ["checkpoint", "inclusion"],
    );
    // Pure verification of the files alone agrees with the package.
    assert.ok(verifyEvidenceFiles("ev-1", new Map(Object.entries(files)), vkey).every((c) => c.ok));
    assert.ok(!verifyEvidenceFiles("ev-2", new Map(Object.entries(files)), vkey).every((c) => c.ok), "another project's subject fails");
  });
});

test("how a signer authenticated stays in the audit trail: outbound webhooks do not carry it", () => {
  const payload = webhookPayload("p-1", {
    projectId: "p-1",
    seq: 4,
    hash: "0".repeat(64),
    redacted: false,
    event: {
      type: "gate.approved",
      step: "kickoff_call",
      role: "client_primary",
      at: T0,
      actor: "contact-1",
      authentication: { method: "magic_link", detail: "pat@globex.example" },
    },
  });
  assert.deepEqual(payload.data, { projectId: "p-1", seq: 4, actor: "contact-1", step: "kickoff_call", role: "client_primary" });
});

function text(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? []).toString("utf8");
}

function entries(files: Record<string, Uint8Array>) {
  return Object.entries(files)
    .filter(([path]) => path !== MANIFEST_FILE)
    .map(([path, bytes]) => ({ path, bytes }));
}
