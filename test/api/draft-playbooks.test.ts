// A faithful encoding of a real checklist (no expected results, KPIs, exception rules or phase
// windows) uploads in the draft profile: 201 with the quality findings as warnings, which the
// version's page (its source and its SOP document) shows; the built-in playbooks have none.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { type Json, startTestServer, type TestServer, testBackends } from "./support/http.ts";

const BACKENDS = await testBackends();
const FAITHFUL = readFileSync(new URL("../fixtures/faithful.yaml", import.meta.url), "utf8");
const QUALITY = ["coverage/exceptions", "coverage/kpis", "step/actionable", "step/actionable", "step/timeline", "step/timeline"];

function rules(findings: readonly Json[]): string[] {
  return findings.map((f) => `${f.severity} ${f.rule}`).sort();
}

for (const backend of BACKENDS) {
  describe(`draft playbooks on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t?.close());

    test("uploads with 201 and lists the quality findings as located warnings", async () => {
      const response = await t.admin.post("/playbooks", { source: FAITHFUL, file: "faithful.yaml" });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.deepEqual(
        rules(response.body.findings),
        QUALITY.map((r) => `warning ${r}`),
      );
      const actionable = response.body.findings.find((f: Json) => f.rule === "step/actionable");
      assert.equal(actionable.file, "faithful.yaml");
      assert.equal(actionable.line, FAITHFUL.split("\n").indexOf("      - id: collect_forms") + 1);
    });

    test("the version's page shows them: in its source view and in its SOP's front matter", async () => {
      const version = await t.admin.get("/playbooks/faithful/versions/1.0");
      assert.equal(version.status, 200, JSON.stringify(version.body));
      assert.deepEqual(
        rules(version.body.findings),
        QUALITY.map((r) => `warning ${r}`),
      );
      const sop = await t.admin.get("/playbooks/faithful/versions/1.0/sop.html");
      assert.equal(sop.status, 200);
      const html = String(sop.body);
      assert.match(html, /Quality findings/);
      assert.match(html, /the strict check refuses it until these are addressed/);
      assert.match(html, /Step &quot;collect_forms&quot; says neither what it produces|Step "collect_forms" says neither what it produces/);
      assert.match(html, /The playbook defines no KPIs/);
    });

    test("a built-in playbook passes the quality checklist: no quality findings in its SOP", async () => {
      const list = await t.admin.get("/playbooks?limit=200");
      const builtIn = (list.body.items as Json[]).find((p) => p.versions.some((v: Json) => v.origin === "built_in"));
      assert.ok(builtIn);
      const sop = await t.admin.get(`/playbooks/${builtIn.id}/versions/${builtIn.latestVersion}/sop.html`);
      assert.equal(sop.status, 200);
      assert.doesNotMatch(String(sop.body), /Quality findings/);
    });
  });
}
