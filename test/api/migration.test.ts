// Moving a running project to a newer version of its playbook over HTTP: a preview that changes
// nothing, then the move itself (If-Match required, CS operations only, one logged event).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer, testBackends, walk } from "./support/http.ts";
import { FACTS, MINIMAL, MINIMAL_1_2, MINIMAL_REF } from "./support/world.ts";

const BACKENDS = await testBackends();

for (const backend of BACKENDS) {
  describe(`playbook version migration over HTTP (${backend.name})`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      for (const source of [MINIMAL, MINIMAL_1_2]) assert.equal((await t.admin.post("/playbooks", { source })).status, 201);
      await t.admin.post("/clients", { id: "umbrella", name: "Umbrella", timeZone: "Europe/London", country: "GB" });
      assert.equal(
        (await t.admin.post("/projects", { id: "moving", playbook: MINIMAL_REF, clientId: "umbrella", facts: FACTS })).status,
        201,
      );
    });
    after(() => t?.close());

    test("preview, then move with If-Match; a CSM may not; the event says why", async () => {
      const before = await t.admin.get("/projects/moving");
      const preview = await t.admin.get("/projects/moving/migration?to=1.2");
      assert.equal(preview.status, 200, JSON.stringify(preview.body));
      assert.deepEqual(preview.body.to, { id: "minimal", version: "1.2" });
      assert.ok(preview.body.added.some((a: { step: string }) => a.step === "welcome_pack"));
      assert.deepEqual(preview.body.blockers, []);
      assert.equal((await t.admin.get("/projects/moving")).headers.get("etag"), before.headers.get("etag"), "a preview changes nothing");

      const body = { to: "1.2", reason: "Welcome pack added to the procedure" };
      assert.equal((await t.admin.post("/projects/moving/migration", body)).status, 428);
      const csm = await t.user("csm-mover", ["csm"]);
      assert.equal((await csm.post("/projects/moving/migration", body, { "if-match": before.headers.get("etag") ?? "" })).status, 403);
      const moved = await t.admin.post("/projects/moving/migration", body, { "if-match": before.headers.get("etag") ?? "" });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      const project = await t.admin.get("/projects/moving");
      assert.equal(project.body.playbook.version, "1.2");
      const { items } = await walk(t.admin, "/projects/moving/events");
      const migrated = items.filter((e) => e.type === "project.migrated");
      assert.equal(migrated.length, 1, "one logged project.migrated event");
      assert.equal(migrated[0].reason, "Welcome pack added to the procedure");
      const again = await t.admin.get("/projects/moving/migration?to=1.2");
      assert.match(again.body.blockers.join(" "), /already on version 1\.2/);
      const refused = await t.admin.post("/projects/moving/migration", body, { "if-match": project.headers.get("etag") ?? "" });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.errors[0].pointer, "/body/to");
    });
  });
}
