// Values of kilobytes where a label is expected (a CRM field mapped by mistake to the segment) are
// kept in the project but bounded in the read model, whose indexes and rollup keys cannot hold
// them: before, a 5,000-character random segment answered 500 and the project was not started.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { SEGMENT_MAX_LENGTH } from "../../src/metrics/summary.ts";
import { type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

for (const backend of await testBackends()) {
  describe(`long values on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t?.close());

    test("a project whose segment fact is 5,400 random characters starts; the portfolio shows its first 200", async () => {
      assert.equal((await t.admin.post("/clients", { id: "acme", name: "Acme", timeZone: "Europe/Berlin" })).status, 201);
      const playbook = (await t.admin.get("/playbooks")).body.items.find((p: Json) => p.id === "sop_cs_001");
      // Random bytes do not compress: the value reaches the index at its full size.
      const segment = randomBytes(4000).toString("base64");
      const started = await t.admin.post("/projects", {
        playbook: { id: "sop_cs_001", version: playbook.latestVersion },
        clientId: "acme",
        facts: { segment },
      });
      assert.equal(started.status, 201, JSON.stringify(started.body).slice(0, 300));
      const project = await t.admin.get(`/projects/${started.body.project.id}`);
      assert.equal(project.body.facts.segment, segment, "the project keeps the value as given");
      const portfolio = await t.admin.get("/portfolio");
      const row = portfolio.body.items.find((i: Json) => i.projectId === started.body.project.id);
      assert.equal(row.segment, segment.slice(0, SEGMENT_MAX_LENGTH));
      assert.equal((await t.admin.get("/kpis")).status, 200);
    });
  });
}
