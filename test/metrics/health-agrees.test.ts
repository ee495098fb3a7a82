// Issue 14 item 4: one source of truth for health. On a demo portfolio, every project says the same
// health with the same reasons in the portfolio (GET /portfolio), on its page (GET /projects/:id,
// what the project page's header shows) and in the project list (GET /projects).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { generateDemo } from "../../src/demo/generate.ts";
import { type Json, startTestServer, type TestServer, testBackends, walk } from "../api/support/http.ts";

const BACKENDS = await testBackends();
const NOW = new Date().toISOString();

for (const backend of BACKENDS) {
  describe(`health agrees everywhere on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      await generateDemo(t.server.database, { projects: 40, seed: 11, now: NOW });
    });
    after(() => t?.close());

    test("portfolio, project page and project list agree for every demo project", async () => {
      const portfolio = (await walk(t.admin, "/portfolio?status=active,on_hold,closed,cancelled&limit=200")).items;
      const listed = new Map((await walk(t.admin, "/projects?limit=200")).items.map((p: Json) => [p.id, p]));
      assert.equal(portfolio.length, 40);
      let differsFromDeclared = 0;
      for (const item of portfolio) {
        const page = await t.admin.get(`/projects/${encodeURIComponent(item.projectId)}`);
        assert.equal(page.status, 200);
        const who = `${item.client.name} (${item.status})`;
        assert.equal(page.body.health, item.health, `${who}: project page says ${page.body.health}, portfolio ${item.health}`);
        assert.deepEqual(page.body.healthReasons, item.healthReasons, `${who}: the same reasons`);
        assert.equal(listed.get(item.projectId)?.health, item.health, `${who}: the project list agrees`);
        if (item.health !== "green") assert.ok(item.healthReasons.length > 0, `${who}: says why it is ${item.health}`);
        if (page.body.declaredHealth !== page.body.health) differsFromDeclared++;
      }
      // The demo has projects whose own declared health is not the verdict: where the pages used to disagree.
      assert.ok(differsFromDeclared > 0, "some project's declared health differs from the verdict");
    });
  });
}
