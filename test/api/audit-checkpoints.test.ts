// Signed checkpoints over HTTP: an admin writes one now, auditors read the latest, and what they
// get verifies with the server's vkey; a server without a key says checkpoints are off. With the
// scheduler on, the server writes one at start and on its interval, and stops with the server.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { verifyAgainstCheckpoints } from "../../src/store/audit.ts";
import { openCheckpoint, parseVkey } from "../../src/store/signed-note.ts";
import { startInput, T0, withMinimal } from "../store/support/world.ts";
import { type Caller, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();

for (const backend of BACKENDS) {
  describe(`audit checkpoints over HTTP on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    let csm: Caller;
    let auditor: Caller;
    const { privateKey } = generateKeyPairSync("ed25519");
    before(async () => {
      t = await startTestServer(backend, { AUDIT_LOG_ORIGIN: "onboard.test/audit" }, { auditKey: privateKey, clock: () => T0 });
      csm = await t.user("ck-csm", ["csm"]);
      auditor = await t.user("ck-exec", ["executive_readonly"]);
      const { service, playbook } = await withMinimal(t.server.database);
      for (const id of ["ck-1", "ck-2"]) await service.startProject({ playbook, input: startInput(id), now: T0 });
    });
    after(() => t?.close());

    test("nothing written yet: 404; an admin writes one; auditors read it; it verifies with the server's vkey", async () => {
      assert.equal((await auditor.get("/audit/checkpoints/latest")).status, 404);
      assert.equal(t.server.audit.kind, "given");
      const vkey = t.server.audit.kind === "given" ? t.server.audit.key.vkey : "";
      assert.match(vkey, /^onboard\.test\/audit\+[0-9a-f]{8}\+/);
      const written = await t.admin.post("/audit/checkpoints");
      assert.equal(written.status, 200, JSON.stringify(written.body));
      assert.equal(written.body.written, true);
      assert.ok(written.body.appended >= 2 && written.body.treeSize === written.body.appended);
      assert.equal(written.body.origin, "onboard.test/audit");
      assert.equal(written.body.vkey, vkey);
      const opened = openCheckpoint(written.body.note, parseVkey(vkey));
      assert.equal(opened.signed, true);
      assert.equal(opened.checkpoint.rootHash.toString("base64"), written.body.rootHash);
      const again = await t.admin.post("/audit/checkpoints");
      assert.deepEqual([again.body.written, again.body.appended, again.body.note], [false, 0, written.body.note]);
      const latest = await auditor.get("/audit/checkpoints/latest");
      assert.equal(latest.status, 200);
      assert.equal(latest.body.note, written.body.note);
      assert.equal((await verifyAgainstCheckpoints(t.server.database, [latest.body.note], parseVkey(vkey))).intact, true);
      assert.equal((await csm.post("/audit/checkpoints")).status, 403, "signing is for admins");
    });
  });
}

const pglite = BACKENDS[0];
describe("audit checkpoints off, and on a schedule", () => {
  test("a server without a key answers 503 to writing one", async () => {
    const t = await startTestServer(pglite as NonNullable<typeof pglite>);
    try {
      assert.equal(t.server.audit.kind, "off");
      const response = await t.admin.post("/audit/checkpoints");
      assert.equal(response.status, 503);
      assert.match(response.body.detail, /checkpoints are off/);
    } finally {
      await t.close();
    }
  });

  test("with the scheduler on, the server writes one as it starts and stops the loop with the server", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const t = await startTestServer(pglite as NonNullable<typeof pglite>, { SCHEDULER: "on" }, { auditKey: privateKey, clock: () => T0 });
    try {
      const loop = t.server.background.checkpoints;
      assert.ok(loop?.running);
      for (let i = 0; i < 200 && (await t.admin.get("/audit/checkpoints/latest")).status !== 200; i++)
        await new Promise((r) => setImmediate(r));
      const latest = await t.admin.get("/audit/checkpoints/latest");
      assert.equal(latest.status, 200);
      assert.equal(latest.body.createdAt, T0);
    } finally {
      await t.close();
    }
    assert.equal(t.server.background.checkpoints?.running, false);
  });
});
